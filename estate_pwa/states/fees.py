"""Thin states of fees: a resident's bills, payments and receipts; the office's month (generate the bills, record
and void payments, the collection rate, arrears by age, exports, rates and late fee terms, a unit's type and
move-in). The public price list is services.bookings'. Rows, their `actions` and every check come from services.fees."""

import secrets
from decimal import Decimal

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import fees
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.fees import Arrears, BillRow, Choice, PeriodSummary, RateRow
from estate_pwa.services.fees.common import ZERO, label, yuan
from estate_pwa.services.permissions import Actor
from estate_pwa.services.roster import local_today
from estate_pwa.states.session import SessionState

ARREARS_SHOWN = 10
"""Units owing most shown under the age buckets."""
FORM_KEY_BYTES = 24
"""The payment form's idempotency key: 32 URL-safe characters made here, kept on the server."""


class ResidentFeesState(SessionState):
    """A resident's own unit's bills, newest first, each with its payments and receipt links."""

    error: str = ""
    bills: list[BillRow] = []

    @rx.event
    def load(self):
        """Open the resident's bills."""
        return self._open(Role.RESIDENT)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.bills = fees.my_bills(session, actor)

    @rx.var
    def owed(self) -> str:
        """What the unit owes over the bills shown ('' when nothing)."""
        total = sum((Decimal(b.balance.replace(",", "")) for b in self.bills if b.status != "paid"), ZERO)
        return yuan(total) if total > 0 else ""

    @rx.var
    def unpaid(self) -> int:
        """Bills not paid in full."""
        return sum(1 for b in self.bills if b.status != "paid")


class FeeOfficeState(SessionState):
    """The office's fee page for one month (`?period=YYYY-MM`, this month by default)."""

    error: str = ""
    notice: str = ""
    period: str = ""
    search: str = ""
    summary: PeriodSummary = PeriodSummary()
    bills: list[BillRow] = []
    recent: list[BillRow] = []
    arrears: Arrears = Arrears()
    paying: BillRow = BillRow()
    voiding: int = 0
    voiding_label: str = ""
    rates_open: bool = False
    rates: list[RateRow] = []
    building_choices: list[Choice] = []
    late_fee: str = ""
    period_csv: str = ""
    period_xlsx: str = ""
    arrears_csv: str = ""
    arrears_xlsx: str = ""
    _form_key: str = ""
    _pinned: int = 0
    _recorded: bool = False

    @rx.event
    def load(self):
        """Open the month named in the address, or this month."""
        asked = self.router.url.query_parameters.get("period", "")
        try:
            self.period = label(fees.period_of(asked))
        except InvalidInput:
            self.period = ""
        self.search, self.notice, self._pinned, self.rates_open = "", "", 0, False
        self._close()
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        if not self.period:
            self.period = label(local_today(session, actor.estate_id, utcnow()))
        self.summary = fees.summary(session, actor, self.period)
        self.bills = fees.period_bills(session, actor, self.period, self.search)
        shown = {b.id for b in self.bills}
        self.recent = [fees.office_bill(session, actor, self._pinned)] if self._pinned and \
            self._pinned not in shown else []
        self.arrears = fees.arrears(session, actor, limit=ARREARS_SHOWN)
        links = fees.exports.export_links(actor, self.summary.period)
        self.period_csv, self.period_xlsx = links["period-csv"], links["period-xlsx"]
        self.arrears_csv, self.arrears_xlsx = links["arrears-csv"], links["arrears-xlsx"]
        self.rates = fees.rate_rows(session, actor)
        self.late_fee = fees.terms(session, actor).late_fee_percent
        if self.rates_open:
            self.building_choices = fees.buildings(session, actor)

    def _close(self) -> None:
        self.paying, self.voiding, self.voiding_label, self._form_key = BillRow(), 0, "", ""
        self._recorded = False

    @rx.event
    def choose_period(self, period: str):
        """Show another month (the service refuses anything but YYYY-MM)."""
        previous, self.notice = self.period, ""
        self.period = period if isinstance(period, str) else previous
        self._pinned = 0
        if not self._act(fees.summary, period):
            self.period = previous

    @rx.event
    def find(self, form: dict):
        """Only units whose building and number contain the text searched for ('' for all)."""
        text = self._fields(form).get("search", "")
        previous, self.notice = self.search, ""
        self.search = text if isinstance(text, str) else previous
        if not self._act(fees.period_bills, self.period, text):
            self.search = previous

    @rx.event
    def generate(self):
        """Generate the shown month's bills for every unit not billed yet."""
        self.notice = ""
        made: list[int] = []
        if self._act(lambda session, actor: made.append(fees.generate_month(session, actor, self.period))):
            self.notice = self._text("fees.generated", count=made[0], period=self.period)

    @rx.event
    def open_payment(self, bill_id: int):
        """Open the payment form for a bill that can take one, with a fresh idempotency key (made here, never sent
        to the browser: the same form submitted twice records one payment)."""
        self.error, self.notice = "", ""
        self._close()
        try:
            with session_scope() as session:
                row = fees.office_bill(session, self._actor(session), bill_id)
        except DomainError as error:
            self.error = self._say(error)
            return
        if "pay" not in row.actions:
            self.error = self._text("error.bill_paid")
            return
        self.paying, self._form_key = row, secrets.token_urlsafe(FORM_KEY_BYTES)

    @rx.event
    def close_payment(self, opened: bool = False):
        """Close the payment form (the dialog's open state changing to closed)."""
        if opened is not True:
            self.error = ""
            self._close()

    @rx.event
    def record(self, form: dict):
        """Record the money received against the open bill; its receipt comes with it."""
        if self._recorded and not self.paying.id:
            return  # the same form sent again (a double tap) after it was recorded and closed
        fields = self._fields(form)
        previous, self._pinned, self.notice = self._pinned, self.paying.id, ""
        received = fees.Received(self.paying.id, fields.get("amount"), fields.get("method"),
                                 fields.get("reference", ""), self._form_key)
        if self._act(fees.RECEIVED.record, received):
            self._close()
            self._recorded = True
            self.notice = self._text("fees.recorded")
        else:
            self._pinned = previous

    @rx.event
    def open_void(self, payment_id: int):
        """Ask for the reason before voiding one of the payments on screen that may be voided."""
        self.error, self.notice = "", ""
        self._close()
        for bill in self.recent + self.bills:
            for line in bill.payments:
                if line.id == payment_id and "void" in line.actions:
                    self.voiding = line.id
                    self.voiding_label = f"{bill.unit} {bill.period} ¥{line.amount}"
                    return
        self.error = self._text("error.not_found")

    @rx.event
    def close_void(self, opened: bool = False):
        """Close the void form."""
        if opened is not True:
            self.error = ""
            self._close()

    @rx.event
    def void(self, form: dict):
        """Void the chosen payment with the reason given: the bill owes it again, its receipt stays, marked void."""
        self.notice = ""
        if self._act(fees.void_payment, self.voiding, self._fields(form).get("reason")):
            self._close()
            self.notice = self._text("fees.voided_notice")


    @rx.event
    def open_rates(self):
        """Open the rates and late fee form (the manager's; others are refused by the services)."""
        self.error, self.notice = "", ""
        self._close()
        self.rates_open = True
        if not self._act(fees.buildings):
            self.rates_open = False

    @rx.event
    def close_rates(self, opened: bool = False):
        """Close the rates form."""
        if opened is not True:
            self.error, self.rates_open = "", False

    @rx.event
    def save_rate(self, form: dict):
        """Add a rate for the estate, a building, a unit type or both, from a month on."""
        fields, self.notice = self._fields(form), ""
        building = fields.get("building")
        unit_type = fields.get("unit_type")
        if self._act(fees.set_rate, fields.get("rate"), None if building in ("0", "", None) else building,
                     "" if unit_type in ("all", "", None) else unit_type, fields.get("effective_from") or None):
            self.notice = self._text("fees.rate_saved")

    @rx.event
    def save_late_fee(self, form: dict):
        """Set the contract's late fee per day (0: none)."""
        self.notice = ""
        if self._act(fees.set_late_fee, self._fields(form).get("percent")):
            self.notice = self._text("fees.late_fee_saved")

    @rx.event
    def save_unit(self, form: dict):
        """Record a unit's type and the day it was handed over or its household moved in."""
        fields, self.notice = self._fields(form), ""
        if self._act(fees.set_unit_terms, fields.get("building"), fields.get("number"), fields.get("unit_type"),
                     fields.get("occupied_from", "")):
            self.notice = self._text("fees.unit_saved")

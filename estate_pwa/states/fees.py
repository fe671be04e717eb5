"""Thin states of fees: a resident's bills, payments and receipts; the office's month (generate the bills, record
and void payments, the collection rate, arrears by age); and the public price list. Rows, their `actions` and
every check come from services.fees."""

import secrets
from decimal import Decimal

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import estate, fees
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.fees import Arrears, BillRow, PeriodSummary, ServiceRow
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
        self.search, self.notice, self._pinned = "", "", 0
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
        if self._act(fees.record_payment, self.paying.id, fields.get("amount"), fields.get("method"),
                     fields.get("reference", ""), self._form_key):
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


class PriceListState(SessionState):
    """The public price list (no login): the estate named by `?estate=CODE`, the viewer's own, or the only one."""

    estate: str = ""
    special: list[ServiceRow] = []
    included: list[ServiceRow] = []

    @rx.event
    def load(self):
        """Read the active services at their marked prices."""
        code = self.router.url.query_parameters.get("estate", "")
        with session_scope() as session:
            actor = self._actor(session) if not code else None
            if actor is not None:
                code = estate.estate_of(session, actor).code
            board = fees.price_list(session, code)
        self.estate, self.special, self.included = board.estate, board.special, board.included

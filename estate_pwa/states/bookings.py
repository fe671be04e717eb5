"""Thin states of bookings: the public price list (no login) with its A4 price board; the resident's menu, slots,
booking, cancelling, bills and rating (phone); the office's day of bookings, payments at the office and the
catalogue (tablet). Rows, their `actions` and every check come from services.bookings (and jobs, fees)."""

import secrets
from datetime import date, timedelta

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import bookings, estate, fees, jobs
from estate_pwa.services.bookings import BookingRow, ClosureRow, ServiceRow, SlotDay, SlotRow
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.permissions import Actor
from estate_pwa.services.roster import local_today
from estate_pwa.states.session import SessionState

FORM_KEY_BYTES = 24


def _id(raw: object) -> int:
    """A row id sent by the page: an int that is not a bool (True == 1 must not pick row 1), else 0."""
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else 0


class PriceListState(SessionState):
    """The public price list (no login): the estate named by `?estate=CODE`, the viewer's own, or the only one;
    with a signed link to its printable A4 price board."""

    estate: str = ""
    special: list[ServiceRow] = []
    included: list[ServiceRow] = []
    board_url: str = ""

    @rx.event
    def load(self):
        """Read the active services at their marked prices."""
        code = self.router.url.query_parameters.get("estate", "")
        with session_scope() as session:
            actor = self._actor(session) if not code else None
            if actor is not None:
                code = estate.estate_of(session, actor).code
            board = bookings.price_list(session, code)
        self.estate, self.special, self.included = board.estate, board.special, board.included
        self.board_url = bookings.board_link(board.code, self.lang) if board.code else ""


class ResidentBookingsState(SessionState):
    """A resident's special services: the bookable menu, a service's slots for the week, the confirmation with
    the price, and their bookings (status, cancel within the rule, bill and receipts, rating)."""

    error: str = ""
    notice: str = ""
    services: list[ServiceRow] = []
    opened: int = 0
    days: list[SlotDay] = []
    chosen: SlotRow = SlotRow()
    chosen_service: ServiceRow = ServiceRow()
    mine: list[BookingRow] = []
    cancelling: BookingRow = BookingRow()
    _service: int = 0
    _slot: str = ""
    _booked: str = ""

    @rx.event
    def load(self):
        """Open the menu and the resident's bookings."""
        self.notice, self.opened, self.days = "", 0, []
        self._close()
        return self._open(Role.RESIDENT)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.services = [s for s in bookings.price_list(session, estate.estate_of(session, actor).code).special
                         if s.bookable]
        self.mine = bookings.my_bookings(session, actor)
        if self.opened:
            self.days = bookings.week(session, actor, self.opened)

    def _close(self) -> None:
        self.chosen, self.chosen_service, self.cancelling = SlotRow(), ServiceRow(), BookingRow()
        self._slot = ""

    @rx.event
    def open_service(self, service_id: int):
        """Show a service's slots for the week (tap it again to fold them away)."""
        self.notice = ""
        if self.opened and self.opened == service_id:
            self.opened, self.days = 0, []
            return
        previous = self.opened
        self.opened = service_id if isinstance(service_id, int) and not isinstance(service_id, bool) else 0
        if not self._act(bookings.week, service_id):
            self.opened, self.days = previous, []

    @rx.event
    def pick(self, key: str):
        """Choose one of the open slots shown: the confirmation opens with the price."""
        self.error, self.notice = "", ""
        for day in self.days:
            for slot in day.slots:
                if slot.key == key and "book" in slot.actions:
                    self.chosen, self._slot, self._service = slot, slot.key, self.opened
                    self.chosen_service = next((s for s in self.services if s.id == self.opened), ServiceRow())
                    return
        self.error = self._text("error.slot_invalid")

    @rx.event
    def close_pick(self, opened: bool = False):
        """Close the confirmation without booking."""
        if opened is not True:
            self.error = ""
            self._close()

    @rx.event
    def book(self, form: dict):
        """Book the chosen slot (a double tap books once: the same slot twice is refused by the service)."""
        if not self._slot:
            return
        fields = self._fields(form)
        booked = self._slot
        if self._act(bookings.book, self._service, self._slot, fields.get("quantity"), fields.get("note", "")):
            self._close()
            self._booked = booked
            self.notice = self._text("bookings.booked_notice")

    @rx.event
    def open_cancel(self, booking_id: int):
        """Ask before cancelling one of the resident's bookings that may be cancelled (saying the fee, if any)."""
        self.error, self.notice = "", ""
        row = next((b for b in self.mine if b.id == _id(booking_id) and "cancel" in b.actions), None)
        if row is None:
            self.error = self._text("error.not_found")
            return
        self.cancelling = row

    @rx.event
    def close_cancel(self, opened: bool = False):
        """Keep the booking."""
        if opened is not True:
            self.error = ""
            self._close()

    @rx.event
    def cancel(self):
        """Cancel the booking asked about."""
        if not self.cancelling.id:
            return
        if self._act(bookings.cancel, self.cancelling.id):
            self._close()
            self.notice = self._text("bookings.cancelled_notice")

    @rx.event
    def rate(self, booking_id: int, satisfied: bool):
        """Rate a completed booking through the jobs system (satisfied closes it; not satisfied reopens it)."""
        self.notice = ""
        row = next((b for b in self.mine if b.id == _id(booking_id) and "rate" in b.actions), None)
        if row is None:
            self.error = self._text("error.not_found")
            return
        if self._act(jobs.rate, row.request_id, satisfied is True, None):
            self.notice = self._text("bookings.rated_notice")


class ManagerBookingsState(SessionState):
    """The office's bookings of a day (cancel with a reason, record a payment at the office), a service's slots
    that day (close one with a reason) and the closed slots to come, and the catalogue (add and edit services with
    their price, duration, lead time, cancellation rule and who does them)."""

    error: str = ""
    notice: str = ""
    day: str = ""
    day_label: str = ""
    rows: list[BookingRow] = []
    catalogue: list[ServiceRow] = []
    staff: list[list[str]] = []
    editing: ServiceRow = ServiceRow()
    adding: bool = False
    paying: BookingRow = BookingRow()
    cancelling: BookingRow = BookingRow()
    slot_services: list[ServiceRow] = []
    slot_service: str = ""
    slots: list[SlotRow] = []
    closing: SlotRow = SlotRow()
    closed: list[ClosureRow] = []
    _form_key: str = ""
    _bill: int = 0

    @rx.event
    def load(self):
        """Open today's bookings (or `?day=YYYY-MM-DD`) and the catalogue."""
        asked = self.router.url.query_parameters.get("day", "")
        try:
            self.day = bookings.day_of(asked).isoformat() if asked else ""
        except InvalidInput:
            self.day = ""
        self.notice = ""
        self._close()
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        if not self.day:
            self.day = local_today(session, actor.estate_id, utcnow()).isoformat()
        self.day_label = self._day_label(date.fromisoformat(self.day))
        self.rows = bookings.day_bookings(session, actor, self.day)
        self.catalogue = bookings.catalogue(session, actor)
        self.staff = [[str(i), name] for i, name in bookings.staff_choices(session, actor)]
        self.slot_services = [s for s in self.catalogue if s.bookable]
        if not any(str(s.id) == self.slot_service for s in self.slot_services):
            self.slot_service = ""
        self.slots = bookings.office_day(session, actor, int(self.slot_service), date.fromisoformat(self.day)).slots \
            if self.slot_service else []
        self.closed = bookings.closed_slots(session, actor)

    def _close(self) -> None:
        self.editing, self.adding, self.paying, self.cancelling = ServiceRow(), False, BookingRow(), BookingRow()
        self.closing = SlotRow()
        self._form_key, self._bill = "", 0

    @rx.event
    def shift_day(self, days: int):
        """Show the day before or after (-1 or 1)."""
        if days not in (-1, 1) or isinstance(days, bool):
            self.error = self._text("error.bad_request")
            return
        previous, self.notice = self.day, ""
        try:
            self.day = (date.fromisoformat(self.day) + timedelta(days=days)).isoformat()
        except ValueError:  # the page was never opened: nothing to move from
            self.error = self._text("error.bad_request")
            return
        if not self._act(bookings.day_bookings, self.day):
            self.day = previous

    @rx.event
    def open_cancel(self, booking_id: int):
        """Ask for the reason before the office cancels a booking (free for the resident)."""
        self.error, self.notice = "", ""
        self._close()
        wanted = _id(booking_id)
        self.cancelling = next((b for b in self.rows if b.id == wanted and "cancel" in b.actions), BookingRow())
        if not self.cancelling.id:
            self.error = self._text("error.not_found")

    @rx.event
    def cancel(self, form: dict):
        """Cancel the booking asked about, with the reason given."""
        if self.cancelling.id and self._act(bookings.cancel, self.cancelling.id, self._fields(form).get("reason")):
            self._close()
            self.notice = self._text("bookings.cancelled_notice")

    @rx.event
    def show_slots(self, service_id: str):
        """Show the slots of one of the bookable services listed, on the day shown."""
        self.error, self.notice = "", ""
        if not isinstance(service_id, str) or not any(str(s.id) == service_id for s in self.slot_services):
            self.error = self._text("error.not_found")
            return
        previous, self.slot_service = self.slot_service, service_id
        if not self._act(bookings.office_day, int(service_id), date.fromisoformat(self.day)):
            self.slot_service = previous

    @rx.event
    def open_close_slot(self, key: str):
        """Ask for the reason before closing one of the slots shown that may be closed."""
        self.error, self.notice = "", ""
        self._close()
        self.closing = next((s for s in self.slots if s.key == key and "close" in s.actions), SlotRow())
        if not self.closing.key:
            self.error = self._text("error.slot_invalid")

    @rx.event
    def close_slot(self, form: dict):
        """Close the slot asked about, with the reason given: no new bookings (those made stay, to be called)."""
        if self.closing.key and self._act(bookings.close_slot, int(self.slot_service), self.closing.key,
                                          self._fields(form).get("reason")):
            self._close()
            self.notice = self._text("bookings.slot_closed_notice")

    @rx.event
    def reopen_slot(self, closure_id: int):
        """Open a closed slot again (the service checks it is this estate's and still to come)."""
        self.notice = ""
        if self._act(bookings.reopen_slot, closure_id):
            self.notice = self._text("bookings.slot_reopened_notice")

    @rx.event
    def reassign(self, booking_id: int, staff_id: str):
        """Send someone else who does the service: the booking's job is re-dispatched and the booking follows."""
        self.error, self.notice = "", ""
        row = next((b for b in self.rows if b.id == _id(booking_id) and "reassign" in b.actions), None)
        if row is None or not any(option[0] == staff_id for option in row.staff_options):
            self.error = self._text("error.not_found")
            return
        if self._act(jobs.dispatch, row.request_id, int(staff_id)):
            self.notice = self._text("bookings.reassigned_notice")

    @rx.event
    def open_pay(self, booking_id: int):
        """Open the payment form for a booking's bill, with a fresh idempotency key kept on the server."""
        self.error, self.notice = "", ""
        self._close()
        row = next((b for b in self.rows if b.id == _id(booking_id) and "pay" in b.actions), None)
        if row is None:
            self.error = self._text("error.not_found")
            return
        try:
            with session_scope() as session:
                self._bill = bookings.booking_bill(session, self._actor(session), row.id)
        except DomainError as error:
            self.error = self._say(error)
            return
        self.paying, self._form_key = row, secrets.token_urlsafe(FORM_KEY_BYTES)

    @rx.event
    def record(self, form: dict):
        """Record the money received at the office against the booking's bill; its receipt comes with it."""
        if not self._bill:
            return
        fields = self._fields(form)
        if self._act(fees.record_payment, self._bill, fields.get("amount"), fields.get("method"),
                     fields.get("reference", ""), self._form_key):
            self._close()
            self.notice = self._text("fees.recorded")

    @rx.event
    def close_dialog(self, opened: bool = False):
        """Close whichever form is open."""
        if opened is not True:
            self.error = ""
            self._close()

    @rx.event
    def new_service(self):
        """Open an empty service form."""
        self.notice = ""
        self._close()
        self.adding = self._act(bookings.staff_choices)  # the office only (refused and audited otherwise)

    @rx.event
    def edit_service(self, service_id: int):
        """Open the form of a service on screen."""
        self.error, self.notice = "", ""
        self._close()
        self.editing = next((s for s in self.catalogue if s.id == _id(service_id)), ServiceRow())
        if not self.editing.id:
            self.error = self._text("error.not_found")

    @rx.event
    def save_service(self, form: dict):
        """Save the service form (a new service or the one being edited)."""
        if not (self.adding or self.editing.id):
            return
        fields = self._fields(form)
        wanted = dict(fields)
        if wanted.get("staff_id") == "none":
            wanted["staff_id"] = None
        if wanted.get("staff_role") == "none":
            wanted["staff_role"] = None
        if self._act(bookings.save_service, wanted, self.editing.id or None):
            self._close()
            self.notice = self._text("bookings.saved_notice")

    @rx.event
    def set_active(self, service_id: int, active: bool):
        """Take a service off the menu, or put it back."""
        self.notice = ""
        self._act(bookings.set_active, service_id, active is True)

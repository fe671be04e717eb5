"""Booking a slot, cancelling it, and the bookings each person sees.

A booking holds one staff member for its window and is, at once, a job of kind "booked" in the jobs system,
dispatched to that person (their job list, the same accept / finish / rate / follow-up steps as a repair):
its progress is its job's. The charge is a service bill made at booking (services/bookings/money.py)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import (
    Booking, Estate, RequestKind, RequestStatus, Role, ServiceItem, ServiceRequest, User,
)
from estate_pwa.services import audit
from estate_pwa.services.bookings.catalogue import bookable, doers
from estate_pwa.services.bookings.common import BOOKING, REFUND_REASON_MAX, ZERO, charge, yuan
from estate_pwa.services.bookings.money import BillView, bill_of, bill_view, open_bill, settle_cancellation
from estate_pwa.services.bookings.slots import (
    BOOK_AHEAD_DAYS, free_staff, is_closed, lock_estate, slot_start,
)
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from estate_pwa.services.jobs.rules import allowed, log
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import money, positive_id, text

QUANTITY_MAX = Decimal("999")
NOTE_MAX = 200
RESIDENT_LIMIT = 30
STATUS_OF_JOB = {
    RequestStatus.RECEIVED: "in_progress", RequestStatus.DISPATCHED: "booked",
    RequestStatus.ACCEPTED: "in_progress", RequestStatus.PAUSED: "in_progress",
    RequestStatus.COMPLETED: "completed", RequestStatus.CLOSED: "closed",
}


@dataclass
class BookingRow:
    """A booking as a screen shows it, with what the viewer may do (cancel, rate, pay) and its bill."""

    id: int = 0
    service_zh: str = ""
    service_en: str = ""
    day: str = ""
    when: str = ""
    resident: str = ""
    unit: str = ""
    staff: str = ""
    quantity: str = ""
    price_unit: str = ""
    price: str = ""
    amount: str = ""
    status: str = ""
    free_until: str = ""
    cancel_fee_now: str = ""
    cancellation_fee: str = ""
    cancel_reason: str = ""
    request_id: int = 0
    satisfied: str = ""
    bill: BillView = field(default_factory=BillView)
    staff_options: list[list[str]] = field(default_factory=list)
    """For the office, [id, name] of the others who do the service, to send one instead ("reassign")."""
    actions: list[str] = field(default_factory=list)


def _quantity(raw: object, item: ServiceItem) -> Decimal:
    """How many units of the price: 1 for a visit; hours default to the typical duration; items and m² as given."""
    if item.price_unit == "visit":
        return Decimal("1.00")
    if raw in (None, ""):
        if item.price_unit == "hour":
            return (Decimal(item.duration_minutes) / 60).quantize(Decimal("0.01"))
        return Decimal("1.00")
    value = money(raw)
    if value > QUANTITY_MAX:
        raise InvalidInput("error.quantity_invalid")
    return value


def fee_if_cancelled(booking: Booking, item: ServiceItem, now: datetime) -> Decimal:
    """The rule: free until `free_cancel_hours` before the slot, the service's fee after (never above the charge)."""
    if now <= booking.starts_at - timedelta(hours=item.free_cancel_hours):
        return ZERO
    return min(item.cancel_fee, booking.amount)


def book(session: Session, actor: Actor | None, service_id: object, starts_at: object, quantity: object = None,
         note: object = "", now: datetime | None = None) -> Booking:
    """A resident books a slot: refused when the service is not bookable, the slot is not on its grid, past (by
    the server's clock), cancelled by the office, inside the lead time, beyond two weeks, or full. Holds the free
    qualified staff member with the fewest bookings that day, dispatches the job to them and opens the bill."""
    actor = require(session, actor, BOOKING, Role.RESIDENT)
    now = now or utcnow()
    with refusing(session, actor, BOOKING):
        if actor.unit_id is None:
            raise InvalidInput("error.booking_no_unit")
        item = in_estate(session, actor, ServiceItem, positive_id(service_id))
        if not bookable(item):
            raise InvalidInput("error.service_unavailable")
        timezone = session.get(Estate, actor.estate_id).timezone
        start = slot_start(item, starts_at, timezone)
        if start <= now:
            raise InvalidInput("error.slot_past")
        if is_closed(session, item, start):
            raise InvalidInput("error.slot_cancelled")
        if start < now + timedelta(hours=item.lead_hours):
            raise InvalidInput("error.slot_too_soon", hours=item.lead_hours)
        if start > now + timedelta(days=BOOK_AHEAD_DAYS):
            raise InvalidInput("error.slot_too_far", days=BOOK_AHEAD_DAYS)
        amount_of = _quantity(quantity, item)
        remark = text(note, "error.bad_request", NOTE_MAX, required=False)
        lock_estate(session, actor.estate_id)
        if session.exec(select(Booking.id).where(
                Booking.service_id == item.id, Booking.resident_id == actor.id, Booking.starts_at == start,
                col(Booking.cancelled_at).is_(None))).first() is not None:
            raise InvalidInput("error.already_booked")
        free = free_staff(session, item, start, timezone)
        if not free:
            raise InvalidInput("error.slot_full")
    staff_id = _least_busy(session, actor.estate_id, free, start, timezone)
    ends = start + timedelta(minutes=item.duration_minutes)
    booking = Booking(estate_id=actor.estate_id, service_id=item.id, resident_id=actor.id, unit_id=actor.unit_id,
                      staff_id=staff_id, starts_at=start, ends_at=ends, quantity=amount_of, price=item.price,
                      amount=charge(item.price, amount_of), note=remark, created_at=now)
    session.add(booking)
    session.flush()
    local = start.astimezone(ZoneInfo(timezone))
    description = f"{item.name_zh} {local:%Y-%m-%d %H:%M}" + (f" · {remark}" if remark else "")
    request = ServiceRequest(estate_id=actor.estate_id, kind=RequestKind.BOOKED, status=RequestStatus.DISPATCHED,
                             description=description, unit_id=actor.unit_id, reporter_id=actor.id,
                             technician_id=staff_id, received_at=now, dispatched_at=now, promised_at=ends,
                             created_at=now)
    session.add(request)
    session.flush()
    booking.request_id = request.id
    open_bill(session, booking, actor, now)
    log(session, actor, request, "request_booked", booking=booking.id)
    audit.record(session, actor.estate_id, session.get(User, actor.id), "booking_made", "booking", booking.id,
                 service=item.id, starts_at=start.isoformat(), amount=str(booking.amount))
    return booking


def _least_busy(session: Session, estate_id: int, free: list[int], start: datetime, timezone: str) -> int:
    """Of the free staff, the one with the fewest bookings that local day (then the lowest id)."""
    zone = ZoneInfo(timezone)
    day = start.astimezone(zone).date()
    first = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    counts = {s: 0 for s in free}
    for staff_id in session.exec(select(Booking.staff_id).where(
            Booking.estate_id == estate_id, col(Booking.staff_id).in_(free), col(Booking.cancelled_at).is_(None),
            col(Booking.starts_at) >= first, col(Booking.starts_at) < first + timedelta(days=1))):
        counts[staff_id] += 1
    return min(free, key=lambda s: (counts[s], s))


def _loaded(session: Session, actor: Actor, booking_id: object) -> Booking:
    return in_estate(session, actor, Booking, positive_id(booking_id))


def cancel(session: Session, actor: Actor | None, booking_id: object, reason: object = None,
           now: datetime | None = None) -> Booking:
    """The resident who booked cancels (free until the rule's hours before the slot, the cancellation fee after),
    or the office cancels with a reason (always free). Refused once the slot has begun, the job was accepted, or
    it is cancelled already; anyone else's booking is refused. What was paid beyond the fee is refunded."""
    actor = require(session, actor, BOOKING, Role.RESIDENT, Role.MANAGER)
    now = now or utcnow()
    office = actor.has(Role.MANAGER)
    with refusing(session, actor, BOOKING):
        booking = _loaded(session, actor, booking_id)
    with refusing(session, actor, BOOKING, booking.id):
        if not office and booking.resident_id != actor.id:
            raise NotAllowed("error.not_your_booking")
        why = text(reason, "error.reason_required", REFUND_REASON_MAX, required=office) or "resident_cancelled"
        if booking.cancelled_at is not None:
            raise InvalidInput("error.booking_cancelled")
        request = session.get(ServiceRequest, booking.request_id) if booking.request_id else None
        if now >= booking.starts_at or (request is not None and request.status != RequestStatus.DISPATCHED):
            raise InvalidInput("error.booking_started")
    item = session.get(ServiceItem, booking.service_id)
    fee = ZERO if office else fee_if_cancelled(booking, item, now)
    booking.cancelled_at, booking.cancelled_by_id, booking.cancel_reason = now, actor.id, why
    booking.cancellation_fee = fee
    if request is not None:
        request.status, request.closed_at = RequestStatus.CLOSED, now
        log(session, actor, request, "request_withdrawn", booking=booking.id)
    settle_cancellation(session, booking, actor, fee, why, now)
    audit.record(session, actor.estate_id, session.get(User, actor.id), "booking_cancelled", "booking",
                 booking.id, fee=str(fee), reason=why)
    return booking


def status_of(booking: Booking, request: ServiceRequest | None) -> str:
    """booked, in_progress, completed (to rate), closed (rated) or cancelled."""
    if booking.cancelled_at is not None:
        return "cancelled"
    return STATUS_OF_JOB.get(RequestStatus(request.status), "booked") if request else "booked"


def rows(session: Session, actor: Actor, bookings: list[Booking], now: datetime | None = None) -> list[BookingRow]:
    """Rows of bookings the viewer may already see."""
    now = now or utcnow()
    if not bookings:
        return []
    from estate_pwa.services.fees.common import unit_labels

    timezone = session.get(Estate, actor.estate_id).timezone
    items = {i.id: i for i in session.exec(select(ServiceItem).where(
        col(ServiceItem.id).in_({b.service_id for b in bookings})))}
    people = dict(session.exec(select(User.id, User.name).where(
        col(User.id).in_({b.staff_id for b in bookings} | {b.resident_id for b in bookings}))).all())
    requests = {r.id: r for r in session.exec(select(ServiceRequest).where(
        col(ServiceRequest.id).in_({b.request_id for b in bookings if b.request_id})))}
    units = unit_labels(session, {b.unit_id for b in bookings})
    office = actor.has(Role.MANAGER)
    options = {i.id: doers(session, i) for i in items.values()} if office else {}
    out = []
    for booking in bookings:
        item, request = items[booking.service_id], requests.get(booking.request_id)
        status = status_of(booking, request)
        local = booking.starts_at.astimezone(ZoneInfo(timezone))
        ends = booking.ends_at.astimezone(ZoneInfo(timezone))
        bill = bill_view(session, actor, bill_of(session, booking.id), timezone, now)
        actions = []
        cancellable = status == "booked" and now < booking.starts_at
        if cancellable and (office or booking.resident_id == actor.id):
            actions.append("cancel")
        if status == "completed" and booking.resident_id == actor.id:
            actions.append("rate")
        if office and bill.id and bill.status != "paid" and Decimal(bill.balance.replace(",", "")) > 0:
            actions.append("pay")
        others = [[str(uid), name] for uid, name in options.get(item.id, []) if uid != booking.staff_id]
        if others and request is not None and {"dispatch", "reassign"} & set(allowed(actor, request)):
            actions.append("reassign")
        out.append(BookingRow(
            booking.id, item.name_zh, item.name_en, local.date().isoformat(),
            f"{local:%m-%d %H:%M}–{ends:%H:%M}", people.get(booking.resident_id, ""), units.get(booking.unit_id, ""),
            people.get(booking.staff_id, ""), f"{booking.quantity.normalize():f}", item.price_unit,
            yuan(booking.price), yuan(booking.amount), status,
            format_local(booking.starts_at - timedelta(hours=item.free_cancel_hours), timezone),
            yuan(fee_if_cancelled(booking, item, now)) if cancellable else "",
            yuan(booking.cancellation_fee) if booking.cancellation_fee is not None else "",
            booking.cancel_reason if booking.cancel_reason != "resident_cancelled" else "",
            booking.request_id or 0,
            "" if request is None or request.satisfied is None else ("yes" if request.satisfied else "no"),
            bill, others if "reassign" in actions else [], actions))
    return out


def my_bookings(session: Session, actor: Actor | None, now: datetime | None = None) -> list[BookingRow]:
    """The resident's own bookings: upcoming first (soonest first), then past ones, newest first."""
    actor = require(session, actor, BOOKING, Role.RESIDENT)
    now = now or utcnow()
    found = list(session.exec(select(Booking).where(Booking.estate_id == actor.estate_id,
                                                    Booking.resident_id == actor.id)
                              .order_by(col(Booking.starts_at).desc()).limit(RESIDENT_LIMIT)))
    upcoming = sorted((b for b in found if b.ends_at > now), key=lambda b: b.starts_at)
    return rows(session, actor, upcoming + [b for b in found if b.ends_at <= now], now)


def day_bookings(session: Session, actor: Actor | None, day: object = None,
                 now: datetime | None = None) -> list[BookingRow]:
    """The office's bookings of one local day ('YYYY-MM-DD', today by default), by start."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, BOOKING):
        wanted = day_of(day) if day else local_today(session, actor.estate_id, now)
    zone = ZoneInfo(session.get(Estate, actor.estate_id).timezone)
    first = datetime.combine(wanted, datetime.min.time(), tzinfo=zone)
    found = list(session.exec(select(Booking).where(
        Booking.estate_id == actor.estate_id, col(Booking.starts_at) >= first,
        col(Booking.starts_at) < first + timedelta(days=1)).order_by(col(Booking.starts_at), col(Booking.id))))
    return rows(session, actor, found, now)


def day_of(raw: object):
    """A local day sent as 'YYYY-MM-DD'."""
    from datetime import date

    if not isinstance(raw, str) or len(raw) != 10:
        raise InvalidInput("error.bad_request")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.bad_request") from None


def booking_bill(session: Session, actor: Actor | None, booking_id: object) -> int:
    """The id of a booking's bill, for the office about to record a payment against it."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    with refusing(session, actor, BOOKING):
        booking = _loaded(session, actor, booking_id)
        bill = bill_of(session, booking.id)
        if bill is None:
            raise NotFound("error.not_found")
    return bill.id

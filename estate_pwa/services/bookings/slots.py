"""Bookable slots, computed from the catalogue and the roster (nothing stored but the office's closures): a
service's slots are its typical duration laid end to end through the service day; a slot's capacity is the number
of staff who do the service and are on duty for the whole window (services.roster's shifts and duty assignments)
minus those an active booking already holds in that window (for any service: a person is in one place at once).

Booking locks the estate's row first, so bookings are made one at a time per estate and the count a booking
checks is the count it leaves behind: a slot is never overbooked, whatever the number of parallel sessions."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Booking, DutyAssignment, Estate, Role, ServiceItem, Shift, SlotClosure, User,
)
from estate_pwa.services import audit
from estate_pwa.services.bookings.catalogue import bookable
from estate_pwa.services.bookings.common import BOOKING
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs.rules import WORKERS
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today, shift_bounds
from estate_pwa.services.validation import aware, positive_id, text

DAY_OPENS = time(8, 0)
DAY_CLOSES = time(20, 0)
"""Services are done at residents' homes between 08:00 and 20:00 local time."""
BOOK_AHEAD_DAYS = 14
SHOWN_DAYS = 7
"""The resident sees a week of slots; a booking may be up to two weeks ahead."""
OPEN, FULL, PAST, TOO_SOON, CLOSED = "open", "full", "past", "too_soon", "closed"
CLOSURES_SHOWN = 50


@dataclass
class SlotRow:
    """One slot of a service as a screen shows it: `key` is its start (ISO, UTC) to send back when booking."""

    key: str = ""
    day: str = ""
    label: str = ""
    free: int = 0
    state: str = OPEN
    reason: str = ""
    """Why the office closed it (shown to the office only)."""
    actions: list[str] = field(default_factory=list)


@dataclass
class SlotDay:
    """A local day's slots of one service."""

    day: str = ""
    weekday: int = 0
    slots: list[SlotRow] = field(default_factory=list)


def step_of(item: ServiceItem) -> timedelta:
    """The distance between slot starts: the duration rounded up to whole hours (at least one)."""
    return timedelta(hours=max(1, math.ceil(item.duration_minutes / 60)))


def starts_on(item: ServiceItem, day: date, timezone: str) -> list[datetime]:
    """The UTC starts of the service's slots on local `day`."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, DAY_OPENS, tzinfo=zone)
    close = datetime.combine(day, DAY_CLOSES, tzinfo=zone)
    length, step, starts = timedelta(minutes=item.duration_minutes), step_of(item), []
    while start + length <= close:
        starts.append(start.astimezone(UTC))
        start += step
    return starts


def window(item: ServiceItem, start: datetime) -> tuple[datetime, datetime]:
    """A slot's [start, end)."""
    return start, start + timedelta(minutes=item.duration_minutes)


def _on_duty(session: Session, item: ServiceItem, days: list[date], timezone: str) -> list[tuple[int, datetime,
                                                                                                   datetime]]:
    """(user, start, end) of every duty of the staff who do the service, on shifts starting on `days`."""
    query = (select(DutyAssignment.user_id, DutyAssignment.day, Shift)
             .join(Shift, col(Shift.id) == DutyAssignment.shift_id)
             .join(User, col(User.id) == DutyAssignment.user_id)
             .where(DutyAssignment.estate_id == item.estate_id, col(DutyAssignment.day).in_(days),
                    col(User.is_active).is_(True)))
    if item.staff_id:
        query = query.where(DutyAssignment.user_id == item.staff_id)
        roles = [item.staff_role] if item.staff_role else [str(w) for w in WORKERS]
    else:
        roles = [item.staff_role or ""]
    query = query.where(col(DutyAssignment.role).in_(roles))
    return [(user_id, *shift_bounds(shift, day, timezone)) for user_id, day, shift in session.exec(query)]


def _held(session: Session, estate_id: int, staff: set[int], first: datetime, last: datetime) -> list[Booking]:
    if not staff:
        return []
    return list(session.exec(select(Booking).where(
        Booking.estate_id == estate_id, col(Booking.staff_id).in_(staff), col(Booking.cancelled_at).is_(None),
        col(Booking.starts_at) < last, col(Booking.ends_at) > first)))


def free_staff(session: Session, item: ServiceItem, start: datetime, timezone: str,
               duties: list | None = None, held: list[Booking] | None = None) -> list[int]:
    """Who could do the slot starting at `start`: qualified, on duty for the whole window, not held by another
    booking overlapping it. Its length is the slot's capacity left."""
    begins, ends = window(item, start)
    local = begins.astimezone(ZoneInfo(timezone)).date()
    if duties is None:
        duties = _on_duty(session, item, [local - timedelta(days=1), local], timezone)
    on_duty = {user for user, s, e in duties if s <= begins and e >= ends}
    if held is None:
        held = _held(session, item.estate_id, on_duty, begins, ends)
    busy = {b.staff_id for b in held if b.starts_at < ends and b.ends_at > begins}
    return sorted(on_duty - busy)


def _closed(session: Session, item: ServiceItem, first: datetime, last: datetime) -> dict[datetime, str]:
    """The office's closures of the service's slots starting in [first, last): start → reason."""
    return {aware(start): reason for start, reason in session.exec(
        select(SlotClosure.starts_at, SlotClosure.reason).where(
            SlotClosure.service_id == item.id, col(SlotClosure.starts_at) >= first,
            col(SlotClosure.starts_at) < last))}


def state_of(item: ServiceItem, start: datetime, free: int, closed: bool, now: datetime) -> str:
    """open, full, past, too_soon (inside the lead time) or closed (cancelled by the office)."""
    if start <= now:
        return PAST
    if closed:
        return CLOSED
    if start < now + timedelta(hours=item.lead_hours):
        return TOO_SOON
    return FULL if free <= 0 else OPEN


def week(session: Session, actor: Actor | None, service_id: object, now: datetime | None = None,
         days: int = SHOWN_DAYS) -> list[SlotDay]:
    """The service's slots over the next `days` local days, each with the places left and whether it can be
    booked now (`actions` hold "book" on open slots), for a resident about to book."""
    actor = require(session, actor, BOOKING, Role.RESIDENT)
    now = now or utcnow()
    item = _service(session, actor, service_id)
    today = local_today(session, actor.estate_id, now)
    return _days(session, actor, item, [today + timedelta(days=i) for i in range(days)], now,
                 lambda state: ["book"] if state == OPEN else [])


def office_day(session: Session, actor: Actor | None, service_id: object, day: date,
               now: datetime | None = None) -> SlotDay:
    """A service's slots of one local day for the office: places left, state, why a closed one was closed, and
    "close" on those still to come (the office may close a full one too: its bookings stay, for it to call)."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    now = now or utcnow()
    item = _service(session, actor, service_id)
    return _days(session, actor, item, [day], now,
                 lambda state: ["close"] if state in (OPEN, FULL, TOO_SOON) else [], reasons=True)[0]


def _service(session: Session, actor: Actor, service_id: object) -> ServiceItem:
    with refusing(session, actor, BOOKING):
        item = in_estate(session, actor, ServiceItem, positive_id(service_id))
        if not bookable(item):
            raise InvalidInput("error.service_unavailable")
    return item


def _days(session: Session, actor: Actor, item: ServiceItem, dates: list[date], now: datetime,
          actions: Callable[[str], list[str]], reasons: bool = False) -> list[SlotDay]:
    """The service's slots on consecutive local `dates`, each with the `actions` its state allows (and, with
    `reasons`, why the office closed it)."""
    timezone = session.get(Estate, actor.estate_id).timezone
    zone = ZoneInfo(timezone)
    duties = _on_duty(session, item, [dates[0] - timedelta(days=1), *dates], timezone)
    first = datetime.combine(dates[0], time(0), tzinfo=zone).astimezone(UTC)
    last = first + timedelta(days=len(dates) + 1)
    held = _held(session, actor.estate_id, {d[0] for d in duties}, first, last)
    closed = _closed(session, item, first, last)
    out = []
    for day in dates:
        rows = []
        for start in starts_on(item, day, timezone):
            free = len(free_staff(session, item, start, timezone, duties, held))
            state = state_of(item, start, free, start in closed, now)
            local = start.astimezone(zone)
            ends = local + timedelta(minutes=item.duration_minutes)
            rows.append(SlotRow(start.isoformat(), day.isoformat(), f"{local:%H:%M}–{ends:%H:%M}", free, state,
                                closed.get(start, "") if reasons else "", actions(state)))
        out.append(SlotDay(day.isoformat(), day.weekday(), rows))
    return out


def slot_start(item: ServiceItem, raw: object, timezone: str) -> datetime:
    """A slot start sent by a client: an instant on the service's grid, or a refusal."""
    start = aware(raw)
    day = start.astimezone(ZoneInfo(timezone)).date()
    if start not in starts_on(item, day, timezone):
        raise InvalidInput("error.slot_invalid")
    return start


def lock_estate(session: Session, estate_id: int) -> None:
    """Take the estate's booking lock until commit: a no-op UPDATE takes SQLite's write lock (so the counts read
    next are the latest) and PostgreSQL's row lock (FOR NO KEY UPDATE: foreign-key checks elsewhere go on)."""
    session.exec(update(Estate).where(col(Estate.id) == estate_id).values(name=Estate.name))


def close_slot(session: Session, actor: Actor | None, service_id: object, starts_at: object, reason: object,
               now: datetime | None = None) -> SlotClosure:
    """The office cancels a slot (no new bookings; those already made stay, for the office to call)."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, BOOKING):
        item = in_estate(session, actor, ServiceItem, positive_id(service_id))
        start = slot_start(item, starts_at, session.get(Estate, actor.estate_id).timezone)
        why = text(reason, "error.reason_required", 200)
        if start <= now:
            raise InvalidInput("error.slot_past")
        if session.exec(select(SlotClosure.id).where(SlotClosure.service_id == item.id,
                                                     SlotClosure.starts_at == start)).first():
            raise InvalidInput("error.slot_cancelled")
    closure = SlotClosure(estate_id=actor.estate_id, service_id=item.id, starts_at=start, reason=why,
                          closed_by_id=actor.id)
    session.add(closure)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "slot_closed", "serviceitem", item.id,
                 starts_at=start.isoformat(), reason=why)
    return closure


def reopen_slot(session: Session, actor: Actor | None, closure_id: object, now: datetime | None = None) -> None:
    """The office opens a slot it closed, while it is still to come: bookable again, up to its capacity."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, BOOKING):
        closure = in_estate(session, actor, SlotClosure, positive_id(closure_id))
        if aware(closure.starts_at) <= now:
            raise InvalidInput("error.slot_past")
    audit.record(session, actor.estate_id, session.get(User, actor.id), "slot_reopened", "serviceitem",
                 closure.service_id, starts_at=aware(closure.starts_at).isoformat(), reason=closure.reason)
    session.delete(closure)
    session.flush()


def is_closed(session: Session, item: ServiceItem, start: datetime) -> bool:
    """Whether the office cancelled this slot."""
    return session.exec(select(SlotClosure.id).where(SlotClosure.service_id == item.id,
                                                     SlotClosure.starts_at == start)).first() is not None


@dataclass
class ClosureRow:
    """A slot the office closed, as its list shows it (`id`: what reopening it names)."""

    id: int = 0
    service_zh: str = ""
    service_en: str = ""
    when: str = ""
    reason: str = ""
    closed_by: str = ""


def closed_slots(session: Session, actor: Actor | None, now: datetime | None = None,
                 limit: int = CLOSURES_SHOWN) -> list[ClosureRow]:
    """The office's closures of slots still to come, soonest first."""
    actor = require(session, actor, BOOKING, Role.MANAGER)
    now = now or utcnow()
    zone = ZoneInfo(session.get(Estate, actor.estate_id).timezone)
    found = session.exec(
        select(SlotClosure, ServiceItem, User.name)
        .join(ServiceItem, col(ServiceItem.id) == SlotClosure.service_id)
        .join(User, col(User.id) == SlotClosure.closed_by_id)
        .where(SlotClosure.estate_id == actor.estate_id, col(SlotClosure.starts_at) >= now)
        .order_by(col(SlotClosure.starts_at), col(SlotClosure.id)).limit(limit))
    rows = []
    for closure, item, name in found:
        local = aware(closure.starts_at).astimezone(zone)
        ends = local + timedelta(minutes=item.duration_minutes)
        rows.append(ClosureRow(closure.id, item.name_zh, item.name_en, f"{local:%m-%d %H:%M}–{ends:%H:%M}",
                               closure.reason, name))
    return rows

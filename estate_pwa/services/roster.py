"""The duty roster: who is on duty now, and each person's upcoming shifts.

Screens get rows: times already in the estate's timezone ("08:00"), roles and weekdays as translation keys, and
the actions the viewer may take with each row."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import DutyAssignment, Estate, Role, Shift, User, UserRole
from estate_pwa.services import accounts, audit
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import Actor, in_estate, require, user_of
from estate_pwa.services.validation import choice, positive_id

REMOVE = "remove"
HOURS = "%H:%M"


@dataclass(frozen=True)
class Duty:
    """One assignment resolved to real start and end instants (UTC)."""

    assignment_id: int
    user_id: int
    user_name: str
    role: Role
    shift_name: str
    starts_at: datetime
    ends_at: datetime


def shift_bounds(shift: Shift, day: date, timezone: str) -> tuple[datetime, datetime]:
    """Start and end (UTC) of `shift` beginning on local `day`; a shift ending at or before its start ends the next day."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, shift.starts, tzinfo=zone)
    end_day = day if shift.ends > shift.starts else day + timedelta(days=1)
    end = datetime.combine(end_day, shift.ends, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def covers(shift, day: date, timezone: str, now: datetime) -> bool:
    """Whether `shift` (anything with `starts` and `ends`) beginning on local `day` covers `now`."""
    starts, ends = shift_bounds(shift, day, timezone)
    return starts <= now < ends


def covering_days(now: datetime) -> list[date]:
    """Every day whose assignments may cover `now`, whatever the estate's timezone: the local date is at most a
    day either side of the UTC date, and a shift lasts less than a day, so it began that day or the one before."""
    today = now.astimezone(UTC).date()
    return [today + timedelta(days=offset) for offset in (-2, -1, 0, 1)]


def _duties(session: Session, estate_id: int, days: list[date], role: Role | None = None,
            user_id: int | None = None) -> list[Duty]:
    estate = session.get(Estate, estate_id)
    query = (
        select(DutyAssignment, Shift, User)
        .join(Shift, col(Shift.id) == DutyAssignment.shift_id)
        .join(User, col(User.id) == DutyAssignment.user_id)
        .where(DutyAssignment.estate_id == estate_id, col(DutyAssignment.day).in_(days), User.is_active)
    )
    if role is not None:
        query = query.where(DutyAssignment.role == role)
    if user_id is not None:
        query = query.where(DutyAssignment.user_id == user_id)
    duties = []
    for assignment, shift, user in session.exec(query):
        starts, ends = shift_bounds(shift, assignment.day, estate.timezone)
        duties.append(Duty(assignment.id, user.id, user.name, Role(assignment.role), shift.name, starts, ends))
    return sorted(duties, key=lambda d: (d.starts_at, d.user_name))


def local_today(session: Session, estate_id: int, now: datetime) -> date:
    """The estate's local calendar date at `now`."""
    return now.astimezone(ZoneInfo(session.get(Estate, estate_id).timezone)).date()


def on_duty(session: Session, estate_id: int, role: Role | None = None, now: datetime | None = None,
            user_id: int | None = None) -> list[Duty]:
    """Everyone (or just `user_id`) whose shift covers `now` (a night shift that began yesterday counts)."""
    now = now or utcnow()
    estate = session.get(Estate, estate_id)  # held, so the lookups below find it in the session
    today = now.astimezone(ZoneInfo(estate.timezone)).date()
    days = [today - timedelta(days=1), today]
    return [d for d in _duties(session, estate_id, days, role, user_id) if d.starts_at <= now < d.ends_at]


def is_on_duty(session: Session, actor: Actor, role: Role, now: datetime | None = None) -> bool:
    """Whether the actor is on duty in `role` right now."""
    return bool(on_duty(session, actor.estate_id, role, now, user_id=actor.id))


def upcoming_for(session: Session, actor: Actor, now: datetime | None = None, days: int = 7) -> list[Duty]:
    """The actor's own shifts that have not ended yet, over the next `days` days."""
    now = now or utcnow()
    today = local_today(session, actor.estate_id, now)
    window = [today + timedelta(days=i) for i in range(-1, days)]
    return [d for d in _duties(session, actor.estate_id, window, user_id=actor.id) if d.ends_at > now]


def day_roster(session: Session, actor: Actor | None, day: date) -> list[Duty]:
    """A manager's view of every assignment starting on local `day`."""
    actor = require(actor, Role.MANAGER)
    return _duties(session, actor.estate_id, [day])


def shifts(session: Session, estate_id: int) -> list[Shift]:
    """The estate's shifts, by start time."""
    return list(session.exec(select(Shift).where(Shift.estate_id == estate_id).order_by(Shift.starts)))


def assign(session: Session, actor: Actor | None, user_id: object, shift_id: object, day: date,
           role: object) -> DutyAssignment:
    """A manager puts a staff member holding `role` on a shift for a day (idempotent)."""
    actor = require(actor, Role.MANAGER)
    user = in_estate(session, actor, User, positive_id(user_id))
    shift = in_estate(session, actor, Shift, positive_id(shift_id))
    role = Role(choice(role, Role, "error.bad_request"))
    held = session.exec(select(UserRole).where(UserRole.user_id == user.id, UserRole.role == role)).first()
    if held is None or role == Role.RESIDENT or not user.is_active:
        raise InvalidInput("error.role_not_held")
    existing = session.exec(select(DutyAssignment).where(
        DutyAssignment.user_id == user.id, DutyAssignment.shift_id == shift.id,
        DutyAssignment.day == day, DutyAssignment.role == role,
    )).first()
    if existing is not None:
        return existing
    assignment = DutyAssignment(estate_id=actor.estate_id, user_id=user.id, shift_id=shift.id, role=role, day=day)
    session.add(assignment)
    session.flush()
    audit.record(session, actor.estate_id, user_of(session, actor), "duty_assigned", "user", user.id,
                 shift=shift.name, day=day.isoformat(), role=role.value)
    return assignment


def unassign(session: Session, actor: Actor | None, assignment_id: object) -> None:
    """A manager removes one assignment."""
    actor = require(actor, Role.MANAGER)
    assignment = in_estate(session, actor, DutyAssignment, positive_id(assignment_id))
    session.delete(assignment)
    audit.record(session, actor.estate_id, user_of(session, actor), "duty_removed", "user",
                 assignment.user_id, day=assignment.day.isoformat(), role=assignment.role)


# Rows for the screens


@dataclass(frozen=True)
class DutyRow:
    """One assignment on the manager's roster of a day: `role` is a translation key ("role.guard")."""

    id: int
    name: str
    role: str
    shift: str
    starts: str
    ends: str
    actions: list[str]


@dataclass(frozen=True)
class OnDutyRow:
    """Someone on duty now, as the manager's overview lists them."""

    name: str
    role: str
    shift: str
    until: str


@dataclass(frozen=True)
class ShiftRow:
    """One of a staff member's coming shifts: `day` as "11-25", `weekday` a translation key ("weekday.2")."""

    day: str
    weekday: str
    shift: str
    starts: str
    ends: str


@dataclass(frozen=True)
class DutyStatus:
    """A staff home's duty card: on duty now in that role (with the shift and its end), and the next shifts."""

    on_duty: bool
    shift: str
    until: str
    shifts: list[ShiftRow]


@dataclass(frozen=True)
class Option:
    """One entry of a form's list (a person, a shift)."""

    id: int
    name: str


@dataclass(frozen=True)
class RosterChoices:
    """Whom and which shifts the manager may put on the roster: active staff, the estate's shifts."""

    people: list[Option]
    shifts: list[Option]


def _timezone(session: Session, estate_id: int) -> str:
    return session.get(Estate, estate_id).timezone


def duty_actions(actor: Actor, estate_id: int) -> list[str]:
    """What `actor` may do with an assignment of `estate_id` (the checks of unassign)."""
    return [REMOVE] if actor.has(Role.MANAGER) and estate_id == actor.estate_id else []


def day_rows(session: Session, actor: Actor | None, day: date) -> list[DutyRow]:
    """The manager's roster of local `day` (day_roster) as rows."""
    actor = require(actor, Role.MANAGER)
    timezone = _timezone(session, actor.estate_id)
    return [
        DutyRow(id=d.assignment_id, name=d.user_name, role=f"role.{d.role.value}", shift=d.shift_name,
                starts=format_local(d.starts_at, timezone, HOURS), ends=format_local(d.ends_at, timezone, HOURS),
                actions=duty_actions(actor, actor.estate_id))
        for d in day_roster(session, actor, day)
    ]


def on_duty_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[OnDutyRow]:
    """Everyone on duty now in the manager's estate."""
    actor = require(actor, Role.MANAGER)
    timezone = _timezone(session, actor.estate_id)
    return [OnDutyRow(name=d.user_name, role=f"role.{d.role.value}", shift=d.shift_name,
                      until=format_local(d.ends_at, timezone, HOURS))
            for d in on_duty(session, actor.estate_id, None, now)]


def duty_status(session: Session, actor: Actor | None, role: Role, now: datetime | None = None,
                limit: int = 7) -> DutyStatus:
    """A staff member's duty card in `role`: on duty now or not, and their next `limit` shifts in that role."""
    actor = require(actor, role)
    now = now or utcnow()
    timezone = _timezone(session, actor.estate_id)
    current = on_duty(session, actor.estate_id, role, now, user_id=actor.id)
    upcoming = [d for d in upcoming_for(session, actor, now) if d.role == role][:limit]
    rows = []
    for d in upcoming:
        day = d.starts_at.astimezone(ZoneInfo(timezone)).date()
        rows.append(ShiftRow(day=f"{day:%m-%d}", weekday=f"weekday.{day.weekday()}", shift=d.shift_name,
                             starts=format_local(d.starts_at, timezone, HOURS),
                             ends=format_local(d.ends_at, timezone, HOURS)))
    return DutyStatus(on_duty=bool(current), shift=current[0].shift_name if current else "",
                      until=format_local(current[0].ends_at, timezone, HOURS) if current else "", shifts=rows)


def choices(session: Session, actor: Actor | None) -> RosterChoices:
    """The roster form's lists: active staff by name, shifts by start time."""
    actor = require(actor, Role.MANAGER)
    people = [Option(user.id, user.name) for user, _ in accounts.staff_of_estate(session, actor) if user.is_active]
    return RosterChoices(
        people=people,
        shifts=[Option(s.id, f"{s.name} {s.starts:%H:%M}–{s.ends:%H:%M}") for s in shifts(session, actor.estate_id)],
    )

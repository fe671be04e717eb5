"""The duty roster: who is on duty now, and each person's upcoming shifts."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import DutyAssignment, Estate, Role, Shift, User, UserRole
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import positive_id


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
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput("error.bad_request") from None
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
    audit.record(session, actor.estate_id, session.get(User, actor.id), "duty_assigned", "user", user.id,
                 shift=shift.name, day=day.isoformat(), role=role.value)
    return assignment


def unassign(session: Session, actor: Actor | None, assignment_id: object) -> None:
    """A manager removes one assignment."""
    actor = require(actor, Role.MANAGER)
    assignment = in_estate(session, actor, DutyAssignment, positive_id(assignment_id))
    session.delete(assignment)
    audit.record(session, actor.estate_id, session.get(User, actor.id), "duty_removed", "user",
                 assignment.user_id, day=assignment.day.isoformat(), role=assignment.role)

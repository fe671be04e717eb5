"""24-hour cover of the plumbing-and-electrical team (水电维修班 24 小时值班).

The smallest model that tells the truth: a shift may be an on-call shift (`Shift.on_call`, e.g. 值班 20:00–08:00).
A technician on an ordinary shift is on site; one on an on-call shift answers the phone from home. Both count for
cover: every instant of the next 14 days should have at least one technician on site or on call, and
`cover_gaps` lists the spans that have none (shown to managers on the roster before they happen).

Auto-dispatch (services.jobs.dispatch) gives new repairs to on-site technicians only; an emergency arriving when
no technician is on site goes to the one on call now, and is flagged in its history when nobody is.

Managers add on-call shifts (`add_on_call_shift`), remove one nobody was ever put on (`remove_on_call_shift`: a
shift added by mistake; one with duties stays, so the roster's history keeps its shift) and put a technician on
one for a run of days (`put_on_call`, each day through the roster's `assign`), on the roster screen under the
cover card.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import DutyAssignment, Estate, Role, Shift, User
from estate_pwa.services import accounts, audit, roster
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import Actor, in_estate, require, user_of
from estate_pwa.services.refusals import Refusal, refuse, refusing
from estate_pwa.services.refusals import require as require_audited
from estate_pwa.services.roster import Option, shift_bounds
from estate_pwa.services.validation import positive_id, text, whole

COVER_DAYS = 14
HOURS = "%H:%M"
DAY = "%m-%d"
ON_CALL = Refusal("oncall_refused", "shift")
"""How refused on-call changes are written to the audit log."""
RUN_MAX = 31
"""At most this many days are put on call at once."""
AHEAD_MAX = 366
"""On-call days start at most this many days after the estate's today."""
SHIFT_NAME_MAX = 20


@dataclass(frozen=True)
class Cover:
    """One technician covering [starts_at, ends_at) (UTC), on site or on call."""

    user_id: int
    name: str
    on_call: bool
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Gap:
    """A span [starts_at, ends_at) (UTC) with no technician on site or on call."""

    starts_at: datetime
    ends_at: datetime


def covers(session: Session, estate_id: int, start: datetime, end: datetime) -> list[Cover]:
    """Every technician duty (on site or on call) overlapping [start, end), by start. A shift belongs to the local
    day it begins on and lasts less than a day, so the days from the one before `start` to `end`'s are read."""
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    rows = session.exec(
        select(DutyAssignment, Shift, User)
        .join(Shift, col(Shift.id) == DutyAssignment.shift_id)
        .join(User, col(User.id) == DutyAssignment.user_id)
        .where(DutyAssignment.estate_id == estate_id, DutyAssignment.role == Role.TECHNICIAN, User.is_active,
               col(DutyAssignment.day) >= first, col(DutyAssignment.day) <= last))
    found = []
    for assignment, shift, user in rows:
        starts, ends = shift_bounds(shift, assignment.day, zone.key)
        if starts < end and ends > start:
            found.append(Cover(user.id, user.name, shift.on_call, starts, ends))
    return sorted(found, key=lambda c: (c.starts_at, c.ends_at, c.user_id))


def cover_gaps(session: Session, estate_id: int, now: datetime, days: int = COVER_DAYS) -> list[Gap]:
    """The spans from `now` to the end of the `days`-th local day (today counting as the first) with no
    technician on site or on call, in order."""
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    last = now.astimezone(zone).date() + timedelta(days=days)
    end = datetime.combine(last, datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))
    gaps, reached = [], now
    for cover in covers(session, estate_id, now, end):
        if cover.starts_at > reached:
            gaps.append(Gap(reached, cover.starts_at))
        reached = max(reached, cover.ends_at)
    if reached < end:
        gaps.append(Gap(reached, end))
    return gaps


def _now(session: Session, estate_id: int, now: datetime, on_call: bool) -> list[int]:
    instant_end = now + timedelta(microseconds=1)
    return sorted({c.user_id for c in covers(session, estate_id, now, instant_end)
                   if c.on_call == on_call and c.starts_at <= now < c.ends_at})


def on_site(session: Session, estate_id: int, now: datetime) -> list[int]:
    """The technicians on an ordinary (on-site) shift at `now`."""
    return _now(session, estate_id, now, on_call=False)


def on_call(session: Session, estate_id: int, now: datetime) -> list[int]:
    """The technicians on an on-call shift at `now`."""
    return _now(session, estate_id, now, on_call=True)


# What the manager's roster shows


@dataclass(frozen=True)
class GapRow:
    """A gap as the roster shows it: local day and times ("12-09 20:00", "12-10 08:00")."""

    starts: str
    ends: str


@dataclass(frozen=True)
class CoverCard:
    """The roster's cover card: who covers now (name and until when, marked on call), and the gaps ahead."""

    now_names: list[str]
    on_call_now: list[str]
    gaps: list[GapRow]
    days: int


def cover_card(session: Session, actor: Actor | None, now: datetime | None = None) -> CoverCard:
    """A manager's view of the technicians' 24-hour cover: who is on site and on call now, and every gap in the
    next 14 days."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    timezone = session.get(Estate, actor.estate_id).timezone
    current = [c for c in covers(session, actor.estate_id, now, now + timedelta(microseconds=1))
               if c.starts_at <= now < c.ends_at]
    pattern = f"{DAY} {HOURS}"
    return CoverCard(
        now_names=[f"{c.name} {format_local(c.ends_at, timezone, HOURS)}" for c in current if not c.on_call],
        on_call_now=[f"{c.name} {format_local(c.ends_at, timezone, HOURS)}" for c in current if c.on_call],
        gaps=[GapRow(format_local(g.starts_at, timezone, pattern), format_local(g.ends_at, timezone, pattern))
              for g in cover_gaps(session, actor.estate_id, now)],
        days=COVER_DAYS,
    )


# What managers change


@dataclass(frozen=True)
class OnCallChoices:
    """What the on-call form offers: the estate's active technicians and its on-call shifts."""

    technicians: list[Option]
    shifts: list[Option]


def on_call_choices(session: Session, actor: Actor | None) -> OnCallChoices:
    """The on-call form's lists, for a manager: active technicians by name, on-call shifts by start time."""
    actor = require(actor, Role.MANAGER)
    return OnCallChoices(
        technicians=[Option(user.id, user.name) for user, roles in accounts.staff_of_estate(session, actor)
                     if user.is_active and Role.TECHNICIAN in roles],
        shifts=[Option(s.id, f"{s.name} {s.starts:%H:%M}–{s.ends:%H:%M}")
                for s in roster.shifts(session, actor.estate_id) if s.on_call],
    )


def _clock(raw: object) -> time:
    """A time of day as a `time` input sends it ("20:00")."""
    if not isinstance(raw, str) or len(raw) != 5 or raw[2] != ":":
        raise InvalidInput("error.oncall_time")
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.oncall_time") from None


def add_on_call_shift(session: Session, actor: Actor | None, name: object, starts: object, ends: object) -> Shift:
    """A manager adds an on-call shift (值班, e.g. 20:00–08:00): its name unique in the estate, its times
    different (it lasts less than a day; one ending at or before it starts ends the next day). Audited."""
    actor = require_audited(session, actor, ON_CALL, Role.MANAGER)
    with refusing(session, actor, ON_CALL):
        name = text(name, "error.oncall_shift_name", SHIFT_NAME_MAX)
        starts, ends = _clock(starts), _clock(ends)
        if starts == ends:
            raise InvalidInput("error.oncall_time")
        if session.exec(select(Shift.id).where(Shift.estate_id == actor.estate_id, Shift.name == name)).first():
            raise InvalidInput("error.oncall_shift_taken")
    shift = Shift(estate_id=actor.estate_id, name=name, starts=starts, ends=ends, on_call=True)
    session.add(shift)
    try:
        session.flush()
    except IntegrityError:  # the same name added at the same moment by another manager
        refuse(session, actor, ON_CALL, InvalidInput("error.oncall_shift_taken"))
    audit.record(session, actor.estate_id, user_of(session, actor), "oncall_shift_added", "shift", shift.id,
                 name=name, starts=f"{starts:%H:%M}", ends=f"{ends:%H:%M}")
    return shift


def remove_on_call_shift(session: Session, actor: Actor | None, shift_id: object) -> None:
    """A manager removes an on-call shift of their estate that nobody was ever put on (a shift added by mistake);
    one with duties, past or planned, is refused: the roster's history keeps its shift. Audited."""
    actor = require_audited(session, actor, ON_CALL, Role.MANAGER)
    with refusing(session, actor, ON_CALL):
        shift = in_estate(session, actor, Shift, positive_id(shift_id))
        if not shift.on_call:
            raise InvalidInput("error.oncall_shift_not_on_call")
        if session.exec(select(DutyAssignment.id).where(DutyAssignment.shift_id == shift.id)).first():
            raise InvalidInput("error.oncall_shift_in_use")
    audit.record(session, actor.estate_id, user_of(session, actor), "oncall_shift_removed", "shift", shift.id,
                 name=shift.name, starts=f"{shift.starts:%H:%M}", ends=f"{shift.ends:%H:%M}")
    session.delete(shift)
    session.flush()


def _first_day(raw: object, today: date) -> date:
    """The first day of a run, as a `date` input sends it ("2026-03-10"): from the estate's today (the server's
    clock) to a year ahead."""
    if not isinstance(raw, str) or len(raw) != 10:
        raise InvalidInput("error.oncall_day")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("error.oncall_day") from None
    if not today <= day <= today + timedelta(days=AHEAD_MAX):
        raise InvalidInput("error.oncall_day")
    return day


def put_on_call(session: Session, actor: Actor | None, user_id: object, shift_id: object, first_day: object,
                days: object, now: datetime | None = None) -> list[DutyAssignment]:
    """A manager puts a technician on an on-call shift for `days` days (1–31) from local `first_day` (today or
    later), each day through the roster's `assign` (idempotent; each day audited). All days or none."""
    actor = require_audited(session, actor, ON_CALL, Role.MANAGER)
    today = roster.local_today(session, actor.estate_id, now or utcnow())
    with refusing(session, actor, ON_CALL):
        shift = in_estate(session, actor, Shift, positive_id(shift_id))
        if not shift.on_call:
            raise InvalidInput("error.oncall_shift_not_on_call")
        first = _first_day(first_day, today)
        count = whole(days, (1, RUN_MAX), "error.oncall_days")
        return [roster.assign(session, actor, user_id, shift.id, first + timedelta(days=n), Role.TECHNICIAN.value)
                for n in range(count)]

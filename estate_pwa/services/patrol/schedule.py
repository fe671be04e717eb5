"""The schedule: a route's daily windows, rounds made ahead of time and given to the guard on duty, a round's start,
and closing overdue rounds (the patrol clock runs `keep_rounds_current` every minute in every worker).

* A round is a window of one route: window_start, window_end (+ expected duration), grace_end (+ grace).
  The guard may start it from 10 minutes before window_start until grace_end.
* After grace_end a round still scheduled is missed, one still in progress is incomplete (a round finishes itself
  when its last stop is counted: see scanning.py).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Estate, PatrolRound, PatrolRoute, Role, RoundStatus, User
from estate_pwa.services import audit, roster
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from estate_pwa.services.patrol.common import (
    LOOK_AHEAD, LOOK_BACK, MAX_GENERATE_SPAN, OPEN, ROUND_START_REFUSED, START_EARLY, START_REFUSED, day_bounds,
    finished_status, last_counted_time, progress,
)
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.validation import aware, positive_id


def schedule_windows(route: PatrolRoute, day_local: date, timezone: str) -> list[tuple[datetime, datetime]]:
    """The (start, end) UTC windows of `route` whose schedule begins on local `day_local`.

    Windows start at the route's start time and then every `every_minutes` of real time while the start is
    before the schedule's end; an end at or before the start is on the next day (20:00→06:00 every 2 hours:
    20, 22, 00, 02, 04). Each window lasts `expected_minutes`.
    """
    zone = ZoneInfo(timezone)
    first = datetime.combine(day_local, route.starts, tzinfo=zone).astimezone(UTC)
    end_day = day_local if route.ends > route.starts else day_local + timedelta(days=1)
    last = datetime.combine(end_day, route.ends, tzinfo=zone).astimezone(UTC)
    step, length = timedelta(minutes=route.every_minutes), timedelta(minutes=route.expected_minutes)
    if step <= timedelta(0):
        raise ValueError("every_minutes must be positive")
    windows, moment = [], first
    while moment < last:
        windows.append((moment, moment + length))
        moment += step
    return windows


def _pick_guard(session: Session, estate_id: int, zone: ZoneInfo, at: datetime) -> int | None:
    """The guard on duty at `at` with the fewest rounds on that local day (then the lowest id); None if nobody."""
    on_duty = sorted({d.user_id for d in roster.on_duty(session, estate_id, Role.GUARD, at)})
    if not on_duty:
        return None
    day_start, day_end = day_bounds(at.astimezone(zone).date(), zone)
    counts = dict(session.exec(
        select(PatrolRound.guard_id, func.count()).where(
            PatrolRound.estate_id == estate_id, col(PatrolRound.guard_id).in_(on_duty),
            PatrolRound.window_start >= day_start, PatrolRound.window_start < day_end)
        .group_by(PatrolRound.guard_id)).all())
    return min(on_duty, key=lambda uid: (counts.get(uid, 0), uid))


def generate_rounds(session: Session, estate_id: int, from_utc: object, to_utc: object,
                    now: datetime | None = None) -> list[PatrolRound]:
    """Create the rounds of every active route whose window starts in [from_utc, to_utc), ahead of time.

    Idempotent: existing rounds are kept; one not started whose guard is no longer on duty at its start (a
    changed roster), or that has no guard, goes to a guard on duty then (or none). A window whose
    grace has already ended by `now` is not created. Each new round goes to the guard on duty at its start with
    the fewest rounds that day; if a concurrent run created some rounds first, the run is repeated once.
    """
    now = now or utcnow()
    start, end = aware(from_utc), aware(to_utc)
    if not start < end <= start + MAX_GENERATE_SPAN:
        raise InvalidInput("error.bad_time")
    if session.get(Estate, estate_id) is None:
        raise NotFound("error.not_found")
    try:
        return _generate(session, estate_id, start, end, now)
    except IntegrityError:
        session.rollback()
        return _generate(session, estate_id, start, end, now)


def _generate(session: Session, estate_id: int, start: datetime, end: datetime, now: datetime) -> list[PatrolRound]:
    estate = session.get(Estate, estate_id)
    zone = ZoneInfo(estate.timezone)
    active = session.exec(select(PatrolRoute).where(PatrolRoute.estate_id == estate_id, PatrolRoute.active)
                          .order_by(PatrolRoute.id)).all()
    existing = {(r.route_id, r.window_start): r for r in session.exec(select(PatrolRound).where(
        PatrolRound.estate_id == estate_id, PatrolRound.window_start >= start, PatrolRound.window_start < end))}
    first_day = start.astimezone(zone).date() - timedelta(days=1)
    days = (end.astimezone(zone).date() - first_day).days + 1
    windows = sorted((
        (window_start, window_end, route)
        for route in active
        for day in (first_day + timedelta(days=i) for i in range(days))
        for window_start, window_end in schedule_windows(route, day, estate.timezone)
        if start <= window_start < end
        and window_end + timedelta(minutes=route.grace_minutes) > now
    ), key=lambda w: (w[0], w[2].id))
    duty_by_start: dict[datetime, set[int]] = {}

    def on_duty_at(at: datetime) -> set[int]:
        if at not in duty_by_start:
            duty_by_start[at] = {d.user_id for d in roster.on_duty(session, estate_id, Role.GUARD, at)}
        return duty_by_start[at]

    created = []
    for window_start, window_end, route in windows:
        current = existing.get((route.id, window_start))
        if current is not None:
            if current.status == RoundStatus.SCHEDULED and current.started_at is None and not (
                    current.guard_id is not None and current.guard_id in on_duty_at(window_start)):
                current.guard_id = _pick_guard(session, estate_id, zone, window_start)
                session.add(current)
                session.flush()
            continue
        patrol_round = PatrolRound(
            estate_id=estate_id, route_id=route.id, guard_id=_pick_guard(session, estate_id, zone, window_start),
            window_start=window_start, window_end=window_end,
            grace_end=window_end + timedelta(minutes=route.grace_minutes))
        session.add(patrol_round)
        session.flush()
        existing[(route.id, window_start)] = patrol_round
        created.append(patrol_round)
    return created


def keep_rounds_current(session: Session, estate_id: int, now: datetime | None = None) -> None:
    """Create the rounds of the coming hours and close the overdue ones (idempotent; the patrol clock runs it
    every minute in every worker, and creating a route runs it at once)."""
    now = now or utcnow()
    generate_rounds(session, estate_id, now - LOOK_BACK, now + LOOK_AHEAD, now)
    close_overdue(session, estate_id, now)



# Rounds

def _lock_round(session: Session, round_id: int) -> PatrolRound:
    """Re-read a round under a row lock (PostgreSQL), so concurrent starts and scans see each other."""
    return session.exec(select(PatrolRound).where(PatrolRound.id == round_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def can_start(row, now: datetime) -> bool:
    """Whether a scheduled round (a PatrolRound or a RoundRow) may be started now: from START_EARLY before its
    window to its grace end."""
    return row.status == RoundStatus.SCHEDULED and row.window_start - START_EARLY <= now <= row.grace_end


def start_refusal(patrol_round, guard_id: int, now: datetime, on_duty: Callable[[], bool]) -> DomainError | None:
    """Why `guard_id` may not start the round now (None: they may). The one rule for starting a round: used by
    `start_round`, and by the screens to offer the start button. `on_duty` is asked only for an unassigned round."""
    if patrol_round.guard_id is not None and patrol_round.guard_id != guard_id:
        return NotAllowed("error.not_your_round")
    if patrol_round.status == RoundStatus.IN_PROGRESS and now <= patrol_round.grace_end:
        return InvalidInput("error.round_already_started")
    if patrol_round.status != RoundStatus.SCHEDULED or now > patrol_round.grace_end:
        return InvalidInput("error.round_closed")
    if now < patrol_round.window_start - START_EARLY:
        return InvalidInput("error.round_too_early")
    if patrol_round.guard_id is None and not on_duty():
        return NotAllowed("error.not_on_duty")
    return None


def start_round(session: Session, actor: Actor | None, round_id: object, now: datetime | None = None) -> PatrolRound:
    """The assigned guard starts a scheduled round (an unassigned one: any guard on duty, who then owns it),
    from 10 minutes before its window until its grace ends."""
    now = now or utcnow()
    actor = require(session, actor, START_REFUSED, Role.GUARD)
    with refusing(session, actor, START_REFUSED):
        patrol_round = _lock_round(session, in_estate(session, actor, PatrolRound, positive_id(round_id)).id)
    with refusing(session, actor, ROUND_START_REFUSED, patrol_round.id):
        error = start_refusal(patrol_round, actor.id, now,
                              lambda: roster.is_on_duty(session, actor, Role.GUARD, now))
        if error is not None:
            raise error
    patrol_round.guard_id = actor.id
    patrol_round.status = RoundStatus.IN_PROGRESS
    patrol_round.started_at = now
    session.add(patrol_round)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "patrol_round_started", "patrol_round",
                 patrol_round.id)
    return patrol_round


def close_overdue(session: Session, estate_id: int, now: datetime | None = None) -> list[PatrolRound]:
    """Close every round whose grace has ended: never started -> missed; started with stops missing ->
    incomplete. Finished rounds keep on_time/late. Returns the rounds it closed."""
    now = now or utcnow()
    overdue = session.exec(select(PatrolRound).where(
        PatrolRound.estate_id == estate_id, col(PatrolRound.status).in_(OPEN), PatrolRound.grace_end < now)
        .order_by(PatrolRound.id).with_for_update().execution_options(populate_existing=True)).all()
    for patrol_round in overdue:
        if patrol_round.status == RoundStatus.SCHEDULED:
            patrol_round.status = RoundStatus.MISSED
        else:
            done, total = progress(session, patrol_round)
            last = last_counted_time(session, patrol_round.id)
            if done == total and last is not None and last <= patrol_round.grace_end:  # all stops, never closed
                patrol_round.finished_at = last
                patrol_round.status = finished_status(patrol_round, last)
            else:
                patrol_round.status = RoundStatus.INCOMPLETE
        session.add(patrol_round)
    if overdue:
        session.flush()
        audit.record(session, estate_id, None, "patrol_rounds_closed", "", None,
                     missed=sum(r.status == RoundStatus.MISSED for r in overdue),
                     incomplete=sum(r.status == RoundStatus.INCOMPLETE for r in overdue))
    return list(overdue)


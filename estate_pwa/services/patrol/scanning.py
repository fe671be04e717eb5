"""Scans: a guard on duty scans a checkpoint's code for their round in progress (also queued offline on the phone
and sent later), and is told the outcome and the round's progress.

* A scan counts only for the scanning guard's own round in progress that has the checkpoint as a stop.
  Every refusal is written to the audit log as "scan_refused" (in its own commit, within the log's per-minute
  limit of refusals per person) and leaves no counted scan.
* The phone gives every scan a unique `scan_uid`; the same scan sent again (an offline queue re-sending) gets
  the original answer and never a second row.
* A round finishes itself when its last stop is counted: on_time when that happens by window_end, late by
  grace_end.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from sqlalchemy import Float, Integer, and_, bindparam, cast, insert, literal_column, null, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    DutyAssignment, Estate, PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, Role, RoundStatus, RouteStop,
    ScanOutcome, Shift, User,
)
from estate_pwa.services import audit, roster
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed
from estate_pwa.services.patrol.checkpoints import check_code, signed_code
from estate_pwa.services.patrol.common import (
    CLIENT_AHEAD_NOTE, CLOCK_TOLERANCE, DUPLICATE_WINDOW, EARTH_RADIUS_M, FINISHED, MAX_WALK_SPEED, MIN_GAP,
    SCAN_AT_POINT_REFUSED, SCAN_REFUSED, START_EARLY, SYNCED_LATE_AFTER, counted_ids, finished_status, join_notes,
    refusal_key, stop_ids,
)
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, require
from estate_pwa.services.validation import aware

_SCAN_UID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_REFUSAL_TYPE = {"error.not_on_duty": NotAllowed, "error.not_allowed": NotAllowed}
KEPT_REFUSALS = ("error.scan_after_close", "error.not_on_duty", "error.round_closed", "error.round_not_started",
                 "error.not_on_round", "error.scan_before_round", "error.out_of_order")
"""The refusals a scan of a known checkpoint can get, kept as refused scan rows (and shown in a round's detail)."""
SCAN_REFUSALS = (*KEPT_REFUSALS, "error.qr_invalid", "error.qr_revoked", "error.bad_request", "error.bad_time",
                 "error.not_allowed", "error.login_required")
"""Every refusal a guard's phone may be told about a scan."""


def _scan_uid(raw: object) -> str:
    if not isinstance(raw, str) or not _SCAN_UID.fullmatch(raw):
        raise InvalidInput("error.bad_request")
    return raw



@dataclass(frozen=True)
class _Attempt:
    """What is known of a scan once its code has been verified: enough to keep a refused scan's row."""

    point_id: int
    scan_uid: str
    client_time: datetime
    server_time: datetime
    synced_late: bool
    detail: str



def _refuse_scan(session: Session, actor: Actor, error: DomainError, attempt: _Attempt | None = None,
                 round_id: int | None = None) -> "ScanResult":
    """Audit a refused scan ("scan_refused", through the refusals kit) and raise the error.

    Once the code was good, the refusal is first kept as a scan row with outcome "refused", so the same scan
    sent again gets the same answer. If a concurrent request stored this scan first, its answer is returned and
    nothing is audited.
    """
    session.rollback()
    if attempt is not None:
        session.add(PatrolScan(
            estate_id=actor.estate_id, round_id=round_id, point_id=attempt.point_id, guard_id=actor.id,
            scan_uid=attempt.scan_uid, client_time=attempt.client_time, server_time=attempt.server_time,
            synced_late=attempt.synced_late, outcome=ScanOutcome.REFUSED,
            detail=join_notes(error.key, attempt.detail)))
        try:
            session.commit()
        except IntegrityError:  # nothing but the scan row can conflict: a concurrent request stored this scan
            session.rollback()
            earlier = _existing_scan(session, actor.id, attempt.scan_uid)
            if earlier is None:
                raise
            return _answer(session, earlier, replayed=True)
        refuse(session, actor, SCAN_AT_POINT_REFUSED, error, attempt.point_id, round=round_id)
    refuse(session, actor, SCAN_REFUSED, error, round=round_id)



@dataclass(frozen=True)
class ScanResult:
    """What the guard's phone is told about one scan."""

    scan_id: int
    round_id: int | None
    point_id: int
    point_name: str
    done: int
    total: int
    outcome: str
    round_status: str | None
    synced_late: bool
    detail: str
    replayed: bool = field(default=False, compare=False)
    """True when this scan had been received before and the stored answer was returned."""

    @property
    def counted(self) -> bool:
        return self.outcome == ScanOutcome.COUNTED



def _existing_scan(session: Session, guard_id: int, scan_uid: str) -> PatrolScan | None:
    return session.exec(select(PatrolScan).where(PatrolScan.guard_id == guard_id, PatrolScan.scan_uid == scan_uid)
                        .execution_options(populate_existing=True)).first()


def _answer(session: Session, scan: PatrolScan, replayed: bool) -> ScanResult:
    """The answer to a stored scan, as it was when the scan arrived (progress counts scans up to this one)."""
    if scan.outcome == ScanOutcome.REFUSED:
        key = refusal_key(scan)
        raise _REFUSAL_TYPE.get(key, InvalidInput)(key)
    point = session.get(PatrolPoint, scan.point_id)
    patrol_round = session.get(PatrolRound, scan.round_id)
    stops = set(stop_ids(session, patrol_round.route_id))
    done = len(counted_ids(session, patrol_round.id, up_to_scan=scan.id) & stops)
    closed_it = (scan.outcome == ScanOutcome.COUNTED and done == len(stops) and patrol_round.status in FINISHED)
    return ScanResult(scan.id, patrol_round.id, point.id, point.name, done, len(stops), scan.outcome,
                      patrol_round.status if closed_it else RoundStatus.IN_PROGRESS, scan.synced_late, scan.detail,
                      replayed)


def distance_m(a, b) -> float | None:
    """Great-circle (haversine) distance in metres between two places with `latitude` and `longitude` (checkpoints,
    or rows naming one), or None when either has no coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    d_phi, d_lambda = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def walk_time(a, b) -> timedelta:
    """The least believable time to get from one checkpoint to another on foot."""
    metres = distance_m(a, b)
    return MIN_GAP if metres is None else timedelta(seconds=metres / MAX_WALK_SPEED)


# A scan is the busiest request of the night: it reads what it needs in two statements (its open round under lock
# with everything around it, then the facts it is judged by; the route's stops are kept) and writes one row. Both
# reads are built once.
_POINT, _SCAN = PatrolPoint.__table__, PatrolScan.__table__


def _open_rounds_query():
    """The guard's rounds in progress, within grace, that have the checkpoint as a stop, locked on PostgreSQL so
    concurrent scans of one round see each other. Each row also carries all else a scan needs but its facts: the
    checkpoint, the route's strict_order, the estate's timezone, the scan already stored under this uid (if any)
    and one of the guard's duties on the days that can cover now (one row per round and duty; none without a
    round open)."""
    earlier = select(_SCAN.c.id).where(_SCAN.c.guard_id == bindparam("guard"),
                                       _SCAN.c.scan_uid == bindparam("uid")).scalar_subquery()
    return (select(PatrolRound, PatrolPoint, PatrolRoute.strict_order, Estate.timezone, earlier.label("earlier_id"),
                   DutyAssignment.day, Shift.starts, Shift.ends)
            .join(RouteStop, col(RouteStop.route_id) == PatrolRound.route_id)
            .join(PatrolRoute, col(PatrolRoute.id) == PatrolRound.route_id)
            .join(PatrolPoint, col(PatrolPoint.id) == RouteStop.point_id)
            .join(Estate, col(Estate.id) == PatrolRound.estate_id)
            .outerjoin(DutyAssignment, and_(
                col(DutyAssignment.estate_id) == PatrolRound.estate_id,
                col(DutyAssignment.user_id) == PatrolRound.guard_id, DutyAssignment.role == Role.GUARD.value,
                col(DutyAssignment.day).in_(bindparam("days", expanding=True))))
            .outerjoin(Shift, col(Shift.id) == DutyAssignment.shift_id)
            .where(PatrolRound.estate_id == bindparam("estate"), RouteStop.point_id == bindparam("point"),
                   PatrolRound.guard_id == bindparam("guard"), PatrolRound.status == RoundStatus.IN_PROGRESS,
                   PatrolRound.grace_end >= bindparam("now"), PatrolRound.window_start <= bindparam("latest_start"),
                   PatrolRound.window_start >= bindparam("earliest_start"))
            .order_by(PatrolRound.window_start, PatrolRound.id)
            .with_for_update(of=PatrolRound).execution_options(populate_existing=True))


class _Fact(IntEnum):
    """What a row of the facts query is."""

    COUNTED = 1  # a checkpoint already counted in this round
    SAME = 2  # the guard's latest counted scan of this checkpoint (any round)
    BEFORE = 3  # the guard's counted scan nearest before this one in scan time (with its checkpoint's position)
    AFTER = 4  # … and nearest after


def _facts_query():
    """Everything `_judge` weighs, in one statement: a union of one select per `_Fact`."""
    no_time, no_degrees = cast(null(), _SCAN.c.client_time.type), cast(null(), Float)
    counted_by_guard = and_(_SCAN.c.guard_id == bindparam("guard"), _SCAN.c.outcome == ScanOutcome.COUNTED.value)

    def kind(fact: _Fact):
        return literal_column(str(int(fact)), Integer).label("kind")

    def nearest(fact: _Fact, condition, *order):
        nearest_scan = (select(kind(fact), _SCAN.c.point_id, _SCAN.c.client_time, _POINT.c.latitude,
                               _POINT.c.longitude)
                        .join_from(_SCAN, _POINT, _POINT.c.id == _SCAN.c.point_id)
                        .where(counted_by_guard, condition).order_by(*order).limit(1).subquery())
        return select(*nearest_scan.c)

    counted = select(kind(_Fact.COUNTED), _SCAN.c.point_id, no_time.label("client_time"),
                     no_degrees.label("latitude"), no_degrees.label("longitude")).where(
        _SCAN.c.round_id == bindparam("round"), _SCAN.c.outcome == ScanOutcome.COUNTED.value)
    by_time, by_time_back = (_SCAN.c.client_time, _SCAN.c.id), (_SCAN.c.client_time.desc(), _SCAN.c.id.desc())
    return union_all(
        counted,
        nearest(_Fact.SAME, _SCAN.c.point_id == bindparam("point"), *by_time_back),
        nearest(_Fact.BEFORE, _SCAN.c.client_time <= bindparam("when"), *by_time_back),
        nearest(_Fact.AFTER, _SCAN.c.client_time > bindparam("when"), *by_time))


_OPEN_ROUNDS, _FACTS = _open_rounds_query(), _facts_query()
_INSERT_SCAN = insert(_SCAN).returning(_SCAN.c.id)


@dataclass
class _Facts:
    """What a scan is judged by: the route's stops in order, the checkpoints counted in the round, and the guard's
    counted scans that matter for the duplicate and walking-speed rules."""

    stops: tuple[int, ...]
    counted: set[int]
    same: object | None
    neighbours: list


def _facts(session: Session, actor: Actor, patrol_round: PatrolRound, point_id: int, when: datetime) -> _Facts:
    rows = session.execute(_FACTS, {"round": patrol_round.id, "guard": actor.id, "point": point_id,
                                    "when": when}).all()
    of = {fact: [row for row in rows if row.kind == fact] for fact in _Fact}
    return _Facts(stop_ids(session, patrol_round.route_id), {row.point_id for row in of[_Fact.COUNTED]},
                  next(iter(of[_Fact.SAME]), None), of[_Fact.BEFORE] + of[_Fact.AFTER])


def _attempt(point: PatrolPoint, scan_uid: str, claimed: datetime, now: datetime) -> _Attempt:
    """The scan as it will be kept: a phone clock more than CLOCK_TOLERANCE ahead is not believed."""
    if claimed - now > CLOCK_TOLERANCE:
        return _Attempt(point.id, scan_uid, now, now, False, CLIENT_AHEAD_NOTE)
    return _Attempt(point.id, scan_uid, claimed, now, now - claimed > SYNCED_LATE_AFTER, "")


def _check_point(point: PatrolPoint | None, actor: Actor, estate_id: int, version: int) -> None:
    """Refuse a code that does not name one of the actor's estate's checkpoints as it is now."""
    check_code(point, estate_id, version)
    if point.estate_id != actor.estate_id:
        raise InvalidInput("error.qr_invalid")


def _closed_round_walked(session: Session, actor: Actor, point_id: int, made: datetime,
                         now: datetime) -> int | None:
    """The guard's round, closed by `now`, that a late scan of the checkpoint made at `made` (the phone's time)
    belongs to: started by then (or within CLOCK_TOLERANCE after) and not yet finished or past its grace; the
    latest such round, preferring one started by `made`. None if there is none."""
    walked = session.exec(
        select(PatrolRound).join(RouteStop, col(RouteStop.route_id) == PatrolRound.route_id).where(
            PatrolRound.estate_id == actor.estate_id, RouteStop.point_id == point_id,
            PatrolRound.guard_id == actor.id, col(PatrolRound.started_at).is_not(None),
            PatrolRound.started_at <= made + CLOCK_TOLERANCE, PatrolRound.grace_end < now,
            PatrolRound.window_start >= now - timedelta(days=1))).all()
    fitting = [r for r in walked if made <= (r.finished_at or r.grace_end)]
    best = max(fitting, key=lambda r: (r.started_at <= made, r.started_at, r.id), default=None)
    return best.id if best else None


def _refuse_without_round(session: Session, actor: Actor, scan_uid: str, code: tuple[int, int, int],
                          claimed: datetime, now: datetime) -> ScanResult:
    """No round of the guard's is open for the checkpoint: the stored answer when this scan was received before,
    else the refusal that says why (a scan made during a round of the guard's that has closed since is kept on
    it, also when the guard is off duty by now)."""
    earlier = _existing_scan(session, actor.id, scan_uid)
    if earlier is not None:
        return _answer(session, earlier, replayed=True)
    estate_id, point_id, version = code
    point = session.get(PatrolPoint, point_id)
    try:
        _check_point(point, actor, estate_id, version)
    except DomainError as error:
        return _refuse_scan(session, actor, error)
    attempt = _attempt(point, scan_uid, claimed, now)
    walked = _closed_round_walked(session, actor, point.id, attempt.client_time, now)
    if walked is not None:
        return _refuse_scan(session, actor, InvalidInput("error.scan_after_close"), attempt, walked)
    if not roster.is_on_duty(session, actor, Role.GUARD, now):
        return _refuse_scan(session, actor, NotAllowed("error.not_on_duty"), attempt)
    candidates = session.exec(
        select(PatrolRound).join(RouteStop, col(RouteStop.route_id) == PatrolRound.route_id).where(
            PatrolRound.estate_id == actor.estate_id, RouteStop.point_id == point.id,
            (col(PatrolRound.guard_id) == actor.id) | col(PatrolRound.guard_id).is_(None),
            PatrolRound.window_start <= now + START_EARLY, PatrolRound.window_start >= now - timedelta(days=1))).all()
    if any(r.status == RoundStatus.IN_PROGRESS and r.guard_id == actor.id for r in candidates):
        error = InvalidInput("error.round_closed")  # its grace has ended
    elif any(r.status == RoundStatus.SCHEDULED and now <= r.grace_end for r in candidates):
        error = InvalidInput("error.round_not_started")
    elif any(r.guard_id == actor.id for r in candidates):
        error = InvalidInput("error.round_closed")
    else:
        error = InvalidInput("error.not_on_round")
    return _refuse_scan(session, actor, error, attempt)


def record_scan(session: Session, actor: Actor | None, token: object, scan_uid: object, client_time: object,
                now: datetime | None = None) -> ScanResult:
    """A guard on duty scans a checkpoint's code for their round in progress; returns the outcome and progress.

    * Sent again with the same `scan_uid` (an offline queue re-sending, also two requests at once): the stored
      answer is returned and no second row is made; the database's unique (guard, scan_uid) decides races.
    * `server_time` is always `now`; `client_time` (the phone's clock) is kept and marks `synced_late` when it
      is more than 2 minutes before `now`. A phone clock more than 5 minutes ahead is not believed: the scan
      is taken as made `now` and its detail says "client clock ahead".
    * The same checkpoint again within 5 minutes, or one already counted in this round: outcome "duplicate",
      not counted, not an error.
    * Strict routes refuse a checkpoint scanned before the next one due ("error.out_of_order").
    * A scan claimed more than 5 minutes before its round was started is refused ("error.scan_before_round"):
      a queued scan cannot predate the round it counts for, so back-dated claims cannot fill a round.
    * A scan received after its round's grace ended is refused, also when it was queued offline during the round.
      If the phone's time puts it within a started round of the guard's that has closed since (whether or not
      another round is open now, and whether or not the guard is still on duty), it is kept on that round
      ("error.scan_after_close") so the manager sees it in the round's detail; it never changes the round's status.
    * Too fast: this checkpoint and the guard's nearest counted scan of another checkpoint (before or after it
      in scan time, as queued scans arrive out of order) closer than walking at 2.5 m/s allows (or within
      20 s when either has no coordinates) gives outcome "too_fast", audited as "scan_flagged" and NOT
      counted. A code that was photographed and scanned from a screen is the usual cause, and counting it
      would let a round finish on paper; a guard who really is there simply scans again a little later and
      that scan counts. The times compared are the phone's scan times (as believed above), so scans queued
      offline and sent together are not all flagged; round status still depends only on server time.
    * The round finishes itself when its last stop is counted: on_time by window_end, else late.
    """
    now = now or utcnow()
    actor = require(session, actor, SCAN_REFUSED, Role.GUARD)
    try:
        uid = _scan_uid(scan_uid)
        claimed = aware(client_time)
    except DomainError as error:
        return _refuse_scan(session, actor, error)
    try:
        code = signed_code(token)
    except DomainError as error:
        earlier = _existing_scan(session, actor.id, uid)
        return _answer(session, earlier, replayed=True) if earlier else _refuse_scan(session, actor, error)
    estate_id, point_id, version = code
    rows = session.execute(_OPEN_ROUNDS, {
        "estate": actor.estate_id, "point": point_id, "guard": actor.id, "uid": uid, "now": now,
        "latest_start": now + START_EARLY, "earliest_start": now - timedelta(days=1),
        "days": roster.covering_days(now)}).all()
    if not rows:
        return _refuse_without_round(session, actor, uid, code, claimed, now)
    if rows[0].earlier_id is not None:
        return _answer(session, session.get(PatrolScan, rows[0].earlier_id), replayed=True)
    point = rows[0].PatrolPoint
    try:
        _check_point(point, actor, estate_id, version)
    except DomainError as error:
        return _refuse_scan(session, actor, error)
    attempt = _attempt(point, uid, claimed, now)
    if not any(row.day is not None and roster.covers(row, row.day, row.timezone, now) for row in rows):
        return _refuse_scan(session, actor, NotAllowed("error.not_on_duty"), attempt)
    open_rounds = {row.PatrolRound.id: (row.PatrolRound, row.strict_order) for row in rows}
    patrol_round, strict_order = min(open_rounds.values(), key=lambda r: point.id in counted_ids(session, r[0].id)) \
        if len(open_rounds) > 1 else (rows[0].PatrolRound, rows[0].strict_order)
    if attempt.client_time < patrol_round.started_at - CLOCK_TOLERANCE:
        walked = _closed_round_walked(session, actor, point.id, attempt.client_time, now)
        if walked is not None:  # made during an earlier round of the guard's, sent after it closed
            return _refuse_scan(session, actor, InvalidInput("error.scan_after_close"), attempt, walked)
    try:
        if attempt.client_time < patrol_round.started_at - CLOCK_TOLERANCE:
            raise InvalidInput("error.scan_before_round")
        facts = _facts(session, actor, patrol_round, point.id, attempt.client_time)
        outcome, note = _judge(point, attempt.client_time, facts, strict_order)
    except DomainError as error:
        return _refuse_scan(session, actor, error, attempt, patrol_round.id)
    detail = join_notes(attempt.detail, note)
    try:
        scan_id = session.execute(_INSERT_SCAN, {
            "estate_id": actor.estate_id, "round_id": patrol_round.id, "point_id": point.id, "guard_id": actor.id,
            "scan_uid": uid, "client_time": attempt.client_time, "server_time": now,
            "synced_late": attempt.synced_late, "outcome": outcome.value, "detail": detail}).scalar_one()
    except IntegrityError:  # the same scan was stored by a concurrent request: give its answer
        session.rollback()
        earlier = _existing_scan(session, actor.id, uid)
        if earlier is None:
            raise
        return _answer(session, earlier, replayed=True)
    if outcome == ScanOutcome.TOO_FAST:
        audit.record(session, actor.estate_id, session.get(User, actor.id), "scan_flagged", "patrol_round",
                     patrol_round.id, point=point.id, scan=scan_id, reason=note)
    if outcome == ScanOutcome.COUNTED:
        facts.counted.add(point.id)
    done, total = len(facts.counted & set(facts.stops)), len(facts.stops)
    if outcome == ScanOutcome.COUNTED and done == total:
        patrol_round.finished_at = now
        patrol_round.status = finished_status(patrol_round, now)
        session.add(patrol_round)
        session.flush()
        audit.record(session, actor.estate_id, session.get(User, actor.id), "patrol_round_finished", "patrol_round",
                     patrol_round.id, status=patrol_round.status)
    return ScanResult(scan_id, patrol_round.id, point.id, point.name, done, total, outcome,
                      patrol_round.status if patrol_round.status in FINISHED else RoundStatus.IN_PROGRESS,
                      attempt.synced_late, detail)


def _judge(point, when: datetime, facts: _Facts, strict_order: bool) -> tuple[ScanOutcome, str]:
    """Decide a scan of a stop of the guard's round: duplicate, out of order (raised), too fast or counted."""
    if facts.same is not None and abs(when - facts.same.client_time) < DUPLICATE_WINDOW:
        return ScanOutcome.DUPLICATE, "scanned again within 5 minutes"
    if point.id in facts.counted:
        return ScanOutcome.DUPLICATE, "already counted in this round"
    if strict_order:
        due = next((p for p in facts.stops if p not in facts.counted), None)
        if point.id != due:
            raise InvalidInput("error.out_of_order")
    for neighbour in facts.neighbours:
        if neighbour.point_id == point.id:
            continue
        needed = walk_time(neighbour, point)
        gap = abs(when - neighbour.client_time)
        if gap < needed:
            return ScanOutcome.TOO_FAST, (f"too fast: {gap.total_seconds():.0f} s from another checkpoint's scan, "
                                          f"walking needs {needed.total_seconds():.0f} s")
    return ScanOutcome.COUNTED, ""


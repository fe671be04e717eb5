"""Guard patrols: checkpoints with signed QR codes, routes, scheduled rounds, scans (also queued offline), the
round's own clock, and the manager's board, history and CSV export.

Rules decided here, from server timestamps only:

* A round is a window of one route: window_start, window_end (+ expected duration), grace_end (+ grace).
  The guard may start it from 10 minutes before window_start until grace_end.
* A round finishes itself when its last stop is counted: on_time when that happens by window_end, late by
  grace_end. After grace_end a round still scheduled is missed, one still in progress is incomplete.
* A scan counts only for the scanning guard's own round in progress that has the checkpoint as a stop.
  Every refusal is written to the audit log as "scan_refused" (in its own commit, within the log's per-minute
  limit of refusals per person) and leaves no counted scan.
* The phone gives every scan a unique `scan_uid`; the same scan sent again (an offline queue re-sending) gets
  the original answer and never a second row.
"""

import csv
import io
import math
import re
import unicodedata
from enum import IntEnum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer, and_, bindparam, cast, func, insert, literal_column, null, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.i18n import tr
from estate_pwa.models import (
    Area, DutyAssignment, Estate, PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, Role, RoundStatus, RouteStop,
    ScanOutcome, Shift, User,
)
from estate_pwa.services import audit, roster
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import FORBIDDEN_IN_NAMES, ID_MAX, positive_id

TOKEN_PURPOSE = "patrol-point"
QUEUE_PURPOSE = "scan-queue"
DUPLICATE_WINDOW = timedelta(minutes=5)
"""The same checkpoint scanned again by the same guard within this time is a duplicate (not counted)."""
MAX_WALK_SPEED = 2.5
"""Metres per second: two checkpoints reached faster than this are flagged too_fast."""
MIN_GAP = timedelta(seconds=20)
"""The shortest believable time between two different checkpoints when either has no coordinates."""
START_EARLY = timedelta(minutes=10)
SYNCED_LATE_AFTER = timedelta(minutes=2)
CLOCK_TOLERANCE = timedelta(minutes=5)
"""How far a phone's clock is believed: not more ahead of the server than this, nor earlier than the round's start
by more than this."""
CLIENT_AHEAD_NOTE = "client clock ahead"
EARTH_RADIUS_M = 6_371_000.0

NAME_MAX = 100
LOCATION_MAX = 200
MAX_STOPS = 50
EVERY_MINUTES = (5, 1440)
EXPECTED_MINUTES = (1, 720)
GRACE_MINUTES = (0, 240)
MAX_GENERATE_SPAN = timedelta(days=8)
LOOK_BACK = timedelta(hours=2)
LOOK_AHEAD = timedelta(hours=12)
MAX_HISTORY_SPAN = timedelta(days=92)
HISTORY_LIMIT = 5000
SCANNED_MAX = 2048
_SCAN_UID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_NUMBER = re.compile(r"[0-9]{1,10}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")

OPEN = (RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS)
FINISHED = (RoundStatus.ON_TIME, RoundStatus.LATE)
_REFUSAL_TYPE = {"error.not_on_duty": NotAllowed, "error.not_allowed": NotAllowed}


# Checking what clients send

def _name(raw: object, key: str, limit: int = NAME_MAX) -> str:
    if not isinstance(raw, str):
        raise InvalidInput(key)
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        raise InvalidInput(key)
    if len(value) > limit:
        raise InvalidInput("error.text_too_long", limit=limit)
    if any(unicodedata.category(ch) in FORBIDDEN_IN_NAMES for ch in value):
        raise InvalidInput("error.bad_request")
    return value


def _optional_text(raw: object, limit: int) -> str:
    if raw is None or raw == "":
        return ""
    return _name(raw, "error.bad_request", limit)


def _whole(raw: object, bounds: tuple[int, int], key: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InvalidInput(key)
    if isinstance(raw, str) and not _NUMBER.fullmatch(raw.strip()):
        raise InvalidInput(key)
    value = int(raw)
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidInput(key)
    return value


def _coordinate(raw: object, limit: float) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise InvalidInput("error.bad_coordinates")
    try:
        value = float(raw) if not isinstance(raw, str) or len(raw) <= 32 else math.nan
    except ValueError:
        raise InvalidInput("error.bad_coordinates") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise InvalidInput("error.bad_coordinates")
    return value


def coordinates(latitude: object, longitude: object) -> tuple[float | None, float | None]:
    """A checkpoint's optional position: both in range or both empty, else "error.bad_coordinates"."""
    lat, lon = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("error.bad_coordinates")
    return lat, lon


def _clock(raw: object) -> time:
    """A local time of day: a `time` without zone, or 'HH:MM'."""
    if isinstance(raw, time) and raw.tzinfo is None:
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, str):
        match = _CLOCK.fullmatch(raw.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    raise InvalidInput("error.bad_schedule")


def _aware(raw: object) -> datetime:
    """An aware instant: a datetime with a zone, or ISO 8601 text with an offset (as a phone's queue sends)."""
    if isinstance(raw, str) and len(raw) <= 40:
        try:
            raw = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput("error.bad_time") from None
    if not isinstance(raw, datetime) or raw.utcoffset() is None:
        raise InvalidInput("error.bad_time")
    return raw.astimezone(UTC)


def _scan_uid(raw: object) -> str:
    if not isinstance(raw, str) or not _SCAN_UID.fullmatch(raw):
        raise InvalidInput("error.bad_request")
    return raw


def _user(session: Session, actor: Actor) -> User:
    return session.get(User, actor.id)


def _zone(session: Session, estate_id: int) -> ZoneInfo:
    return ZoneInfo(session.get(Estate, estate_id).timezone)


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which local `day` starts and the next day starts."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


# Refusals

def _refuse(session: Session, actor: Actor, scanning: bool, error: DomainError, target_type: str = "",
            target_id: int | None = None) -> None:
    """Write the refusal ("scan_refused" or "round_start_refused") to the audit log in its own commit, then raise
    it; nothing else is kept."""
    session.rollback()
    audit.record_refusal(session, actor.estate_id, _user(session, actor),
                         "scan_refused" if scanning else "round_start_refused", target_type, target_id,
                         reason=error.key)
    session.commit()
    raise error


def _require(session: Session, actor: Actor | None, scanning: bool) -> Actor:
    """Like permissions.require(actor, GUARD), but a logged-in actor refused is written to the audit log."""
    try:
        return require(actor, Role.GUARD)
    except NotAllowed as error:
        if actor is None:
            raise
        _refuse(session, actor, scanning, error)


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
    """Audit a refused scan ("scan_refused", own commit) and raise the error.

    Once the code was good, the refusal is also kept as a scan row with outcome "refused", so the same scan
    sent again gets the same answer. If a concurrent request stored this scan first, its answer is returned.
    """
    session.rollback()
    audit.record_refusal(session, actor.estate_id, _user(session, actor), "scan_refused",
                         "patrol_point" if attempt else "", attempt.point_id if attempt else None, reason=error.key,
                         round=round_id)
    if attempt is not None:
        session.add(PatrolScan(
            estate_id=actor.estate_id, round_id=round_id, point_id=attempt.point_id, guard_id=actor.id,
            scan_uid=attempt.scan_uid, client_time=attempt.client_time, server_time=attempt.server_time,
            synced_late=attempt.synced_late, outcome=ScanOutcome.REFUSED,
            detail=_join(error.key, attempt.detail)))
    try:
        session.commit()
    except IntegrityError:  # nothing but the scan row can conflict: a concurrent request stored this scan
        session.rollback()
        earlier = _existing_scan(session, actor.id, attempt.scan_uid) if attempt else None
        if earlier is None:
            raise
        return _answer(session, earlier, replayed=True)
    raise error


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)[:200]


# Checkpoints and routes (managers)

def create_point(session: Session, actor: Actor | None, area_id: object, name: object, location_text: object = "",
                 latitude: object = None, longitude: object = None) -> PatrolPoint:
    """A manager adds a checkpoint in a common area; coordinates are optional but come as a pair."""
    actor = require(actor, Role.MANAGER)
    if area_id in (None, ""):
        raise InvalidInput("error.area_required")
    area = in_estate(session, actor, Area, positive_id(area_id))
    lat, lon = coordinates(latitude, longitude)
    point = PatrolPoint(estate_id=actor.estate_id, area_id=area.id, name=_name(name, "error.point_name_required"),
                        location_text=_optional_text(location_text, LOCATION_MAX), latitude=lat, longitude=lon)
    session.add(point)
    session.flush()
    audit.record(session, actor.estate_id, _user(session, actor), "patrol_point_created", "patrol_point", point.id,
                 name=point.name)
    return point


def create_route(session: Session, actor: Actor | None, name: object, point_ids: object, starts: object,
                 ends: object, every_minutes: object, expected_minutes: object, grace_minutes: object = 10,
                 strict_order: object = False) -> PatrolRoute:
    """A manager defines a route: its checkpoints in order and its daily schedule (local times; an end at or
    before the start is on the next day). A round may not take longer than the interval between rounds."""
    actor = require(actor, Role.MANAGER)
    route_name = _name(name, "error.route_name_required")
    if not isinstance(point_ids, (list, tuple)) or not 1 <= len(point_ids) <= MAX_STOPS:
        raise InvalidInput("error.route_points_required")
    ids = [positive_id(p) for p in point_ids]
    if len(set(ids)) != len(ids):
        raise InvalidInput("error.route_point_repeated")
    points = [in_estate(session, actor, PatrolPoint, i) for i in ids]
    if not all(p.active for p in points):
        raise InvalidInput("error.point_inactive")
    start, end = _clock(starts), _clock(ends)
    every = _whole(every_minutes, EVERY_MINUTES, "error.bad_schedule")
    expected = _whole(expected_minutes, EXPECTED_MINUTES, "error.bad_schedule")
    grace = _whole(grace_minutes, GRACE_MINUTES, "error.bad_schedule")
    if expected > every:
        raise InvalidInput("error.bad_schedule")
    if not isinstance(strict_order, bool):
        raise InvalidInput("error.bad_request")
    taken = session.exec(select(PatrolRoute.id).where(
        PatrolRoute.estate_id == actor.estate_id, PatrolRoute.name == route_name)).first()
    if taken is not None:
        raise InvalidInput("error.route_name_taken")
    route = PatrolRoute(estate_id=actor.estate_id, name=route_name, strict_order=strict_order,
                        expected_minutes=expected, grace_minutes=grace, starts=start, ends=end, every_minutes=every)
    session.add(route)
    session.flush()
    for position, point in enumerate(points):
        session.add(RouteStop(estate_id=actor.estate_id, route_id=route.id, point_id=point.id, position=position))
    session.flush()
    audit.record(session, actor.estate_id, _user(session, actor), "patrol_route_created", "patrol_route", route.id,
                 name=route.name, stops=len(points))
    return route


def reissue_code(session: Session, actor: Actor | None, point_id: object) -> PatrolPoint:
    """A manager prints a new code for a checkpoint: every older code of it stops working."""
    actor = require(actor, Role.MANAGER)
    point = in_estate(session, actor, PatrolPoint, positive_id(point_id))
    point = session.exec(select(PatrolPoint).where(PatrolPoint.id == point.id).with_for_update()
                         .execution_options(populate_existing=True)).one()
    point.code_version += 1
    session.add(point)
    session.flush()
    audit.record(session, actor.estate_id, _user(session, actor), "patrol_code_reissued", "patrol_point", point.id,
                 version=point.code_version)
    return point


def point_token(point: PatrolPoint) -> str:
    """The signed text of a checkpoint's current code."""
    return tokens.sign(TOKEN_PURPOSE, f"{point.estate_id}:{point.id}:{point.code_version}")


def point_url(base_url: str, point: PatrolPoint) -> str:
    """The address printed in a checkpoint's QR code."""
    return f"{base_url.rstrip('/')}/p/{point_token(point)}"


def token_of(scanned: object) -> str:
    """The code part of what a scanner read: a checkpoint URL ("…/p/<code>") or the bare code. Nothing here is
    trusted; `resolve_point` checks the signature."""
    if not isinstance(scanned, str) or len(scanned) > SCANNED_MAX:
        return ""
    text = scanned.strip().split("?", 1)[0].split("#", 1)[0]
    return text.rsplit("/p/", 1)[-1].strip("/")


def queue_owner(actor: Actor) -> str:
    """The opaque name a phone's scan queue gives the guard whose scans it holds (a shared duty phone may hold
    several guards' scans; each is sent only for its own guard)."""
    return tokens.tag(QUEUE_PURPOSE, str(actor.id))


def _signed_code(token: object) -> tuple[int, int, int]:
    """(estate id, checkpoint id, code version) named by a scanned code. Only the signature is trusted: forged,
    garbled or other-purpose codes are "error.qr_invalid"."""
    try:
        payload = tokens.verify(TOKEN_PURPOSE, token)
    except tokens.TokenInvalid:
        raise InvalidInput("error.qr_invalid") from None
    parts = payload.split(":")
    if len(parts) != 3 or not all(_NUMBER.fullmatch(p) and 0 < int(p) <= ID_MAX for p in parts):
        raise InvalidInput("error.qr_invalid")
    estate_id, point_id, version = (int(p) for p in parts)
    return estate_id, point_id, version


def _check_code(point, estate_id: int, version: int) -> None:
    """Refuse a signed code that does not name the checkpoint as it is now: "error.qr_invalid" for a checkpoint
    that does not exist (or not in that estate, or a version never issued), "error.qr_revoked" for a code
    older than the checkpoint's current one or of a retired checkpoint."""
    if point is None or point.estate_id != estate_id or version > point.code_version:
        raise InvalidInput("error.qr_invalid")
    if version < point.code_version or not point.active:
        raise InvalidInput("error.qr_revoked")


def resolve_point(session: Session, token: object) -> PatrolPoint:
    """The checkpoint a scanned code names (see `_signed_code` and `_check_code` for the refusals)."""
    estate_id, point_id, version = _signed_code(token)
    point = session.get(PatrolPoint, point_id)
    _check_code(point, estate_id, version)
    return point


def points(session: Session, actor: Actor | None) -> list[PatrolPoint]:
    """The estate's checkpoints, by name."""
    actor = require(actor, Role.MANAGER)
    return list(session.exec(select(PatrolPoint).where(PatrolPoint.estate_id == actor.estate_id)
                             .order_by(PatrolPoint.name, PatrolPoint.id)))


def routes(session: Session, actor: Actor | None) -> list[PatrolRoute]:
    """The estate's routes, by name."""
    actor = require(actor, Role.MANAGER)
    return list(session.exec(select(PatrolRoute).where(PatrolRoute.estate_id == actor.estate_id)
                             .order_by(PatrolRoute.name)))


def route_points(session: Session, route_id: int) -> list[PatrolPoint]:
    """A route's checkpoints in their order."""
    return list(session.exec(select(PatrolPoint).join(RouteStop, col(RouteStop.point_id) == PatrolPoint.id)
                             .where(RouteStop.route_id == route_id).order_by(RouteStop.position)))


# Schedule

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
    day_start, day_end = _day_bounds(at.astimezone(zone).date(), zone)
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
    start, end = _aware(from_utc), _aware(to_utc)
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

def round_status(patrol_round: PatrolRound, now: datetime) -> str:
    """The round's status as close_overdue would leave it at `now` (what boards show even between runs)."""
    if now > patrol_round.grace_end and patrol_round.status == RoundStatus.SCHEDULED:
        return RoundStatus.MISSED
    if now > patrol_round.grace_end and patrol_round.status == RoundStatus.IN_PROGRESS:
        return RoundStatus.INCOMPLETE
    return patrol_round.status


def _finished_status(patrol_round: PatrolRound, finished_at: datetime) -> RoundStatus:
    return RoundStatus.ON_TIME if finished_at <= patrol_round.window_end else RoundStatus.LATE


def _lock_round(session: Session, round_id: int) -> PatrolRound:
    """Re-read a round under a row lock (PostgreSQL), so concurrent starts and scans see each other."""
    return session.exec(select(PatrolRound).where(PatrolRound.id == round_id).with_for_update()
                        .execution_options(populate_existing=True)).one()


def can_start(row: "RoundRow", now: datetime) -> bool:
    """Whether a scheduled round may be started now (from START_EARLY before its window to its grace end)."""
    return row.status == RoundStatus.SCHEDULED and row.window_start - START_EARLY <= now <= row.grace_end


def start_round(session: Session, actor: Actor | None, round_id: object, now: datetime | None = None) -> PatrolRound:
    """The assigned guard starts a scheduled round (an unassigned one: any guard on duty, who then owns it),
    from 10 minutes before its window until its grace ends."""
    now = now or utcnow()
    actor = _require(session, actor, scanning=False)
    try:
        patrol_round = _lock_round(session, in_estate(session, actor, PatrolRound, positive_id(round_id)).id)
    except DomainError as error:
        _refuse(session, actor, False, error)
    try:
        if patrol_round.guard_id is not None and patrol_round.guard_id != actor.id:
            raise NotAllowed("error.not_your_round")
        if patrol_round.status == RoundStatus.IN_PROGRESS and now <= patrol_round.grace_end:
            raise InvalidInput("error.round_already_started")
        if patrol_round.status != RoundStatus.SCHEDULED or now > patrol_round.grace_end:
            raise InvalidInput("error.round_closed")
        if now < patrol_round.window_start - START_EARLY:
            raise InvalidInput("error.round_too_early")
        if patrol_round.guard_id is None and not roster.is_on_duty(session, actor, Role.GUARD, now):
            raise NotAllowed("error.not_on_duty")
    except DomainError as error:
        _refuse(session, actor, False, error, "patrol_round", patrol_round.id)
    patrol_round.guard_id = actor.id
    patrol_round.status = RoundStatus.IN_PROGRESS
    patrol_round.started_at = now
    session.add(patrol_round)
    session.flush()
    audit.record(session, actor.estate_id, _user(session, actor), "patrol_round_started", "patrol_round",
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
            done, total = _progress(session, patrol_round)
            last = _last_counted_time(session, patrol_round.id)
            if done == total and last is not None and last <= patrol_round.grace_end:  # all stops, never closed
                patrol_round.finished_at = last
                patrol_round.status = _finished_status(patrol_round, last)
            else:
                patrol_round.status = RoundStatus.INCOMPLETE
        session.add(patrol_round)
    if overdue:
        session.flush()
        audit.record(session, estate_id, None, "patrol_rounds_closed", "", None,
                     missed=sum(r.status == RoundStatus.MISSED for r in overdue),
                     incomplete=sum(r.status == RoundStatus.INCOMPLETE for r in overdue))
    return list(overdue)


_ROUTE_STOPS: dict[tuple[object, int], tuple[int, ...]] = {}
_ROUTE_STOPS_KEPT = 10_000


def _stop_ids(session: Session, route_id: int) -> tuple[int, ...]:
    """A route's checkpoints in walking order. A route's stops never change once it is made (a new order is a new
    route), so each process reads them once per database and keeps them (at most _ROUTE_STOPS_KEPT routes)."""
    key = (session.get_bind().url, route_id)
    stops = _ROUTE_STOPS.get(key)
    if stops is None:
        stops = tuple(session.exec(select(RouteStop.point_id).where(RouteStop.route_id == route_id)
                                   .order_by(RouteStop.position)))
        if len(_ROUTE_STOPS) >= _ROUTE_STOPS_KEPT:
            _ROUTE_STOPS.clear()
        _ROUTE_STOPS[key] = stops
    return stops


def _counted_ids(session: Session, round_id: int, up_to_scan: int | None = None) -> set[int]:
    query = select(PatrolScan.point_id).where(PatrolScan.round_id == round_id,
                                              PatrolScan.outcome == ScanOutcome.COUNTED)
    if up_to_scan is not None:
        query = query.where(col(PatrolScan.id) <= up_to_scan)
    return set(session.exec(query))


def _progress(session: Session, patrol_round: PatrolRound) -> tuple[int, int]:
    stops = _stop_ids(session, patrol_round.route_id)
    return len(_counted_ids(session, patrol_round.id) & set(stops)), len(stops)


def _last_counted_time(session: Session, round_id: int) -> datetime | None:
    return session.exec(select(func.max(PatrolScan.server_time)).where(
        PatrolScan.round_id == round_id, PatrolScan.outcome == ScanOutcome.COUNTED)).one()


# Scans

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


def _refusal_key(scan: PatrolScan) -> str:
    """The message key a refused scan was refused with (the first part of its detail)."""
    return scan.detail.split(";")[0]


def _existing_scan(session: Session, guard_id: int, scan_uid: str) -> PatrolScan | None:
    return session.exec(select(PatrolScan).where(PatrolScan.guard_id == guard_id, PatrolScan.scan_uid == scan_uid)
                        .execution_options(populate_existing=True)).first()


def _answer(session: Session, scan: PatrolScan, replayed: bool) -> ScanResult:
    """The answer to a stored scan, as it was when the scan arrived (progress counts scans up to this one)."""
    if scan.outcome == ScanOutcome.REFUSED:
        key = _refusal_key(scan)
        raise _REFUSAL_TYPE.get(key, InvalidInput)(key)
    point = session.get(PatrolPoint, scan.point_id)
    patrol_round = session.get(PatrolRound, scan.round_id)
    stops = set(_stop_ids(session, patrol_round.route_id))
    done = len(_counted_ids(session, patrol_round.id, up_to_scan=scan.id) & stops)
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
    return _Facts(_stop_ids(session, patrol_round.route_id), {row.point_id for row in of[_Fact.COUNTED]},
                  next(iter(of[_Fact.SAME]), None), of[_Fact.BEFORE] + of[_Fact.AFTER])


def _attempt(point: PatrolPoint, scan_uid: str, claimed: datetime, now: datetime) -> _Attempt:
    """The scan as it will be kept: a phone clock more than CLOCK_TOLERANCE ahead is not believed."""
    if claimed - now > CLOCK_TOLERANCE:
        return _Attempt(point.id, scan_uid, now, now, False, CLIENT_AHEAD_NOTE)
    return _Attempt(point.id, scan_uid, claimed, now, now - claimed > SYNCED_LATE_AFTER, "")


def _check_point(point: PatrolPoint | None, actor: Actor, estate_id: int, version: int) -> None:
    """Refuse a code that does not name one of the actor's estate's checkpoints as it is now."""
    _check_code(point, estate_id, version)
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
    actor = _require(session, actor, scanning=True)
    try:
        uid = _scan_uid(scan_uid)
        claimed = _aware(client_time)
    except DomainError as error:
        return _refuse_scan(session, actor, error)
    try:
        code = _signed_code(token)
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
    patrol_round, strict_order = min(open_rounds.values(), key=lambda r: point.id in _counted_ids(session, r[0].id)) \
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
    detail = _join(attempt.detail, note)
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
        audit.record(session, actor.estate_id, _user(session, actor), "scan_flagged", "patrol_round",
                     patrol_round.id, point=point.id, scan=scan_id, reason=note)
    if outcome == ScanOutcome.COUNTED:
        facts.counted.add(point.id)
    done, total = len(facts.counted & set(facts.stops)), len(facts.stops)
    if outcome == ScanOutcome.COUNTED and done == total:
        patrol_round.finished_at = now
        patrol_round.status = _finished_status(patrol_round, now)
        session.add(patrol_round)
        session.flush()
        audit.record(session, actor.estate_id, _user(session, actor), "patrol_round_finished", "patrol_round",
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


# What guards and managers see

@dataclass(frozen=True)
class RoundRow:
    """One round as listed on boards, in history and in exports."""

    round_id: int
    route_id: int
    route_name: str
    guard_id: int | None
    guard_name: str
    window_start: datetime
    window_end: datetime
    grace_end: datetime
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    done: int
    total: int
    flagged: int
    synced_late: int
    refused: int


@dataclass(frozen=True)
class LastScan:
    """A guard's latest counted scan."""

    guard_id: int
    guard_name: str
    point_name: str | None
    at: datetime | None


@dataclass(frozen=True)
class Board:
    """The manager's patrol board for one local day."""

    day: date
    rounds: list[RoundRow]
    last_scans: list[LastScan]


def _rows(session: Session, estate_id: int, conditions: list, now: datetime) -> list[RoundRow]:
    found = session.exec(
        select(PatrolRound, PatrolRoute, User)
        .join(PatrolRoute, col(PatrolRoute.id) == PatrolRound.route_id)
        .outerjoin(User, col(User.id) == PatrolRound.guard_id)
        .where(PatrolRound.estate_id == estate_id, *conditions)
        .order_by(PatrolRound.window_start, PatrolRoute.name, PatrolRound.id).limit(HISTORY_LIMIT)).all()
    round_ids = [r.id for r, _, _ in found]
    route_ids = {route.id for _, route, _ in found}
    totals = dict(session.exec(select(RouteStop.route_id, func.count()).where(
        col(RouteStop.route_id).in_(route_ids)).group_by(RouteStop.route_id)).all()) if route_ids else {}
    per_round: dict[int, dict[str, int]] = {rid: {"done": 0, "flagged": 0, "late": 0, "refused": 0}
                                            for rid in round_ids}
    if round_ids:
        for round_id, outcome, late, count in session.exec(
                select(PatrolScan.round_id, PatrolScan.outcome, PatrolScan.synced_late, func.count())
                .where(col(PatrolScan.round_id).in_(round_ids))
                .group_by(PatrolScan.round_id, PatrolScan.outcome, PatrolScan.synced_late)):
            if outcome == ScanOutcome.COUNTED:
                per_round[round_id]["done"] += count
                if late:
                    per_round[round_id]["late"] += count
            elif outcome == ScanOutcome.TOO_FAST:
                per_round[round_id]["flagged"] += count
            elif outcome == ScanOutcome.REFUSED:
                per_round[round_id]["refused"] += count
    return [
        RoundRow(r.id, route.id, route.name, r.guard_id, user.name if user else "", r.window_start, r.window_end,
                 r.grace_end, round_status(r, now), r.started_at, r.finished_at, per_round[r.id]["done"],
                 totals.get(route.id, 0), per_round[r.id]["flagged"], per_round[r.id]["late"],
                 per_round[r.id]["refused"])
        for r, route, user in found
    ]


def my_rounds(session: Session, actor: Actor | None, now: datetime | None = None) -> list[RoundRow]:
    """A guard's rounds still open (theirs, and unassigned ones they may take) starting within 12 hours."""
    actor = require(actor, Role.GUARD)
    now = now or utcnow()
    return _rows(session, actor.estate_id, [
        (col(PatrolRound.guard_id) == actor.id) | col(PatrolRound.guard_id).is_(None),
        col(PatrolRound.status).in_(OPEN), PatrolRound.grace_end >= now,
        PatrolRound.window_start <= now + timedelta(hours=12)], now)


def board(session: Session, actor: Actor | None, day: object = None, now: datetime | None = None) -> Board:
    """The manager's view of one local day (default today): every round with its status (as of `now`), guard and
    progress, and each guard's last counted scan."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    zone = _zone(session, actor.estate_id)
    if day is None:
        day = now.astimezone(zone).date()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInput("error.bad_request")
    start, end = _day_bounds(day, zone)
    rows = _rows(session, actor.estate_id, [PatrolRound.window_start >= start, PatrolRound.window_start < end], now)
    scanned = session.exec(select(PatrolScan.guard_id).where(
        PatrolScan.estate_id == actor.estate_id, PatrolScan.outcome == ScanOutcome.COUNTED,
        PatrolScan.server_time >= start, PatrolScan.server_time < end).distinct()).all()
    guard_ids = {r.guard_id for r in rows if r.guard_id is not None} | set(scanned)
    last_scans = []
    for guard in session.exec(select(User).where(col(User.id).in_(guard_ids), User.estate_id == actor.estate_id)):
        latest = session.exec(
            select(PatrolScan, PatrolPoint).join(PatrolPoint, col(PatrolPoint.id) == PatrolScan.point_id)
            .where(PatrolScan.guard_id == guard.id, PatrolScan.outcome == ScanOutcome.COUNTED,
                   PatrolScan.server_time < min(end, now + timedelta(seconds=1)))
            .order_by(col(PatrolScan.server_time).desc(), col(PatrolScan.id).desc())).first()
        last_scans.append(LastScan(guard.id, guard.name, latest[1].name if latest else None,
                                   latest[0].server_time if latest else None))
    return Board(day, rows, sorted(last_scans, key=lambda s: (s.guard_name, s.guard_id)))


@dataclass(frozen=True)
class StopLine:
    """One checkpoint of a round's route, in walking order, with when the server counted it (None: not yet)."""

    point_name: str
    counted_at: datetime | None


@dataclass(frozen=True)
class ScanLine:
    """One scan kept on a round, as received: `reason` is the refusal's message key of a refused scan."""

    point_name: str
    outcome: str
    reason: str
    server_time: datetime
    client_time: datetime
    synced_late: bool


@dataclass(frozen=True)
class RoundDetail:
    """What a manager sees of one round: its row, its stops and every scan kept on it in the order received."""

    row: RoundRow
    stops: list[StopLine]
    scans: list[ScanLine]


def round_detail(session: Session, actor: Actor | None, round_id: object, now: datetime | None = None) -> RoundDetail:
    """One round of the manager's estate with each checkpoint's counting time and every scan kept on it: counted,
    duplicate, too fast and refused (with why, also those received after the round closed)."""
    actor = require(actor, Role.MANAGER)
    patrol_round = in_estate(session, actor, PatrolRound, positive_id(round_id))
    row = _rows(session, actor.estate_id, [PatrolRound.id == patrol_round.id], now or utcnow())[0]
    kept = session.exec(select(PatrolScan, PatrolPoint).join(PatrolPoint, col(PatrolPoint.id) == PatrolScan.point_id)
                        .where(PatrolScan.round_id == patrol_round.id)
                        .order_by(PatrolScan.server_time, PatrolScan.id)).all()
    counted_at = {scan.point_id: scan.server_time for scan, _ in kept if scan.outcome == ScanOutcome.COUNTED}
    return RoundDetail(
        row,
        [StopLine(point.name, counted_at.get(point.id)) for point in route_points(session, patrol_round.route_id)],
        [ScanLine(point.name, scan.outcome,
                  _refusal_key(scan) if scan.outcome == ScanOutcome.REFUSED else "",
                  scan.server_time, scan.client_time, scan.synced_late) for scan, point in kept])


def day_range(session: Session, actor: Actor | None, first_day: object, last_day: object) -> tuple[datetime, datetime]:
    """The UTC instants from the start of local `first_day` to the end of local `last_day` (ISO dates as a date
    picker sends them), for history and export; at most 92 days."""
    actor = require(actor, Role.MANAGER)
    try:
        first, last = (date.fromisoformat(d.strip()) if isinstance(d, str) and len(d) <= 10 else None
                       for d in (first_day, last_day))
    except ValueError:
        raise InvalidInput("error.bad_time") from None
    if first is None or last is None or first > last:
        raise InvalidInput("error.bad_time")
    zone = _zone(session, actor.estate_id)
    start, end = _day_bounds(first, zone)[0], _day_bounds(last, zone)[1]
    if end - start > MAX_HISTORY_SPAN:
        raise InvalidInput("error.bad_time")
    return start, end


def history(session: Session, actor: Actor | None, from_utc: object, to_utc: object, route_id: object = None,
            guard_id: object = None, status: object = None, now: datetime | None = None) -> list[RoundRow]:
    """Rounds whose window starts in [from_utc, to_utc) (at most 92 days), optionally of one route, one guard
    or one status (statuses as of `now`)."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    start, end = _aware(from_utc), _aware(to_utc)
    if not start < end <= start + MAX_HISTORY_SPAN:
        raise InvalidInput("error.bad_time")
    conditions = [PatrolRound.window_start >= start, PatrolRound.window_start < end]
    if route_id not in (None, ""):
        conditions.append(PatrolRound.route_id == in_estate(session, actor, PatrolRoute, positive_id(route_id)).id)
    if guard_id not in (None, ""):
        conditions.append(PatrolRound.guard_id == in_estate(session, actor, User, positive_id(guard_id)).id)
    wanted = None
    if status not in (None, ""):
        if not isinstance(status, str) or status not in {s.value for s in RoundStatus}:
            raise InvalidInput("error.bad_request")
        wanted = status
    rows = _rows(session, actor.estate_id, conditions, now)
    return [r for r in rows if wanted is None or r.status == wanted]


CSV_COLUMNS = (
    "patrol.csv_round", "patrol.csv_route", "patrol.csv_window_start", "patrol.csv_window_end", "patrol.csv_guard",
    "patrol.csv_status", "patrol.csv_started_at", "patrol.csv_finished_at", "patrol.csv_done", "patrol.csv_total",
    "patrol.csv_flagged", "patrol.csv_synced_late", "patrol.csv_refused",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_export(session: Session, actor: Actor | None, from_utc: object, to_utc: object, route_id: object = None,
               guard_id: object = None, status: object = None, language: str = "zh",
               now: datetime | None = None) -> str:
    """The history as CSV text: a header row, then one row per round, times in the estate's timezone."""
    rows = history(session, actor, from_utc, to_utc, route_id, guard_id, status, now)
    zone = _zone(session, actor.estate_id)

    def local(moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([tr(key, language) for key in CSV_COLUMNS])
    for r in rows:
        writer.writerow([_cell(v) for v in (
            r.round_id, r.route_name, local(r.window_start), local(r.window_end), r.guard_name,
            tr(f"patrol.status_{r.status}", language), local(r.started_at), local(r.finished_at), r.done, r.total,
            r.flagged, r.synced_late, r.refused)])
    return out.getvalue()

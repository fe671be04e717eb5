"""What every part of patrols shares: the rules' constants, how refusals are logged, the estate's local days, and
a round's progress (a route's stops are kept per process)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Estate, PatrolRound, PatrolScan, RoundStatus, RouteStop, ScanOutcome
from estate_pwa.services.refusals import Refusal

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

OPEN = (RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS)
FINISHED = (RoundStatus.ON_TIME, RoundStatus.LATE)

# Refusals, written to the audit log by the refusals kit (a refused scan keeps its own path: see scanning.py).
SCAN_REFUSED = Refusal("scan_refused")
"""A scan refused before its checkpoint is known (role, input, code)."""
SCAN_AT_POINT_REFUSED = Refusal("scan_refused", "patrol_point")
"""A scan of a known checkpoint refused (kept as a refused scan row)."""
START_REFUSED = Refusal("round_start_refused")
"""A round start refused before the round is known (role, id)."""
ROUND_START_REFUSED = Refusal("round_start_refused", "patrol_round")


def zone_of(session: Session, estate_id: int) -> ZoneInfo:
    return ZoneInfo(session.get(Estate, estate_id).timezone)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which local `day` starts and the next day starts."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)[:200]


def refusal_key(scan: PatrolScan) -> str:
    """The message key a refused scan was refused with (the first part of its detail)."""
    return scan.detail.split(";")[0]


# Rounds' status and progress

def round_status(patrol_round: PatrolRound, now: datetime) -> str:
    """The round's status as close_overdue would leave it at `now` (what boards show even between runs)."""
    if now > patrol_round.grace_end and patrol_round.status == RoundStatus.SCHEDULED:
        return RoundStatus.MISSED
    if now > patrol_round.grace_end and patrol_round.status == RoundStatus.IN_PROGRESS:
        return RoundStatus.INCOMPLETE
    return patrol_round.status


def finished_status(patrol_round: PatrolRound, finished_at: datetime) -> RoundStatus:
    return RoundStatus.ON_TIME if finished_at <= patrol_round.window_end else RoundStatus.LATE


_ROUTE_STOPS: dict[tuple[object, int], tuple[int, ...]] = {}
_ROUTE_STOPS_KEPT = 10_000


def stop_ids(session: Session, route_id: int) -> tuple[int, ...]:
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


def counted_ids(session: Session, round_id: int, up_to_scan: int | None = None) -> set[int]:
    query = select(PatrolScan.point_id).where(PatrolScan.round_id == round_id,
                                              PatrolScan.outcome == ScanOutcome.COUNTED)
    if up_to_scan is not None:
        query = query.where(col(PatrolScan.id) <= up_to_scan)
    return set(session.exec(query))


def progress(session: Session, patrol_round: PatrolRound) -> tuple[int, int]:
    stops = stop_ids(session, patrol_round.route_id)
    return len(counted_ids(session, patrol_round.id) & set(stops)), len(stops)


def last_counted_time(session: Session, round_id: int) -> datetime | None:
    return session.exec(select(func.max(PatrolScan.server_time)).where(
        PatrolScan.round_id == round_id, PatrolScan.outcome == ScanOutcome.COUNTED)).one()


@dataclass(frozen=True)
class Option:
    """One choice of a list on screen (a route, a guard, an area): its id as text and its name."""

    id: str
    name: str

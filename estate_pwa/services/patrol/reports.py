"""What managers and guards read: rounds as rows (boards, history, exports), the board of one day, one round's
detail, history with filters and its CSV export (a download link, built again for the person it names)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.i18n import LANGUAGES, tr
from estate_pwa.models import (
    PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, Role, RoundStatus, RouteStop, ScanOutcome, User,
)
from estate_pwa.services import files
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.patrol.checkpoints import route_points
from estate_pwa.services.patrol.common import (
    HISTORY_LIMIT, MAX_HISTORY_SPAN, OPEN, day_bounds, refusal_key, round_status, zone_of,
)
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import aware, positive_id

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
    zone = zone_of(session, actor.estate_id)
    if day is None:
        day = now.astimezone(zone).date()
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInput("error.bad_request")
    start, end = day_bounds(day, zone)
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
                  refusal_key(scan) if scan.outcome == ScanOutcome.REFUSED else "",
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
    zone = zone_of(session, actor.estate_id)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    if end - start > MAX_HISTORY_SPAN:
        raise InvalidInput("error.bad_time")
    return start, end


def history(session: Session, actor: Actor | None, from_utc: object, to_utc: object, route_id: object = None,
            guard_id: object = None, status: object = None, now: datetime | None = None) -> list[RoundRow]:
    """Rounds whose window starts in [from_utc, to_utc) (at most 92 days), optionally of one route, one guard
    or one status (statuses as of `now`)."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    start, end = aware(from_utc), aware(to_utc)
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
    zone = zone_of(session, actor.estate_id)

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



HISTORY_CSV = "patrol-history"


@files.downloadable(HISTORY_CSV)
def history_csv(session: Session, actor: Actor, first_day: str, last_day: str, route: str = "", guard: str = "",
                status: str = "", lang: str = "zh") -> files.Download:
    """The manager's history selection (local days `first_day` to `last_day`, optional route, guard and status)
    as a CSV file, headers and statuses in `lang`."""
    start, end = day_range(session, actor, first_day, last_day)
    text = csv_export(session, actor, start, end, route or None, guard or None, status or None,
                      language=lang if lang in LANGUAGES else LANGUAGES[0])
    return files.Download(f"patrol-rounds-{first_day}-{last_day}.csv", "text/csv; charset=utf-8",
                          text.encode("utf-8"))

"""Patrol screens' rows, built here for the person looking: names, places and local times as text, statuses and
outcomes as keys the page translates (so switching language needs no server round trip), and the `actions` the
viewer may take on each row, decided by the same rules that enforce them."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from estate_pwa.core.clock import format_local, to_local, utcnow
from estate_pwa.models import Estate, Role, RoundStatus, ScanOutcome
from estate_pwa.services import accounts, roster
from estate_pwa.services.errors import DomainError
from estate_pwa.services.patrol.checkpoints import routes
from estate_pwa.services.patrol.common import Option
from estate_pwa.services.patrol.reports import RoundRow, ScanLine, board, day_range, history, my_rounds, round_detail
from estate_pwa.services.patrol.scanning import KEPT_REFUSALS, SCAN_REFUSALS, ScanResult
from estate_pwa.services.patrol.schedule import start_refusal
from estate_pwa.services.permissions import Actor, require

START, SCAN, DETAILS = "start", "scan", "details"
"""What a viewer may do with a round: start it (its guard, or a guard on duty for an unassigned one), scan its
checkpoints (its guard, while it is in progress), open its checkpoints and scans (a manager, once started)."""
HISTORY_DEFAULT_SPAN = timedelta(days=6)
SCAN_AFTER_CLOSE = "patrol.scan_after_close"
SCAN_LINE_KEYS = (SCAN_AFTER_CLOSE, *(k for k in KEPT_REFUSALS if k != "error.scan_after_close"),
                  *(f"patrol.scan_{o.value}" for o in ScanOutcome))
"""Every key a round detail's scan line may carry as `what`."""
CAMERA_FAILED = "patrol.camera_failed"
SCAN_MESSAGE_KEYS = (*(f"patrol.outcome_{o.value}" for o in ScanOutcome), *SCAN_REFUSALS, CAMERA_FAILED)
"""Every key a scan answer may carry as `message`."""


@dataclass(frozen=True)
class RoundCard:
    """One round on a guard's home, the manager's board or in history."""

    id: str
    route: str
    day: str
    window: str
    status: str
    """A RoundStatus value (as of now): the page shows `patrol.status_<status>`."""
    guard: str
    """The guard's name; "" while unassigned."""
    progress: str
    deadline: str
    """The instant the countdown runs to (ISO), while the round is scheduled or in progress."""
    before_start: bool
    """The countdown is to the window's start (else to its end)."""
    flagged: int
    refused: int
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rounds:
    """Rounds as of `server_now` (ISO: the countdowns tick from it on the device)."""

    rounds: list[RoundCard]
    server_now: str


@dataclass(frozen=True)
class LastScanRow:
    guard: str
    point: str
    at: str


@dataclass(frozen=True)
class BoardScreen:
    rounds: list[RoundCard]
    last_scans: list[LastScanRow]
    server_now: str


@dataclass(frozen=True)
class StopRow:
    """A checkpoint of the round's route, with when it was counted ("" not yet)."""

    point: str
    at: str
    counted: bool


@dataclass(frozen=True)
class ScanRow:
    """A scan kept on the round: `what` is a key of SCAN_LINE_KEYS; `phone` the phone's time when it was synced
    late ("" otherwise)."""

    point: str
    at: str
    phone: str
    counted: bool
    what: str


@dataclass(frozen=True)
class DetailView:
    """One round's checkpoints and scans, for a manager."""

    round: RoundCard
    stops: list[StopRow]
    scans: list[ScanRow]


@dataclass(frozen=True)
class HistoryScreen:
    rows: list[RoundCard]
    total: int
    server_now: str


@dataclass(frozen=True)
class HistoryChoices:
    """The history's default days (local ISO dates) and the routes and guards to filter by."""

    first_day: str
    last_day: str
    routes: list[Option]
    guards: list[Option]


@dataclass(frozen=True)
class ScanAnswer:
    """What the guard's phone shows of one scan: `message` is a key of SCAN_MESSAGE_KEYS; `finished` the round's
    status when this scan finished it ("" otherwise)."""

    point: str
    message: str
    finished: str
    counted: bool
    progress: str


NO_ROUND = RoundCard("", "", "", "", "", "", "", "", False, 0, 0, [])
"""No round (a screen's round field before one is opened)."""
NO_ANSWER = ScanAnswer("", "", "", False, "")
"""No scan answered yet (the phone shows a spinner or nothing)."""


def _timezone(session: Session, actor: Actor) -> str:
    return session.get(Estate, actor.estate_id).timezone


def _cards(session: Session, actor: Actor, found: list[RoundRow], now: datetime, timezone: str) -> list[RoundCard]:
    duty: list[bool] = []

    def on_duty() -> bool:  # asked at most once per screen, only for an unassigned round
        if not duty:
            duty.append(roster.is_on_duty(session, actor, Role.GUARD, now))
        return duty[0]

    def actions(r: RoundRow) -> list[str]:
        allowed = []
        if actor.has(Role.GUARD) and start_refusal(r, actor.id, now, on_duty) is None:
            allowed.append(START)
        if actor.has(Role.GUARD) and r.guard_id == actor.id and r.status == RoundStatus.IN_PROGRESS:
            allowed.append(SCAN)
        if actor.has(Role.MANAGER) and r.status != RoundStatus.SCHEDULED:
            allowed.append(DETAILS)
        return allowed

    def card(r: RoundRow) -> RoundCard:
        before_start = r.status == RoundStatus.SCHEDULED and now < r.window_start
        return RoundCard(
            str(r.round_id), r.route_name, format_local(r.window_start, timezone, "%m-%d"),
            f"{format_local(r.window_start, timezone, '%H:%M')}–{format_local(r.window_end, timezone, '%H:%M')}",
            r.status, r.guard_name, f"{r.done} / {r.total}",
            (r.window_start if before_start else r.window_end).isoformat(), before_start, r.flagged, r.refused,
            actions(r))

    return [card(r) for r in found]


def guard_rounds(session: Session, actor: Actor | None, now: datetime | None = None) -> Rounds:
    """A guard's open rounds (theirs and unassigned ones) starting within 12 hours."""
    now = now or utcnow()
    found = my_rounds(session, actor, now)
    return Rounds(_cards(session, actor, found, now, _timezone(session, actor)), now.isoformat())


def board_screen(session: Session, actor: Actor | None, now: datetime | None = None) -> BoardScreen:
    """The manager's board of today: every round and each guard's last counted scan."""
    now = now or utcnow()
    today = board(session, actor, now=now)
    timezone = _timezone(session, actor)
    return BoardScreen(_cards(session, actor, today.rounds, now, timezone),
                       [LastScanRow(s.guard_name, s.point_name or "—", format_local(s.at, timezone, "%H:%M"))
                        for s in today.last_scans], now.isoformat())


def _what(line: ScanLine) -> str:
    if line.reason == "error.scan_after_close":
        return SCAN_AFTER_CLOSE
    return line.reason or f"patrol.scan_{line.outcome}"


def detail_view(session: Session, actor: Actor | None, round_id: object, now: datetime | None = None) -> DetailView:
    """One round's checkpoints (counted when) and every scan kept on it; times of another day carry their date (a
    scan synced the next morning)."""
    now = now or utcnow()
    detail = round_detail(session, actor, round_id, now)
    timezone = _timezone(session, actor)
    day = to_local(detail.row.window_start, timezone).date()

    def when(moment: datetime) -> str:
        return format_local(moment, timezone, "%H:%M:%S" if to_local(moment, timezone).date() == day
                            else "%m-%d %H:%M:%S")

    return DetailView(
        _cards(session, actor, [detail.row], now, timezone)[0],
        [StopRow(stop.point_name, when(stop.counted_at) if stop.counted_at else "", stop.counted_at is not None)
         for stop in detail.stops],
        [ScanRow(line.point_name, when(line.server_time), when(line.client_time) if line.synced_late else "",
                 line.outcome == ScanOutcome.COUNTED, _what(line)) for line in detail.scans])


def history_choices(session: Session, actor: Actor | None, now: datetime | None = None) -> HistoryChoices:
    """The last 7 local days, and the estate's routes and guards."""
    actor = require(actor, Role.MANAGER)
    today = roster.local_today(session, actor.estate_id, now or utcnow())
    return HistoryChoices(
        (today - HISTORY_DEFAULT_SPAN).isoformat(), today.isoformat(),
        [Option(str(r.id), r.name) for r in routes(session, actor)],
        [Option(str(user.id), user.name) for user, roles in accounts.staff_of_estate(session, actor)
         if Role.GUARD in roles])


def history_screen(session: Session, actor: Actor | None, first_day: object, last_day: object, route: object = None,
                   guard: object = None, status: object = None, limit: int = 300,
                   now: datetime | None = None) -> HistoryScreen:
    """The rounds of local days `first_day` to `last_day` (optionally of one route, guard or status): the first
    `limit` of them, and how many there are."""
    now = now or utcnow()
    start, end = day_range(session, actor, first_day, last_day)
    found = history(session, actor, start, end, route, guard, status, now)
    return HistoryScreen(_cards(session, actor, found[:limit], now, _timezone(session, actor)), len(found),
                         now.isoformat())


def scan_answer(result: ScanResult | DomainError) -> ScanAnswer:
    """A scan's answer (or refusal) as the phone shows it."""
    if isinstance(result, DomainError):
        return ScanAnswer("", result.key, "", False, "")
    return ScanAnswer(result.point_name, f"patrol.outcome_{result.outcome}",
                      result.round_status if result.round_status in (RoundStatus.ON_TIME, RoundStatus.LATE) else "",
                      result.counted, f"{result.done} / {result.total}")

"""The manager's cleaning board, built here so the state only holds it: today's coverage per area and per cleaner,
rework outstanding (overdue flagged, with the repair a damage opened), ticks made without presence (no area code
scanned near them), inspection results per day over the last weeks, and who holds the inspector right."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import (
    STAFF_ROLES,
    Area,
    ChecklistItem,
    CleaningResult,
    CleaningTask,
    CleaningTick,
    Estate,
    Role,
    TaskKind,
    User,
    UserRole,
)
from estate_pwa.services.cleaning.rules import CLEANING
from estate_pwa.services.cleaning.views import COVERAGE, CoverageRow, coverage
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import require

RESULT_DAYS = 28
SHORT = "%m-%d %H:%M"


@dataclass
class ReworkRow:
    """Rework not yet done: where, what, whose, due when; `repair` names the repair request a damage opened."""

    id: int = 0
    area: str = ""
    item: str = ""
    cleaner: str = ""
    due: str = ""
    overdue: bool = False
    repair: str = ""


@dataclass
class PresenceRow:
    """A task ticked today without presence: no scan of the area's code near the tick."""

    id: int = 0
    area: str = ""
    item: str = ""
    cleaner: str = ""
    done_at: str = ""


@dataclass
class InspectionPoint:
    """One day of inspection results (a point of the chart)."""

    day: str = ""
    passed: int = 0
    failed: int = 0


@dataclass
class StaffRight:
    """A staff member and whether they hold the inspector right."""

    id: int = 0
    name: str = ""
    roles: list[str] = field(default_factory=list)
    inspector: bool = False


@dataclass
class Board:
    areas: list[CoverageRow]
    cleaners: list[CoverageRow]
    rework: list[ReworkRow]
    presence: list[PresenceRow]
    results: list[InspectionPoint]


def _per_cleaner(areas: list[CoverageRow]) -> list[CoverageRow]:
    """Today's coverage summed per responsible cleaner; a cleaner's status is that of their worst area."""
    mine: dict[str, CoverageRow] = {}
    for row in areas:
        if row.unassigned:
            continue
        total = mine.setdefault(row.cleaner, CoverageRow(name=row.cleaner, cleaner=row.cleaner, status="nothing_due"))
        total.done, total.total = total.done + row.done, total.total + row.total
        total.rework_open, total.rework_overdue = total.rework_open + row.rework_open, \
            total.rework_overdue + row.rework_overdue
        if COVERAGE.index(row.status) < COVERAGE.index(total.status):
            total.status = row.status
    return sorted(mine.values(), key=lambda r: (COVERAGE.index(r.status), r.name))


def _day_start(now: datetime, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    return datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def board(session: Session, actor: Actor | None, now: datetime | None = None) -> Board:
    """Everything the manager's cleaning page shows (manager)."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    now = now or utcnow()
    timezone = session.get(Estate, actor.estate_id).timezone
    areas = coverage(session, actor, now)
    names = dict(session.exec(select(User.id, User.name).where(User.estate_id == actor.estate_id)).all())
    rework = [ReworkRow(t.id, area, item, names.get(t.cleaner_id, ""), format_local(t.due_at, timezone, SHORT),
                        t.due_at <= now, f"#{repair}" if repair else "")
              for t, area, item, repair in session.exec(
                  select(CleaningTask, Area.name, ChecklistItem.text, CleaningResult.repair_request_id)
                  .join(Area, col(Area.id) == CleaningTask.area_id)
                  .join(ChecklistItem, col(ChecklistItem.id) == CleaningTask.item_id)
                  .join(CleaningResult, col(CleaningResult.rework_task_id) == CleaningTask.id, isouter=True)
                  .where(CleaningTask.estate_id == actor.estate_id, CleaningTask.kind == TaskKind.REWORK,
                         col(CleaningTask.done_at).is_(None))
                  .order_by(col(CleaningTask.due_at), col(CleaningTask.id)))]
    presence = [PresenceRow(tick.id, area, item, names.get(tick.cleaner_id, ""),
                            format_local(tick.done_at, timezone, SHORT))
                for tick, area, item in session.exec(
                    select(CleaningTick, Area.name, ChecklistItem.text)
                    .join(CleaningTask, col(CleaningTask.id) == CleaningTick.task_id)
                    .join(Area, col(Area.id) == CleaningTask.area_id)
                    .join(ChecklistItem, col(ChecklistItem.id) == CleaningTask.item_id)
                    .where(CleaningTick.estate_id == actor.estate_id, col(CleaningTick.present).is_(False),
                           col(CleaningTick.done_at) >= _day_start(now, timezone))
                    .order_by(col(CleaningTick.done_at).desc(), col(CleaningTick.id)))]
    return Board(areas, _per_cleaner(areas), rework, presence, results_by_day(session, actor.estate_id, now, timezone))


def results_by_day(session: Session, estate_id: int, now: datetime, timezone: str,
                   days: int = RESULT_DAYS) -> list[InspectionPoint]:
    """Inspected items passed and failed per local day over the last `days` days (one query, then per day)."""
    start = _day_start(now, timezone) - timedelta(days=days - 1)
    zone = ZoneInfo(timezone)
    rows = session.exec(select(CleaningResult.inspected_at, CleaningResult.passed).where(
        CleaningResult.estate_id == estate_id, col(CleaningResult.inspected_at) >= start)).all()
    per_day: dict[str, list[int]] = {}
    for offset in range(days):
        per_day[f"{(start + timedelta(days=offset, hours=12)).astimezone(zone):%m-%d}"] = [0, 0]
    for at, passed in rows:
        key = f"{at.astimezone(zone):%m-%d}"
        if key in per_day:
            per_day[key][0 if passed else 1] += 1
    return [InspectionPoint(day, p, f) for day, (p, f) in per_day.items()]


def staff_rights(session: Session, actor: Actor | None) -> list[StaffRight]:
    """The estate's active staff and whether each holds the inspector right (manager)."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    held: dict[int, list[str]] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role).join(
            User, col(User.id) == UserRole.user_id).where(User.estate_id == actor.estate_id,
                                                          col(User.is_active).is_(True))):
        held.setdefault(user_id, []).append(role)
    staff = [uid for uid, roles in held.items() if set(roles) & set(STAFF_ROLES) and Role.MANAGER not in roles]
    users = session.exec(select(User).where(col(User.id).in_(staff)).order_by(col(User.name), col(User.id))).all() \
        if staff else []
    return [StaffRight(u.id, u.name, sorted(r for r in held[u.id] if r != Role.INSPECTOR),
                       Role.INSPECTOR in held[u.id]) for u in users]



"""What the cleaning screens show, built here so states only hold it: the cleaner's areas of today in walking order
with progress and typed task rows carrying the actions the viewer may take, the manager's coverage of today per
area and cleaner (unassigned areas flagged), the checklist templates, and each area's items to inspect."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, to_local, utcnow
from estate_pwa.models import (
    Area,
    ChecklistItem,
    CleaningAssignment,
    CleaningTask,
    CleaningTick,
    Estate,
    Role,
    Shift,
    TaskKind,
    User,
    UserRole,
)
from estate_pwa.services import photos as photo_links
from estate_pwa.services.cleaning.rules import (
    CLEANING,
    INSPECTORS,
    load,
    responsible_filter,
    responsibles,
    tick_refusal,
)
from estate_pwa.services.cleaning.setup import checklist
from estate_pwa.services.permissions import Actor
from estate_pwa.services.photos import PhotoLink
from estate_pwa.services.refusals import require

STAFF_VIEWERS = (Role.MANAGER, Role.INSPECTOR, Role.CLEANER)
CLOCK = "%H:%M"
SHORT = "%m-%d %H:%M"
COVERAGE = ("overdue", "not_started", "partly", "done", "nothing_due")
"""A coverage status, worst first (the manager's list is sorted by it)."""


@dataclass
class TaskRow:
    """One task as a screen shows it to one viewer; `slot` is a key (cleaning.slot_<…>) or a shift's name."""

    id: int = 0
    item: str = ""
    slot: str = ""
    shift: str = ""
    kind: str = ""
    due: str = ""
    done: bool = False
    done_at: str = ""
    overdue: bool = False
    late: bool = False
    present: bool = False
    photo_required: bool = False
    photos: list[PhotoLink] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class AreaCard:
    """One of the cleaner's areas today: progress and its tasks."""

    id: int = 0
    name: str = ""
    kind: str = ""
    done: int = 0
    total: int = 0
    overdue: int = 0
    tasks: list[TaskRow] = field(default_factory=list)


@dataclass
class CoverageRow:
    """One area's coverage today, for managers; `status` is one of COVERAGE."""

    id: int = 0
    name: str = ""
    kind: str = ""
    cleaner: str = ""
    unassigned: bool = False
    done: int = 0
    total: int = 0
    status: str = ""
    rework_open: int = 0
    rework_overdue: int = 0
    actions: list[str] = field(default_factory=list)


@dataclass
class ItemRow:
    """One checklist item of a template."""

    id: int = 0
    kind: str = ""
    text: str = ""
    frequency: str = ""
    weekdays: str = ""
    photo_required: bool = False
    rework_hours: int = 2
    active: bool = True


@dataclass
class Choice:
    """A cleaner to assign."""

    id: str = ""
    name: str = ""


def _day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))
    return start, end


def _todays(session: Session, estate_id: int, area_ids: list[int], now: datetime, timezone: str) -> list[CleaningTask]:
    """The areas' tasks of today (any task whose window meets the local day) and rework not yet done."""
    if not area_ids:
        return []
    start, end = _day_bounds(now, timezone)
    today = (col(CleaningTask.starts_at) < end) & (col(CleaningTask.due_at) > start)
    open_rework = (CleaningTask.kind == TaskKind.REWORK) & col(CleaningTask.done_at).is_(None)
    return list(session.exec(select(CleaningTask).where(
        CleaningTask.estate_id == estate_id, col(CleaningTask.area_id).in_(area_ids), today | open_rework)
        .order_by(col(CleaningTask.kind), col(CleaningTask.due_at), col(CleaningTask.id))))  # "rework" first


def _due(task: CleaningTask, timezone: str) -> str:
    """When a task is due, local: a clock time within a day, else with the date; a window closing at midnight is
    due at 24:00 of its last day (not 00:00, which reads as already past)."""
    local, short = to_local(task.due_at, timezone), task.due_at - task.starts_at <= timedelta(days=1)
    if (local.hour, local.minute) == (0, 0):
        return "24:00" if short else f"{local - timedelta(days=1):%m-%d} 24:00"
    return local.strftime(CLOCK if short else SHORT)


def _task_rows(session: Session, actor: Actor, tasks: list[CleaningTask], owners: dict[int, int],
               now: datetime, timezone: str) -> list[TaskRow]:
    items = {i.id: i for i in session.exec(select(ChecklistItem).where(
        col(ChecklistItem.id).in_({t.item_id for t in tasks})))} if tasks else {}
    shifts = dict(session.exec(select(Shift.id, Shift.name).where(Shift.estate_id == actor.estate_id)).all())
    ticks = {t.task_id: t for t in session.exec(select(CleaningTick).where(
        col(CleaningTick.task_id).in_([t.id for t in tasks])))} if tasks else {}
    rows = []
    for task in tasks:
        item, done = items[task.item_id], ticks.get(task.id)
        slot = "rework" if task.kind == TaskKind.REWORK else task.slot.split(":")[0]
        rows.append(TaskRow(
            id=task.id, item=item.text, slot=slot, shift=shifts.get(task.shift_id, ""), kind=task.kind,
            due=_due(task, timezone),
            done=task.done_at is not None, done_at=format_local(task.done_at, timezone, CLOCK),
            overdue=task.done_at is None and task.due_at <= now, late=bool(done and done.late),
            present=bool(done and done.present), photo_required=item.photo_required,
            photos=photo_links.links(done.photos, now) if done else [],
            actions=["tick"] if task.done_at is None and tick_refusal(
                actor, task, owners.get(task.area_id), now) is None else [],
        ))
    return rows


def cleaner_today(session: Session, actor: Actor | None, now: datetime | None = None) -> list[AreaCard]:
    """The cleaner's areas today in walking order, each with its progress and tasks (rework first); also areas
    where only rework given to them waits."""
    actor = require(session, actor, CLEANING, Role.CLEANER)
    now = now or utcnow()
    timezone = session.get(Estate, actor.estate_id).timezone
    mine = list(session.exec(select(CleaningAssignment).where(
        CleaningAssignment.cleaner_id == actor.id, *responsible_filter(now))
        .order_by(col(CleaningAssignment.walk_order), col(CleaningAssignment.id))))
    rework_areas = [a for a in session.exec(select(CleaningTask.area_id).where(
        CleaningTask.cleaner_id == actor.id, CleaningTask.kind == TaskKind.REWORK,
        col(CleaningTask.done_at).is_(None))) if a not in {m.area_id for m in mine}]
    area_ids = [m.area_id for m in mine] + sorted(set(rework_areas))
    areas = {a.id: a for a in session.exec(select(Area).where(col(Area.id).in_(area_ids)))} if area_ids else {}
    owners = {m.area_id: actor.id for m in mine}
    tasks = _todays(session, actor.estate_id, area_ids, now, timezone)
    cards = []
    for area_id in area_ids:
        own = [t for t in tasks if t.area_id == area_id and (
            area_id in owners if t.kind == TaskKind.ROUTINE else t.cleaner_id == actor.id)]
        rows = _task_rows(session, actor, own, owners, now, timezone)
        area = areas[area_id]
        cards.append(AreaCard(area.id, area.name, area.kind, sum(r.done for r in rows), len(rows),
                              sum(r.overdue for r in rows), rows))
    return cards


def _status(started: list[CleaningTask], now: datetime) -> str:
    if not started:
        return "nothing_due"
    done = sum(t.done_at is not None for t in started)
    if any(t.done_at is None and t.due_at <= now for t in started):
        return "overdue"
    return "done" if done == len(started) else "partly" if done else "not_started"


def coverage(session: Session, actor: Actor | None, now: datetime | None = None) -> list[CoverageRow]:
    """Every area's coverage today (tasks begun so far: done, partly, not started, overdue), its responsible
    cleaner or the flag that it has none, and its rework outstanding; the worst first."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    now = now or utcnow()
    timezone = session.get(Estate, actor.estate_id).timezone
    areas = list(session.exec(select(Area).where(Area.estate_id == actor.estate_id).order_by(col(Area.id))))
    owners = responsibles(session, actor.estate_id, now)
    names = dict(session.exec(select(User.id, User.name).where(
        col(User.id).in_({a.cleaner_id for a in owners.values()}))).all()) if owners else {}
    tasks = _todays(session, actor.estate_id, [a.id for a in areas], now, timezone)
    rows = []
    for area in areas:
        mine = [t for t in tasks if t.area_id == area.id]
        started = [t for t in mine if t.starts_at <= now and t.kind == TaskKind.ROUTINE]
        rework = [t for t in mine if t.kind == TaskKind.REWORK and t.done_at is None]
        owner = owners.get(area.id)
        rows.append(CoverageRow(
            id=area.id, name=area.name, kind=area.kind, cleaner=names.get(owner.cleaner_id, "") if owner else "",
            unassigned=owner is None, done=sum(t.done_at is not None for t in started), total=len(started),
            status=_status(started, now), rework_open=len(rework),
            rework_overdue=sum(t.due_at <= now for t in rework), actions=["assign", "inspect"]))
    return sorted(rows, key=lambda r: (not r.unassigned, COVERAGE.index(r.status), r.id))


def item_rows(session: Session, actor: Actor | None, active_only: bool = True) -> list[ItemRow]:
    """The estate's checklist templates, by kind of area (manager); retired items too unless `active_only`."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    return [ItemRow(i.id, i.area_kind, i.text, i.frequency, i.weekdays, i.photo_required, i.rework_hours, i.active)
            for i in checklist(session, actor.estate_id, active_only=active_only)]


def area_name(session: Session, actor: Actor | None, area_id: object) -> str:
    """The name of an area of the actor's estate (staff)."""
    actor = require(session, actor, CLEANING, *STAFF_VIEWERS)
    return load(session, actor, Area, area_id).name


@dataclass
class AreaSheet:
    """An area and the items an inspection of it checks (its kind's checklist)."""

    id: int = 0
    name: str = ""
    checklist: list[ItemRow] = field(default_factory=list)


def inspection_sheets(session: Session, actor: Actor | None) -> list[AreaSheet]:
    """Every area of the estate with its checklist, for an inspector's phone (kept there for offline use; managers
    and inspectors)."""
    actor = require(session, actor, CLEANING, *INSPECTORS)
    by_kind: dict[str, list[ItemRow]] = {}
    for i in checklist(session, actor.estate_id):
        by_kind.setdefault(i.area_kind, []).append(
            ItemRow(i.id, i.area_kind, i.text, i.frequency, i.weekdays, i.photo_required, i.rework_hours))
    areas = session.exec(select(Area).where(Area.estate_id == actor.estate_id).order_by(col(Area.name), col(Area.id)))
    return [AreaSheet(a.id, a.name, by_kind.get(a.kind, [])) for a in areas]


def cleaner_choices(session: Session, actor: Actor | None) -> list[Choice]:
    """The estate's active cleaners, to assign (manager)."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    return [Choice(str(uid), name) for uid, name in session.exec(
        select(User.id, User.name).join(UserRole, col(UserRole.user_id) == User.id).where(
            User.estate_id == actor.estate_id, col(User.is_active).is_(True), UserRole.role == Role.CLEANER)
        .order_by(col(User.id)))]

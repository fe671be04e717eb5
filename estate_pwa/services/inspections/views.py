"""What the inspection screens show, built here so states only hold it: the inspector's list of today in walking
order (re-inspections and overdue tasks first, then by location) with each task's checklist, the due task of a
scanned asset code, the manager's overdue tasks, and fire equipment nearing its expiry (30 days ahead)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import (
    Asset,
    AssetCategory,
    Estate,
    InspectionKind,
    InspectionPlan,
    InspectionTask,
    PlaceKind,
    Role,
    User,
)
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.inspections.record import expired
from estate_pwa.services.inspections.rules import (
    INSPECTIONS,
    INSPECTORS,
    PLANNERS,
    RECORD,
    load,
    record_refusal,
)
from estate_pwa.services.inspections.tasks import generate_rechecks
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.reports import codes

SHORT = "%m-%d %H:%M"
EXPIRY_WARNING = timedelta(days=30)
LOOK_BACK = timedelta(days=7)
"""Overdue tasks stay on the inspector's list for a week (the manager's list keeps them for 30 days)."""
MANAGER_LOOK_BACK = timedelta(days=30)
LIST_MAX = 200


@dataclass
class TaskRow:
    """One task as the inspector's list shows it; `category` is a key (facilities.category_<…>)."""

    id: int = 0
    code: str = ""
    name: str = ""
    location: str = ""
    category: str = ""
    plan: str = ""
    recheck: bool = False
    due: str = ""
    overdue: bool = False
    later: bool = False
    """Open and due after today (a weekly or monthly task; never a re-inspection): listed apart, below today's."""
    expires: str = ""
    expiring: bool = False
    expired: bool = False
    done: bool = False
    defective: bool = False
    inspector: str = ""
    actions: list[str] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)
    """The items to mark, when the viewer may record the task."""


def _today(session: Session, estate_id: int, now: datetime) -> tuple[str, date]:
    timezone = session.get(Estate, estate_id).timezone
    return timezone, now.astimezone(ZoneInfo(timezone)).date()


def _expiry(asset: Asset, today: date) -> tuple[str, bool, bool]:
    """(the date, nearing it within 30 days, past it) for fire equipment with an expiry date."""
    if asset.expires_on is None:
        return "", False, False
    return asset.expires_on.isoformat(), asset.expires_on - today <= EXPIRY_WARNING, expired(asset, today)


def _end_of(today: date, timezone: str) -> datetime:
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(timezone))


def _row(actor: Actor, task: InspectionTask, asset: Asset, plan: InspectionPlan, names: dict, timezone: str,
         today: date, now: datetime) -> TaskRow:
    expires, expiring, out_of_date = _expiry(asset, today)
    may_record = record_refusal(actor, task) is None
    return TaskRow(
        id=task.id, code=asset.code, name=asset.name, location=asset.location,
        category=f"facilities.category_{asset.category}", plan=plan.name,
        recheck=task.kind == InspectionKind.RECHECK, due=format_local(task.due_at, timezone, SHORT),
        overdue=task.done_at is None and task.due_at <= now,
        later=task.done_at is None and task.kind != InspectionKind.RECHECK and task.due_at > _end_of(today, timezone), expires=expires, expiring=expiring,
        expired=out_of_date, done=task.done_at is not None, defective=bool(task.defective),
        inspector=names.get(task.inspector_id, ""),
        actions=[RECORD] if may_record else [], checklist=list(plan.items) if may_record else [],
    )


def _mine(actor: Actor):
    """Tasks given to the actor by name, or to nobody by name and to a role they hold."""
    roles = [r.value for r in actor.roles]
    return or_(InspectionTask.assignee_id == actor.id,
               col(InspectionTask.assignee_id).is_(None) & col(InspectionTask.role).in_(roles))


def today_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[TaskRow]:
    """The inspector's list: their tasks open now (re-inspections of repaired assets, due today, this week or this
    month, and overdue within a week), then those they did today; in walking order (re-inspections and overdue
    first, then what is due today, then what is due later — on the 1st every monthly task —, each by location and
    code). Re-inspections whose job just finished are made first."""
    actor = require(session, actor, INSPECTIONS, *INSPECTORS)
    now = now or utcnow()
    generate_rechecks(session, actor.estate_id, now)
    timezone, today = _today(session, actor.estate_id, now)
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo(timezone))
    found = session.exec(
        select(InspectionTask, Asset, InspectionPlan)
        .join(Asset, col(Asset.id) == InspectionTask.asset_id)
        .join(InspectionPlan, col(InspectionPlan.id) == InspectionTask.plan_id)
        .where(InspectionTask.estate_id == actor.estate_id, _mine(actor), col(Asset.retired_at).is_(None),
               InspectionTask.starts_at <= now,
               or_(col(InspectionTask.done_at).is_(None) & (col(InspectionTask.due_at) > now - LOOK_BACK),
                   col(InspectionTask.done_at) >= midnight))
        .order_by(col(InspectionTask.due_at)).limit(LIST_MAX)).all()
    names = {actor.id: actor.name}
    rows = [_row(actor, task, asset, plan, names, timezone, today, now) for task, asset, plan in found]
    return sorted(rows, key=lambda r: (r.done, not r.recheck, not r.overdue, r.later, r.location, r.code, r.id))


def _due_task(session: Session, actor: Actor, asset_id: int, now: datetime) -> InspectionTask | None:
    """The asset's open task the actor may record: a re-inspection first, then the one due first."""
    query = select(InspectionTask).where(InspectionTask.estate_id == actor.estate_id,
                                         InspectionTask.asset_id == asset_id, col(InspectionTask.done_at).is_(None),
                                         InspectionTask.starts_at <= now)
    if not actor.has(Role.MANAGER):
        query = query.where(_mine(actor))
    found = session.exec(query.order_by(col(InspectionTask.due_at), col(InspectionTask.id))).all()
    found = sorted(found, key=lambda task: task.kind != InspectionKind.RECHECK)  # stable: due order kept
    return next((task for task in found if record_refusal(actor, task) is None), None)


def task_of_code(session: Session, actor: Actor | None, scanned: object, now: datetime | None = None) -> TaskRow:
    """The due inspection of the asset whose posted code was scanned (the scanned text is only a claim: its
    signature, its row and its estate are checked). Refuses a forged code, a revoked one, an area's code, another
    estate's, and an asset with nothing due for the actor (audited)."""
    actor = require(session, actor, INSPECTIONS, *INSPECTORS)
    now = now or utcnow()
    with refusing(session, actor, INSPECTIONS):
        place = codes.resolve(session, scanned, now)
        if place.kind != PlaceKind.ASSET or place.estate_id != actor.estate_id:
            raise InvalidInput("error.code_invalid")
        task = _due_task(session, actor, place.id, now)
        if task is None:
            raise NotFound("error.nothing_due_here")
    timezone, today = _today(session, actor.estate_id, now)
    return _row(actor, task, session.get(Asset, task.asset_id), session.get(InspectionPlan, task.plan_id),
                {actor.id: actor.name}, timezone, today, now)


def task_row(session: Session, actor: Actor | None, task_id: object, now: datetime | None = None) -> TaskRow:
    """One task as the inspector's list shows it (staff of its estate; refusals audited)."""
    actor = require(session, actor, INSPECTIONS, *INSPECTORS)
    now = now or utcnow()
    task = load(session, actor, InspectionTask, task_id)
    timezone, today = _today(session, actor.estate_id, now)
    names = {actor.id: actor.name}
    return _row(actor, task, session.get(Asset, task.asset_id), session.get(InspectionPlan, task.plan_id), names,
                timezone, today, now)


def overdue_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[TaskRow]:
    """The manager's overdue tasks of the last 30 days, oldest first."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    now = now or utcnow()
    timezone, today = _today(session, actor.estate_id, now)
    found = session.exec(
        select(InspectionTask, Asset, InspectionPlan)
        .join(Asset, col(Asset.id) == InspectionTask.asset_id)
        .join(InspectionPlan, col(InspectionPlan.id) == InspectionTask.plan_id)
        .where(InspectionTask.estate_id == actor.estate_id, col(InspectionTask.done_at).is_(None),
               col(Asset.retired_at).is_(None), InspectionTask.due_at <= now,
               InspectionTask.due_at > now - MANAGER_LOOK_BACK)
        .order_by(col(InspectionTask.due_at), col(InspectionTask.id)).limit(LIST_MAX)).all()
    return [_row(actor, task, asset, plan, {}, timezone, today, now) for task, asset, plan in found]


@dataclass
class ExpiryRow:
    """A fire-equipment item expiring within 30 days, or past its date."""

    code: str = ""
    name: str = ""
    location: str = ""
    expires: str = ""
    expired: bool = False


def expiring_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ExpiryRow]:
    """Fire equipment past its expiry date or reaching it within 30 days (managers), soonest first."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    _, today = _today(session, actor.estate_id, now or utcnow())
    assets = session.exec(select(Asset).where(
        Asset.estate_id == actor.estate_id, Asset.category == AssetCategory.FIRE_EQUIPMENT,
        col(Asset.retired_at).is_(None), col(Asset.expires_on).is_not(None),
        col(Asset.expires_on) <= today + EXPIRY_WARNING).order_by(col(Asset.expires_on), Asset.code)
        .limit(LIST_MAX)).all()
    return [ExpiryRow(a.code, a.name, a.location, a.expires_on.isoformat(), expired(a, today)) for a in assets]


def inspector_choices(session: Session, actor: Actor | None) -> list[tuple[int, str]]:
    """Active staff a plan may name, by name (managers)."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    return [(u.id, u.name) for u in session.exec(select(User).where(
        User.estate_id == actor.estate_id, User.is_active, col(User.unit_id).is_(None)).order_by(User.name))]


def can_plan(actor: Actor | None) -> bool:
    """Whether the viewer may keep plans (the screen shows the manager's part)."""
    return actor is not None and actor.has(Role.MANAGER)

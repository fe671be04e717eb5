"""Inspection plans (巡检计划), kept by managers: which assets (one asset, or a category and optionally a kind
within it), how often (daily, weekly, monthly, on given weekdays), the checklist, and who inspects (a role, or a
named person holding it)."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from estate_pwa.models import (
    SUBKINDS,
    Asset,
    AssetCategory,
    InspectionPlan,
    PlanFrequency,
    Role,
    User,
    UserRole,
)
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.inspections.rules import (
    INSPECTIONS,
    INSPECTORS,
    PLANNERS,
    load,
    log,
)
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.validation import choice, text

NAME_MAX = 100
ITEM_MAX = 100
ITEMS_MAX = 12
TOGGLE = "toggle"


def _weekdays(raw: object) -> str:
    """Given weekdays as digits Monday 0 … Sunday 6 (a list, or text "0,3"), sorted, at least one."""
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not raw or len(raw) > 7:
        raise InvalidInput("error.weekdays_required")
    days = set()
    for day in raw:
        if isinstance(day, bool) or not isinstance(day, (int, str)) or str(day).strip() not in "0123456" \
                or len(str(day).strip()) != 1:
            raise InvalidInput("error.weekdays_required")
        days.add(int(day))
    return ",".join(str(d) for d in sorted(days))


def _items(raw: object) -> list[str]:
    """The checklist: text with one item a line, or a list of texts; 1 to 12 items of at most 100 characters."""
    if isinstance(raw, str):
        raw = raw.splitlines()
    if not isinstance(raw, (list, tuple)) or len(raw) > 4 * ITEMS_MAX:
        raise InvalidInput("error.checklist_required")
    items = [text(item, "error.checklist_required", ITEM_MAX) for item in raw
             if not (isinstance(item, str) and not item.strip())]
    if not items:
        raise InvalidInput("error.checklist_required")
    if len(items) > ITEMS_MAX:
        raise InvalidInput("error.checklist_too_long", limit=ITEMS_MAX)
    return items


def _assignee(session: Session, actor: Actor, raw: object, role: str) -> int | None:
    if raw in (None, ""):
        return None
    person = load(session, actor, User, raw)
    holds = session.exec(select(UserRole).where(UserRole.user_id == person.id, UserRole.role == role)).first()
    if holds is None or not person.is_active:
        raise InvalidInput("error.role_not_held")
    return person.id


def save_plan(session: Session, actor: Actor | None, form: object, plan_id: object = None) -> InspectionPlan:
    """A manager adds a plan, or changes one (`plan_id`). `form`: name, category (optionally subkind) or
    asset_id, frequency, weekdays (for given weekdays), items, role, assignee_id (optional)."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    plan = load(session, actor, InspectionPlan, plan_id) if plan_id not in (None, "") else None
    with refusing(session, actor, INSPECTIONS, plan.id if plan else None):
        if not isinstance(form, dict):
            raise InvalidInput("error.bad_request")
        name = text(form.get("name"), "error.plan_name_required", NAME_MAX)
        asset_id = form.get("asset_id")
        if asset_id not in (None, ""):
            asset = load(session, actor, Asset, asset_id)
            category, subkind, asset_id = None, None, asset.id
        else:
            category = choice(form.get("category"), AssetCategory, "error.category_required")
            subkind = form.get("subkind") or None
            if subkind is not None:
                subkind = choice(subkind, SUBKINDS[AssetCategory(category)], "error.bad_request")
            asset_id = None
        frequency = choice(form.get("frequency"), PlanFrequency, "error.bad_request")
        weekdays = _weekdays(form.get("weekdays")) if frequency == PlanFrequency.WEEKDAYS else ""
        items = _items(form.get("items"))
        role = choice(form.get("role") or Role.TECHNICIAN.value, [r.value for r in INSPECTORS], "error.bad_request")
        assignee_id = _assignee(session, actor, form.get("assignee_id"), role)
    values = {"name": name, "category": category, "subkind": subkind, "asset_id": asset_id, "frequency": frequency,
              "weekdays": weekdays, "items": items, "role": role, "assignee_id": assignee_id}
    if plan is None:
        plan = InspectionPlan(estate_id=actor.estate_id, created_by_id=actor.id, **values)
    else:
        for key, value in values.items():
            setattr(plan, key, value)
    session.add(plan)
    session.flush()
    log(session, actor, actor.estate_id, "inspection_plan_saved", "inspection_plan", plan.id, frequency=frequency,
        items=len(items))
    return plan


def set_active(session: Session, actor: Actor | None, plan_id: object, active: object) -> InspectionPlan:
    """A manager pauses a plan (no new tasks; tasks already made stay) or resumes it."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    plan = load(session, actor, InspectionPlan, plan_id)
    with refusing(session, actor, INSPECTIONS, plan.id):
        if not isinstance(active, bool):
            raise InvalidInput("error.bad_request")
    plan.active = active
    session.add(plan)
    log(session, actor, actor.estate_id, "inspection_plan_resumed" if active else "inspection_plan_paused",
        "inspection_plan", plan.id)
    return plan


def plans_of(session: Session, estate_id: int, active_only: bool = False) -> list[InspectionPlan]:
    """The estate's plans, by name."""
    query = select(InspectionPlan).where(InspectionPlan.estate_id == estate_id)
    if active_only:
        query = query.where(InspectionPlan.active)
    return list(session.exec(query.order_by(InspectionPlan.name, col(InspectionPlan.id))))


def assets_of(session: Session, plan: InspectionPlan) -> list[Asset]:
    """The assets a plan covers now: its asset, or every asset of its category (and kind) not retired."""
    query = select(Asset).where(Asset.estate_id == plan.estate_id, col(Asset.retired_at).is_(None))
    if plan.asset_id is not None:
        query = query.where(Asset.id == plan.asset_id)
    else:
        query = query.where(Asset.category == plan.category)
        if plan.subkind:
            query = query.where(Asset.subkind == plan.subkind)
    return list(session.exec(query.order_by(Asset.location, Asset.code)))


@dataclass
class PlanRow:
    """A plan as the manager's list shows it: `category` and `frequency` as keys, weekdays as weekday keys."""

    id: int = 0
    name: str = ""
    category: str = ""
    frequency: str = ""
    weekdays: list[str] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)
    role: str = ""
    assignee: str = ""
    assets: int = 0
    active: bool = True
    actions: list[str] = field(default_factory=list)


def plan_rows(session: Session, actor: Actor | None) -> list[PlanRow]:
    """The manager's list of plans, with how many assets each covers now."""
    actor = require(session, actor, INSPECTIONS, *PLANNERS)
    names = dict(session.exec(select(User.id, User.name).where(User.estate_id == actor.estate_id)).all())
    rows = []
    for plan in plans_of(session, actor.estate_id):
        rows.append(PlanRow(
            id=plan.id, name=plan.name,
            category=f"facilities.category_{plan.category}" if plan.category else "inspections.one_asset",
            frequency=f"inspections.frequency_{plan.frequency}",
            weekdays=[f"weekday.{d}" for d in plan.weekdays.split(",") if d],
            checklist=list(plan.items), role=f"role.{plan.role}", assignee=names.get(plan.assignee_id, ""),
            assets=len(assets_of(session, plan)), active=plan.active, actions=[TOGGLE],
        ))
    return rows

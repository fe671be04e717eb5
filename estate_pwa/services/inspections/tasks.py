"""The clock's part: each plan's task per asset per period, made in the estate's timezone (a day; a week from
Monday 00:00; a month from the 1st; or each of given weekdays), idempotent across workers (the task's unique
`key` settles races); and the re-inspection of every defect whose repair job is finished."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    AssetDefect,
    Estate,
    InspectionKind,
    InspectionPlan,
    InspectionTask,
    PlanFrequency,
    RequestStatus,
    ServiceRequest,
)
from estate_pwa.services.inspections.plans import assets_of, plans_of

RECHECK_HOURS = 24
FINISHED = (RequestStatus.COMPLETED, RequestStatus.CLOSED)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period(plan: InspectionPlan, day: date, timezone: str) -> tuple[date, datetime, datetime] | None:
    """The period of `plan` holding local `day`: (its first day, start, end) with start and end in UTC; None when
    the plan has nothing due that day (given weekdays)."""
    zone = ZoneInfo(timezone)
    if plan.frequency == PlanFrequency.WEEKLY:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    elif plan.frequency == PlanFrequency.MONTHLY:
        first, last = day.replace(day=1), _next_month(day)
    elif plan.frequency == PlanFrequency.WEEKDAYS and str(day.weekday()) not in plan.weekdays.split(","):
        return None
    else:
        first, last = day, day + timedelta(days=1)
    return first, _midnight(first, zone), _midnight(last, zone)


def _insert(session: Session, rows: list[dict]) -> int:
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(InspectionTask.__table__).on_conflict_do_nothing(index_elements=["estate_id", "key"])
    return len(session.execute(statement.returning(InspectionTask.__table__.c.id), rows).all())


def generate_tasks(session: Session, estate_id: int, day: date, now: datetime | None = None) -> int:
    """Make the tasks of every active plan for the period holding local `day` (idempotent: every worker's clock
    runs it; a task already there is left alone). Returns how many were new."""
    estate = session.get(Estate, estate_id)
    now = now or utcnow()
    rows = []
    for plan in plans_of(session, estate_id, active_only=True):
        span = period(plan, day, estate.timezone)
        if span is None:
            continue
        first, starts_at, due_at = span
        for asset in assets_of(session, plan):
            rows.append({"estate_id": estate_id, "key": f"{plan.id}:{asset.id}:{first.isoformat()}",
                         "plan_id": plan.id, "asset_id": asset.id, "kind": InspectionKind.ROUTINE.value,
                         "day": first, "starts_at": starts_at, "due_at": due_at, "assignee_id": plan.assignee_id,
                         "role": plan.role, "created_at": now})
    return _insert(session, rows)


def generate_rechecks(session: Session, estate_id: int, now: datetime) -> int:
    """A re-inspection task for every open defect found by an inspection whose repair job is finished (once per
    defect), due within a day, given to whoever the last inspection of the asset was given to."""
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    waiting = session.exec(
        select(AssetDefect).join(ServiceRequest, col(ServiceRequest.id) == AssetDefect.request_id)
        .where(AssetDefect.estate_id == estate_id, col(AssetDefect.closed_at).is_(None),
               col(ServiceRequest.status).in_(FINISHED))).all()
    rows = []
    for defect in waiting:
        last = session.exec(select(InspectionTask).where(InspectionTask.asset_id == defect.asset_id)
                            .order_by(col(InspectionTask.id).desc()).limit(1)).first()
        if last is None:  # not found by an inspection: no plan to re-inspect it under
            continue
        rows.append({"estate_id": estate_id, "key": f"recheck:{defect.id}", "plan_id": last.plan_id,
                     "asset_id": defect.asset_id, "kind": InspectionKind.RECHECK.value, "defect_id": defect.id,
                     "day": now.astimezone(zone).date(), "starts_at": now,
                     "due_at": now + timedelta(hours=RECHECK_HOURS), "assignee_id": last.assignee_id,
                     "role": last.role, "created_at": now})
    return _insert(session, rows)


def keep_tasks_current(session: Session, estate_id: int, now: datetime | None = None) -> int:
    """Make today's tasks in the estate's timezone and the re-inspections due (the clock runs it every minute in
    every worker)."""
    now = now or utcnow()
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    made = generate_tasks(session, estate_id, now.astimezone(zone).date(), now)
    return made + generate_rechecks(session, estate_id, now)

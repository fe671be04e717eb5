"""The work: the clock makes each day's tasks from the templates (idempotent across workers: the database's unique
(area, item, day, slot) settles races), the responsible cleaner ticks them (the same tick sent twice is recorded
once), and an inspection's failed items become rework for the responsible cleaner with a deadline."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area,
    ChecklistItem,
    CleaningInspection,
    CleaningResult,
    CleaningTask,
    CleaningTick,
    CleaningVisit,
    DutyAssignment,
    Estate,
    Frequency,
    RepairCategory,
    RequestKind,
    Role,
    Shift,
    TaskKind,
    Urgency,
)
from estate_pwa.services.cleaning.rules import (
    CLEANING,
    INSPECTORS,
    PHOTO_FOLDER,
    PHOTOS_MAX,
    area_of_code,
    load,
    log,
    responsible_for,
    tick_refusal,
)
from estate_pwa.services.cleaning.setup import checklist
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs import intake
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.roster import shift_bounds
from estate_pwa.services.validation import aware, choice, photo_names, positive_id, text

_TICK_UID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
NOTE_MAX = 500
RESULTS_MAX = 60
WEEK = timedelta(days=7)
PRESENCE_WINDOW = timedelta(hours=1)
"""A tick within this long of the cleaner's scan of the area's code (before or after) was done with presence."""
CLOCK_AHEAD = timedelta(minutes=5)
"""A phone clock further ahead than this is not believed (the server's time is used)."""


@dataclass(frozen=True)
class Slot:
    """When one template item is due on one day: the day it belongs to, its slot name, its shift, its window."""

    day: date
    slot: str
    shift_id: int | None
    starts_at: datetime
    due_at: datetime


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def slots_for(item: ChecklistItem, day: date, shifts: list[Shift], timezone: str) -> list[Slot]:
    """The slots of `item` on local `day`: every shift (each of `shifts` beginning that day, a night shift ending
    the next morning), the whole day (daily, or one of its weekdays), or the whole week holding `day` (weekly:
    Monday 00:00 to the next Monday 00:00, the same task whichever day of the week asks)."""
    zone = ZoneInfo(timezone)
    if item.frequency == Frequency.EVERY_SHIFT:
        return [Slot(day, f"shift:{s.id}", s.id, *shift_bounds(s, day, timezone)) for s in shifts]
    if item.frequency == Frequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return [Slot(monday, "week", None, _midnight(monday, zone), _midnight(monday + WEEK, zone))]
    if item.frequency == Frequency.WEEKDAYS and str(day.weekday()) not in item.weekdays.split(","):
        return []
    return [Slot(day, "day", None, _midnight(day, zone), _midnight(day + timedelta(days=1), zone))]


def _cleaning_shifts(session: Session, estate_id: int, day: date) -> list[Shift]:
    """The shifts cleaners are rostered on that day; with nobody rostered, the earliest shift of the estate."""
    shifts = list(session.exec(select(Shift).where(Shift.estate_id == estate_id).order_by(col(Shift.starts))))
    rostered = set(session.exec(select(DutyAssignment.shift_id).where(
        DutyAssignment.estate_id == estate_id, DutyAssignment.day == day, DutyAssignment.role == Role.CLEANER)))
    return [s for s in shifts if s.id in rostered] or shifts[:1]


def generate_tasks(session: Session, estate_id: int, day: date) -> int:
    """Make the tasks of local `day` for every area from its kind's active checklist (idempotent: run by every
    worker's clock; a task already there is left alone). Returns how many were new."""
    estate = session.get(Estate, estate_id)
    areas = list(session.exec(select(Area).where(Area.estate_id == estate_id).order_by(col(Area.id))))
    items: dict[str, list[ChecklistItem]] = {}
    for item in checklist(session, estate_id):
        items.setdefault(item.area_kind, []).append(item)
    shifts = _cleaning_shifts(session, estate_id, day)
    rows = [{"estate_id": estate_id, "area_id": area.id, "item_id": item.id, "day": slot.day, "slot": slot.slot,
             "kind": TaskKind.ROUTINE.value, "shift_id": slot.shift_id, "starts_at": slot.starts_at,
             "due_at": slot.due_at, "created_at": utcnow()}
            for area in areas for item in items.get(area.kind, [])
            for slot in slots_for(item, day, shifts, estate.timezone)]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CleaningTask.__table__).on_conflict_do_nothing(
        index_elements=["area_id", "item_id", "day", "slot"])
    return len(session.execute(statement.returning(CleaningTask.__table__.c.id), rows).all())


def keep_tasks_current(session: Session, estate_id: int, now: datetime | None = None) -> int:
    """Make today's tasks in the estate's timezone (the clock runs it every minute in every worker)."""
    now = now or utcnow()
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    return generate_tasks(session, estate_id, now.astimezone(zone).date())


def _believed(claimed: datetime | None, now: datetime) -> datetime:
    """When the phone says it happened, unless that is missing or in the future beyond CLOCK_AHEAD."""
    return claimed if claimed is not None and claimed <= now + CLOCK_AHEAD else now


def _visited(session: Session, cleaner_id: int, area_id: int, when: datetime) -> bool:
    """Whether the cleaner scanned the area's code within PRESENCE_WINDOW of `when`."""
    return session.exec(select(CleaningVisit.id).where(
        CleaningVisit.cleaner_id == cleaner_id, CleaningVisit.area_id == area_id,
        col(CleaningVisit.client_time).between(when - PRESENCE_WINDOW, when + PRESENCE_WINDOW))).first() is not None


def visit(session: Session, actor: Actor | None, code: object, visit_uid: object, client_time: object = None,
          now: datetime | None = None) -> CleaningVisit:
    """A cleaner scanned an area's posted code: record that they were there (the same scan sent again is recorded
    once), and mark their ticks of that area within PRESENCE_WINDOW as done with presence (ticks queued offline
    may arrive before the scan). Refuses a forged code or another estate's (audited)."""
    actor = require(session, actor, CLEANING, Role.CLEANER)
    now = now or utcnow()
    with refusing(session, actor, CLEANING):
        uid = _tick_uid(visit_uid)
        claimed = aware(client_time) if client_time else None
        estate_id, area_id = area_of_code(session, code)
        if estate_id != actor.estate_id:
            raise InvalidInput("error.qr_invalid")
    earlier = session.exec(select(CleaningVisit).where(CleaningVisit.cleaner_id == actor.id,
                                                       CleaningVisit.visit_uid == uid)).first()
    if earlier is not None:
        return earlier
    when = _believed(claimed, now)
    seen = CleaningVisit(estate_id=actor.estate_id, area_id=area_id, cleaner_id=actor.id, visit_uid=uid,
                         scanned_at=now, client_time=when)
    session.add(seen)
    try:
        session.flush()
    except IntegrityError:  # the same scan stored by a concurrent request
        session.rollback()
        return session.exec(select(CleaningVisit).where(CleaningVisit.cleaner_id == actor.id,
                                                        CleaningVisit.visit_uid == uid)).one()
    ticked = func.coalesce(col(CleaningTick.client_time), col(CleaningTick.done_at))
    ticks = session.exec(select(CleaningTick).join(CleaningTask, col(CleaningTask.id) == CleaningTick.task_id).where(
        CleaningTick.cleaner_id == actor.id, CleaningTask.area_id == area_id, col(CleaningTick.present).is_(False),
        ticked.between(when - PRESENCE_WINDOW, when + PRESENCE_WINDOW))).all()
    for done in ticks:
        done.present = True
        session.add(done)
    session.flush()
    log(session, actor, actor.estate_id, "cleaning_visited", "area", area_id, ticks=len(ticks))
    return seen


@dataclass(frozen=True)
class TickResult:
    """What the cleaner's phone is told about one tick."""

    task_id: int
    tick_id: int
    present: bool
    late: bool
    replayed: bool = False


def _tick_uid(raw: object) -> str:
    if not isinstance(raw, str) or not _TICK_UID.fullmatch(raw):
        raise InvalidInput("error.bad_request")
    return raw


def _answer(tick: CleaningTick, replayed: bool) -> TickResult:
    return TickResult(tick.task_id, tick.id, tick.present, tick.late, replayed)


def _earlier(session: Session, actor: Actor, uid: str, task_id: int) -> CleaningTick | None:
    """This tick received before, or the task's tick by anyone."""
    return session.exec(select(CleaningTick).where(
        ((CleaningTick.cleaner_id == actor.id) & (CleaningTick.tick_uid == uid)) | (CleaningTick.task_id == task_id))
        .execution_options(populate_existing=True)).first()


def tick(session: Session, actor: Actor | None, task_id: object, tick_uid: object, photos: object = None,
         area_code: object = None, client_time: object = None, now: datetime | None = None) -> TickResult:
    """Tick a task done at server time (the responsible cleaner only; refusals audited). A photo item needs a
    photo; with the area's code the cleaner is marked present (a code of another area is not presence). Sent
    again with the same `tick_uid`, or for a task already ticked, the stored tick is returned: recorded once."""
    actor = require(session, actor, CLEANING, Role.CLEANER)
    now = now or utcnow()
    task = load(session, actor, CleaningTask, task_id)
    with refusing(session, actor, CLEANING, task.area_id):
        uid = _tick_uid(tick_uid)
        names = photo_names(photos, (PHOTO_FOLDER,), PHOTOS_MAX)
        claimed = aware(client_time) if client_time else None
        present = False
        if area_code:
            estate_id, area_id = area_of_code(session, area_code)
            present = (estate_id, area_id) == (actor.estate_id, task.area_id)
    mine = session.exec(select(CleaningTick).where(CleaningTick.cleaner_id == actor.id,
                                                   CleaningTick.tick_uid == uid)).first()
    if mine is not None:
        return _answer(mine, replayed=True)
    task = session.exec(select(CleaningTask).where(CleaningTask.id == task.id).with_for_update()
                        .execution_options(populate_existing=True)).one()
    error = tick_refusal(actor, task, responsible_for(session, task.area_id, now), now)
    if error is not None:
        refuse(session, actor, CLEANING, error, task.area_id, task=task.id)
    if task.done_at is not None:
        return _answer(_earlier(session, actor, uid, task.id), replayed=True)
    if session.get(ChecklistItem, task.item_id).photo_required and not names:
        refuse(session, actor, CLEANING, InvalidInput("error.photo_required"), task.area_id, task=task.id)
    present = present or _visited(session, actor.id, task.area_id, _believed(claimed, now))
    done = CleaningTick(estate_id=actor.estate_id, task_id=task.id, cleaner_id=actor.id, tick_uid=uid, done_at=now,
                        client_time=claimed, late=now > task.due_at, present=present, photos=names)
    task.done_at = now
    session.add(done)
    session.add(task)
    try:
        session.flush()
    except IntegrityError:  # the same tick, or another tick of this task, was stored by a concurrent request
        session.rollback()
        earlier = _earlier(session, actor, uid, task.id)
        if earlier is None:
            raise
        return _answer(earlier, replayed=True)
    log(session, actor, actor.estate_id, "cleaning_ticked", "cleaning_task", task.id, area=task.area_id,
        present=present, late=done.late)
    return _answer(done, replayed=False)


VERDICTS = ("pass", "fail", "damage")
"""An item's verdict: passed, failed (rework for the cleaner), or failed because something is broken (rework and
a repair request)."""


@dataclass(frozen=True)
class Verdict:
    """One checked item of an inspection, as parsed."""

    item: ChecklistItem
    passed: bool
    note: str
    photos: list[str]
    damage: bool = False


def _verdicts(session: Session, estate_id: int, area: Area, raw: object) -> list[Verdict]:
    if not isinstance(raw, (list, tuple)) or not raw or len(raw) > RESULTS_MAX:
        raise InvalidInput("error.inspection_empty")
    items = {i.id: i for i in checklist(session, estate_id, area.kind)}
    verdicts, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise InvalidInput("error.bad_request")
        item = items.get(entry.get("item_id")) if isinstance(entry.get("item_id"), int) else None
        if item is None or item.id in seen:
            raise InvalidInput("error.bad_request")
        seen.add(item.id)
        result = choice(entry.get("result"), VERDICTS, "error.bad_request")
        note = text(entry.get("note"), "error.bad_request", NOTE_MAX, required=False)
        verdicts.append(Verdict(item, result == "pass", note,
                                photo_names(entry.get("photos"), (PHOTO_FOLDER,), PHOTOS_MAX), result == "damage"))
    return verdicts


def _repair(session: Session, actor: Actor, area: Area, verdict: Verdict, now: datetime) -> int:
    """Open a repair request in the jobs flow for a damaged item, the inspector as its first receiver."""
    words = f"保洁检查发现损坏 · {area.name} · {verdict.item.text}" + (f"：{verdict.note}" if verdict.note else "")
    request = intake.record_on_behalf(session, actor, None, RequestKind.REPAIR, words[:1000],
                                      RepairCategory.PUBLIC_AREA, Urgency.ROUTINE, area_id=area.id, now=now)
    return request.id


def result_of_request(session: Session, actor: Actor | None, request_id: object) -> CleaningResult | None:
    """The inspection result whose damage opened a repair request (the link back from jobs; staff)."""
    actor = require(session, actor, CLEANING, Role.MANAGER, Role.INSPECTOR, Role.TECHNICIAN, Role.CLEANER,
                    Role.GUARD)
    request_id = positive_id(request_id)
    return session.exec(select(CleaningResult).where(CleaningResult.estate_id == actor.estate_id,
                                                     CleaningResult.repair_request_id == request_id)).first()


def inspect(session: Session, actor: Actor | None, area_id: object, results: object, note: object = "",
            now: datetime | None = None, inspection_uid: object = None) -> CleaningInspection:
    """Record an inspection of an area: pass, fail or damage per item of its checklist, with notes and photos
    (managers and inspectors; refusals audited). Each failed item becomes a rework task for the area's responsible
    cleaner (none: left for a manager to see, unassigned), due after the item's rework hours (2 by default); a
    damaged item also opens a repair request (jobs intake, the inspector its first receiver), linked both ways.
    With the phone's `inspection_uid` (the outbox), the same inspection sent again is recorded once."""
    actor = require(session, actor, CLEANING, *INSPECTORS)
    now = now or utcnow()
    area = load(session, actor, Area, area_id)
    with refusing(session, actor, CLEANING, area.id):
        uid = _tick_uid(inspection_uid) if inspection_uid is not None else None
        verdicts = _verdicts(session, actor.estate_id, area, results)
        remark = text(note, "error.bad_request", NOTE_MAX, required=False, multiline=True)
    if uid is not None:
        earlier = session.exec(select(CleaningInspection).where(CleaningInspection.inspector_id == actor.id,
                                                                CleaningInspection.inspection_uid == uid)).first()
        if earlier is not None:
            return earlier
    inspection = CleaningInspection(estate_id=actor.estate_id, area_id=area.id, inspector_id=actor.id,
                                    inspected_at=now, note=remark, inspection_uid=uid)
    session.add(inspection)
    session.flush()
    cleaner_id = responsible_for(session, area.id, now)
    today = now.astimezone(ZoneInfo(session.get(Estate, actor.estate_id).timezone)).date()
    for verdict in verdicts:
        result = CleaningResult(estate_id=actor.estate_id, inspection_id=inspection.id, area_id=area.id,
                                item_id=verdict.item.id, inspected_at=now, passed=verdict.passed, note=verdict.note,
                                photos=verdict.photos, damage=verdict.damage)
        session.add(result)
        session.flush()
        if verdict.passed:
            continue
        rework = CleaningTask(estate_id=actor.estate_id, area_id=area.id, item_id=verdict.item.id, day=today,
                              slot=f"rework:{result.id}", kind=TaskKind.REWORK, starts_at=now,
                              due_at=now + timedelta(hours=verdict.item.rework_hours), cleaner_id=cleaner_id)
        session.add(rework)
        session.flush()
        result.rework_task_id = rework.id
        if verdict.damage:
            result.repair_request_id = _repair(session, actor, area, verdict, now)
        session.add(result)
        log(session, actor, actor.estate_id, "cleaning_rework_created", "cleaning_task", rework.id, area=area.id,
            cleaner=cleaner_id)
    session.flush()
    log(session, actor, actor.estate_id, "cleaning_inspected", "area", area.id, inspection=inspection.id,
        failed=sum(not v.passed for v in verdicts), checked=len(verdicts))
    return inspection

"""The demo's inspections (巡检) and on-call cover: a plan per kind of asset (monthly extinguisher checks, weekly
lifts, gates on Mondays and Thursdays …) kept by the manager, 90 days of inspections recorded through the services
by the day technician (a few defects, each raising a repair job that is done within hours, then re-inspected and
intact again; the last ones still open), and for the next 14 days the night technician on call (水电值班) instead
of on site, with one night nobody covers so the roster's warning shows.

Its own random generator, so the other stories' data stays as it was. Assets with defects of the register's own
stories (reported by staff) are never found defective here, so the two stories never close each other's defects."""

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from estate_pwa.models import (
    AssetDefect,
    DutyAssignment,
    Estate,
    InspectionPlan,
    InspectionTask,
    Role,
    Shift,
)
from estate_pwa.services import inspections, jobs
from estate_pwa.services.demo.world import Story, World, hours, minutes

SEED = 20265
DEFECT_RATE = 0.015
PLANS = (
    ("灭火器月检", "fire_equipment", "extinguisher", "monthly", "",
     ("压力表指针在绿区", "铅封完好", "瓶体无锈蚀变形", "未过期")),
    ("消火栓月检", "fire_equipment", "hydrant", "monthly", "", ("箱门完好", "水带水枪齐全", "阀门无渗漏")),
    ("火灾报警控制器月检", "fire_equipment", "alarm", "monthly", "", ("运行正常无故障", "备用电源正常")),
    ("喷淋分区月检", "fire_equipment", "sprinkler", "monthly", "", ("末端试水压力正常", "喷头无遮挡")),
    ("电梯周检", "public_equipment", "lift", "weekly", "", ("运行平稳、平层准确", "轿厢照明与对讲正常", "维保记录在有效期")),
    ("水泵周检", "public_equipment", "pump", "weekly", "", ("运行无异响", "压力正常无渗漏")),
    ("发电机月检", "public_equipment", "generator", "monthly", "", ("试运行正常", "油位正常")),
    ("道闸巡检", "public_equipment", "gate", "weekdays", "0,3", ("抬杆落杆正常", "识别正常")),
    ("路灯月检", "street_light", None, "monthly", "", ("灯亮", "灯杆无倾斜", "灯罩完好")),
    ("井盖月检", "well", None, "monthly", "", ("井盖完好无松动", "井内无淤积堵塞")),
    ("文体设施月检", "sports_culture", None, "monthly", "", ("结构稳固无松动", "表面无破损尖角")),
    ("排水沟渠月检", "drain", None, "monthly", "", ("排水通畅", "盖板完好")),
    ("道路月检", "road", None, "monthly", "", ("路面无坑洼", "路沿石完好")),
    ("绿化月检", "green", None, "monthly", "", ("无斑秃枯死", "无病虫害")),
    ("停车场月检", "car_park", None, "monthly", "", ("地面标线清晰", "减速带完好")),
    ("房屋月检", "housing", None, "monthly", "", ("外墙无空鼓脱落", "公共部位无渗漏")),
)
ON_CALL_SHIFT = "水电值班"
ON_CALL_DAYS = 14
GAP_NIGHT = 9
"""The night (days from today) nobody covers, so the roster warns of it."""


def ensure_plans(session: Session, world: World) -> None:
    """The manager's plans (once)."""
    if inspections.plans_of(session, world.estate.id):
        return
    for name, category, subkind, frequency, weekdays, items in PLANS:
        form = {"name": name, "category": category, "subkind": subkind, "frequency": frequency,
                "weekdays": weekdays, "items": list(items), "role": "technician"}
        inspections.save_plan(session, world.manager, form)
    session.flush()


def stories(world: World) -> list[Story]:
    """The plans, then one story per day of the history: the day's tasks made at 07:00, inspections from 08:30."""
    rng = random.Random(SEED)
    reported = set(world.session.exec(select(AssetDefect.asset_id).where(AssetDefect.estate_id == world.estate.id)))
    return [_setup(world), *[_day(world, day, rng, reported) for day in world.days()]]


def _setup(world: World) -> Iterator[datetime]:
    yield world.start - timedelta(days=1)
    ensure_plans(world.session, world)


def _day(world: World, day: date, rng: random.Random, reported: set[int]) -> Story:
    yield world.at_local(day, 7)
    session = world.session
    inspections.keep_tasks_current(session, world.estate.id, world.now)
    moment = world.at_local(day, 8.5)
    tech = world.day_technician
    for task in _todays(session, world, day, rng):
        moment += minutes(rng.uniform(2, 6))
        if moment > world.end:
            return
        yield moment
        plan = session.get(InspectionPlan, task.plan_id)
        defective = task.asset_id not in reported and task.kind == "routine" and rng.random() < DEFECT_RATE
        outcomes = ["intact"] * len(plan.items)
        if defective:
            outcomes[rng.randrange(len(outcomes))] = "defective"
        outcome = inspections.record_inspection(session, tech, {
            "client_id": f"demo-{task.id:08d}", "task_id": task.id,
            "items": [{"position": i, "outcome": o, "note": "" if o == "intact" else "现场发现问题，已拍照"}
                      for i, o in enumerate(outcomes)],
        }, now=moment)
        if outcome.status == inspections.RECORDED and outcome.request_ids:
            reported.add(task.asset_id)  # found here: the register's stories leave it alone
            world.spawn(_repair(world, outcome.request_ids[0], moment, rng))


def _todays(session: Session, world: World, day: date, rng: random.Random) -> list[InspectionTask]:
    """The open tasks the technician does today: every re-inspection and daily task, and each weekly or monthly
    task with a chance that grows as its period runs out (a few left overdue)."""
    now = world.now
    open_tasks = session.exec(select(InspectionTask).where(
        InspectionTask.estate_id == world.estate.id, col(InspectionTask.done_at).is_(None),
        InspectionTask.starts_at <= now, InspectionTask.due_at > now).order_by(col(InspectionTask.id))).all()
    chosen = []
    for task in open_tasks:
        days_left = (task.due_at - now) / timedelta(days=1)
        if task.kind == "recheck" or days_left <= 1.2 and rng.random() < 0.98 or rng.random() < 1 / max(days_left - 2, 1):
            chosen.append(task)
    return chosen


def _repair(world: World, request_id: int, found: datetime, rng: random.Random) -> Story:
    """The office dispatches the job to the technician on duty, who does it within hours; a job that would not be
    done by now stays in the pool (its defect open), so nobody's hands are full of them."""
    dispatched = found + minutes(rng.uniform(10, 40))
    accepted = dispatched + minutes(rng.uniform(5, 20))
    done = accepted + hours(rng.uniform(0.5, 3))
    if done > world.end:
        return
    yield dispatched
    tech = world.technician_at(world.now)
    jobs.dispatch(world.session, world.manager, request_id, tech.id, now=world.now)
    yield accepted
    jobs.accept(world.session, tech, request_id, None, now=world.now)
    yield done
    jobs.complete(world.session, tech, request_id, "已修复，待复检", now=world.now)


def ensure_on_call(session: Session, estate: Estate, today: date) -> None:
    """For the next 14 nights the night technician is on call (水电值班 20:00–08:00) instead of on the night shift,
    except one night nobody covers. Idempotent, and written like the demo's roster (run on every load after the
    roster is topped up, which puts the night shift back)."""
    shift = session.exec(select(Shift).where(Shift.estate_id == estate.id, Shift.name == ON_CALL_SHIFT)).first()
    if shift is None:
        shift = Shift(estate_id=estate.id, name=ON_CALL_SHIFT, starts=time(20), ends=time(8), on_call=True)
        session.add(shift)
        session.flush()
    night = session.exec(select(Shift).where(Shift.estate_id == estate.id, Shift.name == "夜班")).first()
    if night is None:
        return
    technicians = sorted(set(session.exec(select(DutyAssignment.user_id).where(
        DutyAssignment.estate_id == estate.id, col(DutyAssignment.shift_id).in_([night.id, shift.id]),
        DutyAssignment.role == Role.TECHNICIAN))))
    days = [today + timedelta(days=offset) for offset in range(ON_CALL_DAYS)]
    for duty in session.exec(select(DutyAssignment).where(
            DutyAssignment.estate_id == estate.id, DutyAssignment.shift_id == night.id,
            DutyAssignment.role == Role.TECHNICIAN, col(DutyAssignment.day).in_(days))):
        session.delete(duty)
    held = set(session.exec(select(DutyAssignment.user_id, DutyAssignment.day).where(
        DutyAssignment.shift_id == shift.id, col(DutyAssignment.day).in_(days))))
    for offset, day in enumerate(days):
        for user_id in technicians:
            if offset != GAP_NIGHT and (user_id, day) not in held:
                session.add(DutyAssignment(estate_id=estate.id, user_id=user_id, shift_id=shift.id,
                                           role=Role.TECHNICIAN.value, day=day))
    session.flush()

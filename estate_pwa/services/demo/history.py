"""Ninety days of the demo estate's life, generated once through the services themselves (each given `now` in the
past): repairs, complaints and suggestions (requests.py), patrol rounds and their scans (patrols.py), incidents
of every category, and last half-year's satisfaction survey answered by a few hundred households; with more
residents to report and answer. Deterministic (seeded), in one transaction, and marked in the audit log so a
second load adds nothing."""

import random
import time as timer
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.security import hash_password
from estate_pwa.models import (
    Area, AuditEntry, Estate, IncidentCategory, PatrolPoint, Rating, Role, Unit, User, UserRole,
)
from estate_pwa.services import audit, incidents
from estate_pwa.services import survey as surveys
from estate_pwa.services.demo import cleaning as demo_cleaning
from estate_pwa.services.demo import bookings as demo_bookings
from estate_pwa.services.demo import facilities as demo_facilities
from estate_pwa.services.demo import inspections as demo_inspections
from estate_pwa.services.demo import fees as demo_fees
from estate_pwa.services.demo import patrols, requests
from estate_pwa.services.demo import reports as demo_reports
from estate_pwa.services.demo.estate import DEMO_ACCOUNTS, DEMO_RESIDENT, add_user
from estate_pwa.services.indicators import certification
from estate_pwa.services.demo.world import Story, World, backdated, hours, pick, run
from estate_pwa.services.permissions import Actor, actor_for

MARKER = "demo_history_generated"
COMMITTEE_AGE_DAYS = 430
"""The demo owners' committee was founded about 14 months ago: the Shenzhen level's window (12–18 months) is open."""
"""The audit action that says this estate's history was generated."""
SEED = 20261
RESIDENT_PASSWORD = "Resident123"
"""Every generated resident's password (hashed once: argon2 is slow by design)."""
OCCUPIED = 0.92
"""The share of units with residents."""
SURVEY_SHARE = 0.85
"""The share of occupied households answering the survey."""
INCIDENTS_PER_DAY = 0.3

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
INCIDENT_TEXTS = {
    IncidentCategory.SECURITY: ("陌生人尾随进入单元门，已劝离", "车库一辆电动车电瓶被盗，已报警", "夜间有人翻越北侧围栏"),
    IncidentCategory.FIRE_ALARM: ("3栋烟感报警，现场确认为业主做饭油烟", "地下车库温感报警，排查为设备故障"),
    IncidentCategory.VIOLATION: ("消防通道违规停车", "楼道堆放杂物堵塞通道", "业主违规搭建阳台雨棚", "绿化带内私自种菜",
                                 "电动车在楼道内充电"),
    IncidentCategory.FACILITY_DAMAGE: ("中心花园路灯不亮", "环湖路井盖松动", "文化广场健身器材螺丝脱落", "南门道闸抬杆失灵"),
    IncidentCategory.OTHER: ("流浪猫进入地下车库", "快递堆放在大堂无人认领", "业主宠物走失，协助寻找"),
}
CLOSING_NOTES = ("已现场处理完毕", "已通知业主整改并复查", "已报修并更换", "已联系相关部门处理")


@dataclass(frozen=True)
class Summary:
    """What a load generated (empty when the history was there already) and how long it took."""

    generated: bool
    seconds: float
    steps: int
    rows: dict[str, int]


def has_history(session: Session, estate: Estate) -> bool:
    """Whether this estate's history was generated already."""
    return session.exec(select(AuditEntry.id).where(AuditEntry.estate_id == estate.id,
                                                    AuditEntry.action == MARKER)).first() is not None


def generate(session: Session, estate: Estate, now: datetime) -> Summary:
    """Add residents and the history up to `now`, in one transaction ending with the marker; nothing if the
    marker is there."""
    if has_history(session, estate):
        return Summary(False, 0.0, 0, {})
    began = timer.perf_counter()
    rng = random.Random(SEED)
    add_residents(session, estate, rng)
    world = _world(session, estate, now, rng)
    with backdated(session, world):
        steps = run(world, [*requests.stories(world), *patrols.stories(world), *incident_stories(world),
                            survey_story(world)])
        steps += run(world, demo_cleaning.stories(world))  # its own random generator: the above stays as it was
        steps += run(world, demo_reports.stories(world))  # after cleaning: dirty reports go to its cleaners
        world.now = world.start - timedelta(days=demo_facilities.REGISTERED_DAYS_BEFORE)
        demo_facilities.register_assets(session, world)
        # defects reported and found at inspections in one chronological order (each with its own generator)
        steps += run(world, [*demo_facilities.stories(world), *demo_inspections.stories(world)])
    founded = now.astimezone(ZoneInfo(estate.timezone)).date() - timedelta(days=COMMITTEE_AGE_DAYS)
    certification.set_committee_founded(session, world.manager, founded.isoformat(), now=now)
    demo_fees.generate(session, estate, world.manager, now)
    demo_bookings.generate(session, world, now)
    audit.record(session, estate.id, None, "demo_history_generated", "estate", estate.id, until=now.isoformat(),
                 steps=steps)
    session.commit()
    return Summary(True, timer.perf_counter() - began, steps, counts(session, estate))


def add_residents(session: Session, estate: Estate, rng: random.Random) -> int:
    """One or two residents in most units (the demo resident's unit keeps her alone), all with one password."""
    units = session.exec(select(Unit.id).where(Unit.estate_id == estate.id).order_by(Unit.id)).all()
    lived_in = set(session.exec(select(User.unit_id).where(User.estate_id == estate.id,
                                                           col(User.unit_id).is_not(None))).all())
    password_hash = hash_password(RESIDENT_PASSWORD)
    added = 0
    for unit_id in units:
        if unit_id in lived_in or rng.random() > OCCUPIED:
            continue
        surname = rng.choice(SURNAMES)
        for title in ("先生", "女士")[:rng.choice((1, 1, 2))]:
            added += 1
            add_user(session, estate, f"137{estate.id % 10}{added:07d}", password_hash, f"{surname}{title}",
                     (Role.RESIDENT,), unit_id=unit_id)
    session.flush()
    return added


def _world(session: Session, estate: Estate, now: datetime, rng: random.Random) -> World:
    by_phone = {u.phone: u for u in session.exec(select(User).where(User.estate_id == estate.id))}
    staff = {phone: actor_for(session, by_phone[phone]) for phone, *_ in DEMO_ACCOUNTS}
    phones = [account[0] for account in DEMO_ACCOUNTS]
    residents = [Actor(id=u.id, estate_id=u.estate_id, name=u.name, roles=frozenset({Role.RESIDENT}),
                       unit_id=u.unit_id)
                 for u in session.exec(select(User).join(UserRole, col(UserRole.user_id) == User.id).where(
                     User.estate_id == estate.id, UserRole.role == Role.RESIDENT,
                     col(User.unit_id).is_not(None)).order_by(User.id))]
    return World(
        session=session, estate=estate, end=now, rng=rng, manager=staff[phones[0]],
        day_technician=staff[phones[4]], night_technician=staff[phones[5]], day_guard=staff[phones[1]],
        night_guards=[staff[phones[2]], staff[phones[5]]],
        residents=[r for r in residents if by_phone[DEMO_RESIDENT[0]].id != r.id],
        demo_resident=next(r for r in residents if r.id == by_phone[DEMO_RESIDENT[0]].id),
        area_ids=list(session.exec(select(Area.id).where(Area.estate_id == estate.id,
                                                         col(Area.building_id).is_not(None)))),
        point_ids=list(session.exec(select(PatrolPoint.id).where(PatrolPoint.estate_id == estate.id))),
    )


# Incidents

def incident_stories(world: World) -> list[Story]:
    """About one incident every three days, and one of every category in the last ten days (so this month's
    security indicators have records)."""
    rng, told = world.rng, []
    weights = {IncidentCategory.VIOLATION: 40, IncidentCategory.FACILITY_DAMAGE: 25,
               IncidentCategory.SECURITY: 15, IncidentCategory.FIRE_ALARM: 8, IncidentCategory.OTHER: 12}
    for day in world.days()[:-10]:
        if rng.random() < INCIDENTS_PER_DAY:
            told.append(incident(world, pick(rng, weights), world.at_local(day, rng.uniform(0, 24))))
    recent = max(world.end - timedelta(days=10), world.at_local(world.local(world.end).date().replace(day=1), 0))
    span = (world.end - hours(2) - recent) / len(IncidentCategory)
    for i, category in enumerate(IncidentCategory):
        told.append(incident(world, category, recent + span * (i + rng.random() * 0.8)))
    return told


def incident(world: World, category: str, reported: datetime) -> Story:
    """A guard on duty reports an incident at a checkpoint; most are closed by the manager within a day."""
    rng = world.rng
    closes = rng.random() < (0.9 if category == IncidentCategory.VIOLATION else 0.75)
    yield reported
    found = incidents.report_incident(world.session, world.guard_at(reported), category,
                                      rng.choice(INCIDENT_TEXTS[IncidentCategory(category)]),
                                      rng.choice(world.point_ids), now=world.now)
    if closes:
        yield world.now + hours(rng.uniform(0.5, 20))
        incidents.close_incident(world.session, world.manager, found.id, rng.choice(CLOSING_NOTES), now=world.now)


# The survey

def survey_story(world: World) -> Story:
    """Last half-year's survey: opened 60 days ago, answered by most occupied households, closed 30 days ago."""
    rng, session = world.rng, world.session
    opened, closed = world.end - timedelta(days=60), world.end - timedelta(days=30)
    local = world.local(opened)
    title = f"{local.year} {'上半年' if local.month <= 6 else '下半年'}业主满意度调查"
    households: dict[int, list[Actor]] = {}
    for resident in [world.demo_resident, *world.residents]:
        households.setdefault(resident.unit_id, []).append(resident)
    answering = rng.sample(sorted(households), round(SURVEY_SHARE * len(households)))
    moments = sorted(opened + (closed - opened) * rng.uniform(0.01, 0.98) for _ in answering)
    yield opened
    survey = surveys.open_survey(session, world.manager, title, now=world.now)
    for unit_id, moment in zip(answering, moments):
        yield moment
        overall = pick(rng, {Rating.SATISFIED: 68, Rating.FAIRLY_SATISFIED: 28, Rating.DISSATISFIED: 4})
        ratings = {aspect: overall if rng.random() < 0.6 else pick(
            rng, {Rating.SATISFIED: 60, Rating.FAIRLY_SATISFIED: 32, Rating.DISSATISFIED: 8})
            for aspect in surveys.ASPECTS}
        ratings["overall"] = overall
        comment = rng.choice(("", "", "", "希望加强夜间巡逻", "保洁阿姨很负责", "维修响应很快", "停车位太紧张"))
        surveys.answer(session, rng.choice(households[unit_id]), survey.id, ratings, comment, now=world.now)
    yield closed
    surveys.close_survey(session, world.manager, survey.id, now=world.now)


# What was made

def counts(session: Session, estate: Estate) -> dict[str, int]:
    """Rows of the estate per table the history fills."""
    from estate_pwa.models import (
        CleaningResult, CleaningTask, CleaningTick, FollowUp, Incident, PatrolRound, PatrolScan, ServiceRequest,
        Survey, SurveyAnswer,
    )
    tables = {"residents": (User, User.estate_id), "requests": (ServiceRequest, ServiceRequest.estate_id),
              "follow_ups": (FollowUp, FollowUp.estate_id), "rounds": (PatrolRound, PatrolRound.estate_id),
              "scans": (PatrolScan, PatrolScan.estate_id), "incidents": (Incident, Incident.estate_id),
              "surveys": (Survey, Survey.estate_id), "survey_answers": (SurveyAnswer, SurveyAnswer.estate_id),
              "cleaning_tasks": (CleaningTask, CleaningTask.estate_id),
              "cleaning_ticks": (CleaningTick, CleaningTick.estate_id),
              "cleaning_results": (CleaningResult, CleaningResult.estate_id),
              "audit_entries": (AuditEntry, AuditEntry.estate_id)}
    return {name: int(session.exec(select(func.count()).select_from(model).where(column == estate.id)).one())
            for name, (model, column) in tables.items()}

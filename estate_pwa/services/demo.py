"""Demo data: one estate with buildings, a few hundred units, areas, facilities, staff, residents and a roster."""

import random
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.security import hash_password
from estate_pwa.models import (
    Area, AreaKind, PatrolRoute, Building, DutyAssignment, Estate, Facility, FacilityCategory, Role, Shift, Unit, User, UserRole,
)
from estate_pwa.services import patrol
from estate_pwa.services.permissions import actor_for
from estate_pwa.services.roster import local_today

DEMO_CODE = "cuihu"
BUILDINGS = 6
FLOORS = 12
UNITS_PER_FLOOR = 4
ROSTER_DAYS = 14

# (phone, password, name, roles, shift names): the logins listed in the README.
DEMO_ACCOUNTS = (
    ("13800000001", "Manager123", "王经理", (Role.MANAGER,), ("白班",)),
    ("13800000002", "Guard1234", "李保安", (Role.GUARD,), ("白班",)),
    ("13800000012", "Guard1234", "赵保安", (Role.GUARD,), ("夜班",)),
    ("13800000003", "Cleaner123", "张保洁", (Role.CLEANER,), ("白班",)),
    ("13800000004", "Tech12345", "陈师傅", (Role.TECHNICIAN,), ("白班",)),
    ("13800000014", "Tech12345", "孙师傅", (Role.TECHNICIAN, Role.GUARD), ("夜班",)),
)
DEMO_RESIDENT = ("13900000001", "Resident123", "刘女士")


def load(session: Session, now: datetime | None = None) -> Estate:
    """Create the demo estate once; on every later call only extend the roster. Returns the estate."""
    now = now or utcnow()
    estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).first()
    if estate is None:
        estate = _create_estate(session)
    _ensure_patrols(session, estate)
    _extend_roster(session, estate, now)
    session.commit()
    return estate


def _create_estate(session: Session) -> Estate:
    rng = random.Random(20211)
    estate = Estate(name="翠湖花园", code=DEMO_CODE)
    session.add(estate)
    session.flush()
    first_unit = None
    for b in range(1, BUILDINGS + 1):
        building = Building(estate_id=estate.id, name=f"{b}栋", floors=FLOORS)
        session.add(building)
        session.flush()
        session.add(Area(estate_id=estate.id, name=f"{b}栋大堂", kind=AreaKind.LOBBY, building_id=building.id))
        session.add(Area(estate_id=estate.id, name=f"{b}栋电梯", kind=AreaKind.LIFT, building_id=building.id))
        session.add(Area(estate_id=estate.id, name=f"{b}栋楼梯间", kind=AreaKind.STAIRWELL, building_id=building.id))
        session.add(Facility(estate_id=estate.id, name=f"{b}栋主体结构", category=FacilityCategory.HOUSING,
                             building_id=building.id))
        session.add(Facility(estate_id=estate.id, name=f"{b}栋消防栓", category=FacilityCategory.FIRE_EQUIPMENT,
                             building_id=building.id))
        for floor in range(1, FLOORS + 1):
            for n in range(1, UNITS_PER_FLOOR + 1):
                unit = Unit(estate_id=estate.id, building_id=building.id, number=f"{floor}{n:02d}", floor=floor,
                            area_m2=rng.choice((68.5, 89.0, 98.2, 118.6, 142.3)))
                session.add(unit)
                first_unit = first_unit or unit
    for name, kind in (("南门岗", AreaKind.GATE), ("北门岗", AreaKind.GATE), ("地下车库", AreaKind.CAR_PARK),
                       ("中心花园", AreaKind.GREEN_BELT), ("东侧绿化带", AreaKind.GREEN_BELT),
                       ("环湖路", AreaKind.ROAD), ("文化广场", AreaKind.PLAZA)):
        session.add(Area(estate_id=estate.id, name=name, kind=kind))
    for i in range(1, 25):
        session.add(Facility(estate_id=estate.id, name=f"路灯 L{i:02d}", category=FacilityCategory.STREET_LIGHT))
    for name, category in (("1号化粪池", FacilityCategory.SEPTIC_AND_WELLS), ("雨水井 R1", FacilityCategory.SEPTIC_AND_WELLS),
                           ("污水井 S1", FacilityCategory.SEPTIC_AND_WELLS), ("环湖路排水明沟", FacilityCategory.DRAINS),
                           ("环湖路", FacilityCategory.ROAD), ("地下车库", FacilityCategory.CAR_PARK),
                           ("文化广场健身器材", FacilityCategory.PUBLIC_FACILITY), ("中心花园", FacilityCategory.GREENERY)):
        session.add(Facility(estate_id=estate.id, name=name, category=category))
    day = Shift(estate_id=estate.id, name="白班", starts=time(8, 0), ends=time(20, 0))
    night = Shift(estate_id=estate.id, name="夜班", starts=time(20, 0), ends=time(8, 0))
    session.add_all([day, night])
    for phone, password, name, roles, _ in DEMO_ACCOUNTS:
        _add_user(session, estate, phone, password, name, roles)
    session.flush()
    phone, password, name = DEMO_RESIDENT
    _add_user(session, estate, phone, password, name, (Role.RESIDENT,), unit_id=first_unit.id)
    session.flush()
    return estate


def _add_user(session: Session, estate: Estate, phone: str, password: str, name: str, roles, unit_id=None) -> None:
    user = User(estate_id=estate.id, phone=phone, name=name, password_hash=hash_password(password), unit_id=unit_id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))


def _extend_roster(session: Session, estate: Estate, now: datetime) -> None:
    """Keep the demo roster filled from yesterday to ROSTER_DAYS ahead (idempotent)."""
    today = local_today(session, estate.id, now)
    shifts = {s.name: s for s in session.exec(select(Shift).where(Shift.estate_id == estate.id))}
    for phone, _, _, roles, shift_names in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.phone == phone)).one()
        for offset in range(-1, ROSTER_DAYS):
            day = today + timedelta(days=offset)
            for shift_name in shift_names:
                for role in roles:
                    exists = session.exec(select(DutyAssignment.id).where(
                        DutyAssignment.user_id == user.id, DutyAssignment.shift_id == shifts[shift_name].id,
                        DutyAssignment.day == day, DutyAssignment.role == role)).first()
                    if exists is None:
                        session.add(DutyAssignment(estate_id=estate.id, user_id=user.id,
                                                   shift_id=shifts[shift_name].id, role=role, day=day))


PATROL_POINTS = ("南门岗", "地下车库", "中心花园", "北门岗", "文化广场", "环湖路")
PATROL_ROUTES = (
    ("夜间巡更", ("南门岗", "地下车库", "中心花园", "北门岗"), time(20, 0), time(6, 0)),
    ("日间巡更", ("北门岗", "文化广场", "环湖路", "南门岗"), time(8, 0), time(20, 0)),
)


def _ensure_patrols(session: Session, estate: Estate) -> None:
    """Checkpoints in the estate's common areas and a day and a night route every two hours (once)."""
    if session.exec(select(PatrolRoute.id).where(PatrolRoute.estate_id == estate.id)).first() is not None:
        return
    manager = session.exec(select(User).where(User.phone == DEMO_ACCOUNTS[0][0])).one()
    actor = actor_for(session, manager)
    areas = {a.name: a for a in session.exec(select(Area).where(Area.estate_id == estate.id))}
    points = {name: patrol.create_point(session, actor, areas[name].id, name, f"{name}值守点")
              for name in PATROL_POINTS}
    for name, stops, starts, ends in PATROL_ROUTES:
        patrol.create_route(session, actor, name, [points[p].id for p in stops], starts, ends,
                            every_minutes=120, expected_minutes=40, grace_minutes=15)

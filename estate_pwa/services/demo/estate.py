"""The demo estate itself: 翠湖花园 with its buildings, units, areas, facilities, shifts, the demo accounts listed in
the README, the duty roster and the patrol checkpoints and routes."""

import random
from datetime import date, time, timedelta

from sqlmodel import Session, col, select

from estate_pwa.core.security import hash_password
from estate_pwa.models import (
    Area, AreaKind, Building, DutyAssignment, Estate, Facility, FacilityCategory, PatrolRoute, Role, Shift, Unit,
    User, UserRole,
)
from estate_pwa.services import patrol
from estate_pwa.services.permissions import actor_for

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
    ("13800000013", "Cleaner123", "黄保洁", (Role.CLEANER,), ("白班",)),
)
DEMO_RESIDENT = ("13900000001", "Resident123", "刘女士")

PATROL_POINTS = ("南门岗", "地下车库", "中心花园", "北门岗", "文化广场", "环湖路")
PATROL_ROUTES = (
    ("夜间巡更", ("南门岗", "地下车库", "中心花园", "北门岗"), time(20, 0), time(6, 0)),
    ("日间巡更", ("北门岗", "文化广场", "环湖路", "南门岗"), time(8, 0), time(20, 0)),
)


def find(session: Session) -> Estate | None:
    """The demo estate, if it was made already."""
    return session.exec(select(Estate).where(Estate.code == DEMO_CODE)).first()


def create(session: Session) -> Estate:
    """Buildings with their units, areas, facilities, shifts and the demo accounts (once)."""
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
    ensure_accounts(session, estate)
    phone, password, name = DEMO_RESIDENT
    add_user(session, estate, phone, hash_password(password), name, (Role.RESIDENT,), unit_id=first_unit.id)
    session.flush()
    return estate


def add_user(session: Session, estate: Estate, phone: str, password_hash: str, name: str, roles,
             unit_id: int | None = None) -> User:
    """An account with its roles (the password already hashed: argon2 is slow, generated people share one)."""
    user = User(estate_id=estate.id, phone=phone, name=name, password_hash=password_hash, unit_id=unit_id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    return user


def ensure_accounts(session: Session, estate: Estate) -> None:
    """The demo's staff accounts, each made once (an estate made before an account was added to the list gets it)."""
    held = set(session.exec(select(User.phone).where(
        col(User.phone).in_([account[0] for account in DEMO_ACCOUNTS]))).all())
    for phone, password, name, roles, _ in DEMO_ACCOUNTS:
        if phone not in held:
            add_user(session, estate, phone, hash_password(password), name, roles)
    session.flush()


def fill_roster(session: Session, estate: Estate, first: date, last: date) -> None:
    """Put every demo account on its shifts, in each of its roles, from local day `first` to `last` (idempotent)."""
    shifts = {s.name: s for s in session.exec(select(Shift).where(Shift.estate_id == estate.id))}
    users = {u.phone: u for u in session.exec(select(User).where(
        col(User.phone).in_([account[0] for account in DEMO_ACCOUNTS])))}
    held = set(session.exec(select(DutyAssignment.user_id, DutyAssignment.shift_id, DutyAssignment.day,
                                   DutyAssignment.role).where(DutyAssignment.estate_id == estate.id,
                                                              DutyAssignment.day >= first,
                                                              DutyAssignment.day <= last)).all())
    for phone, _, _, roles, shift_names in DEMO_ACCOUNTS:
        user = users[phone]
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            for shift_name in shift_names:
                for role in roles:
                    if (user.id, shifts[shift_name].id, day, role.value) not in held:
                        session.add(DutyAssignment(estate_id=estate.id, user_id=user.id,
                                                   shift_id=shifts[shift_name].id, role=role, day=day))
    session.flush()


def ensure_patrols(session: Session, estate: Estate) -> None:
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

"""Reading the estate: its summary, buildings and units, and a resident's own household.

Screens get rows carrying translation keys (not labels) and the actions the viewer may take."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local
from estate_pwa.models import Area, Building, Estate, Facility, Role, Unit, User, UserRole
from estate_pwa.services import accounts, audit, roster
from estate_pwa.services.errors import NotFound
from estate_pwa.services.permissions import Actor, require

UNIT_PAGE = 50


@dataclass(frozen=True)
class EstateSummary:
    """Counts a manager sees on their home screen."""

    estate_name: str
    buildings: int
    units: int
    occupied_units: int
    residents: int
    staff: int
    areas: int
    facilities: int
    facilities_in_order: int


def estate_of(session: Session, actor: Actor) -> Estate:
    """The actor's estate."""
    return session.get(Estate, actor.estate_id)


def _count(session: Session, query) -> int:
    return session.exec(query).one()


def summary(session: Session, actor: Actor | None) -> EstateSummary:
    """Counts of the manager's estate."""
    actor = require(actor, Role.MANAGER)
    eid = actor.estate_id
    people = (
        select(func.count(func.distinct(User.id)))
        .join(UserRole, col(UserRole.user_id) == User.id)
        .where(User.estate_id == eid, User.is_active)
    )
    return EstateSummary(
        estate_name=estate_of(session, actor).name,
        buildings=_count(session, select(func.count()).select_from(Building).where(Building.estate_id == eid)),
        units=_count(session, select(func.count()).select_from(Unit).where(Unit.estate_id == eid)),
        occupied_units=_count(session, select(func.count(func.distinct(User.unit_id))).where(
            User.estate_id == eid, col(User.unit_id).is_not(None), User.is_active)),
        residents=_count(session, people.where(UserRole.role == Role.RESIDENT)),
        staff=_count(session, people.where(UserRole.role != Role.RESIDENT)),
        areas=_count(session, select(func.count()).select_from(Area).where(Area.estate_id == eid)),
        facilities=_count(session, select(func.count()).select_from(Facility).where(Facility.estate_id == eid)),
        facilities_in_order=_count(session, select(func.count()).select_from(Facility).where(
            Facility.estate_id == eid, Facility.in_good_order)),
    )


def buildings(session: Session, actor: Actor | None) -> list[Building]:
    """The buildings of the actor's estate, by name."""
    actor = require(actor, Role.MANAGER)
    return list(session.exec(select(Building).where(Building.estate_id == actor.estate_id).order_by(Building.name)))


def areas(session: Session, actor: Actor | None) -> list[Area]:
    """The estate's common areas (lobbies, lifts, car parks …) by name; everyone of the estate may see them."""
    actor = require(actor)
    return list(session.exec(select(Area).where(Area.estate_id == actor.estate_id).order_by(Area.name, Area.id)))


def units(session: Session, actor: Actor | None, building_id: int | None = None, search: str = "",
          page: int = 0) -> list[tuple[Unit, Building, int]]:
    """One page of units (with building and resident count), optionally of one building or matching a number."""
    actor = require(actor, Role.MANAGER)
    residents = (
        select(func.count()).select_from(User)
        .where(User.unit_id == Unit.id, User.is_active).scalar_subquery()
    )
    query = (
        select(Unit, Building, residents)
        .join(Building, col(Building.id) == Unit.building_id)
        .where(Unit.estate_id == actor.estate_id)
    )
    if building_id:
        query = query.where(Unit.building_id == building_id)
    search = search.strip()[:20] if isinstance(search, str) else ""
    if search:
        query = query.where(col(Unit.number).contains(search, autoescape=True))
    query = query.order_by(Building.name, Unit.floor, Unit.number).offset(max(page, 0) * UNIT_PAGE).limit(UNIT_PAGE)
    return [tuple(row) for row in session.exec(query)]


@dataclass(frozen=True)
class BuildingRow:
    """A building, as the units screen's filter lists it."""

    id: int
    name: str


def building_rows(session: Session, actor: Actor | None) -> list[BuildingRow]:
    """The manager's buildings, by name."""
    return [BuildingRow(b.id, b.name) for b in buildings(session, actor)]


@dataclass(frozen=True)
class UnitRow:
    """One unit on the units screen: "1栋 101", its area in m² ("89.5") and active residents."""

    id: int
    label: str
    area: str
    residents: int
    actions: list[str]


def unit_rows(session: Session, actor: Actor | None, building_id: int | None = None, search: str = "",
              page: int = 0) -> list[UnitRow]:
    """One page of units (units) as rows with what the viewer may do with each."""
    actor = require(actor, Role.MANAGER)
    return [UnitRow(id=unit.id, label=f"{building.name} {unit.number}", area=f"{unit.area_m2:g}", residents=count,
                    actions=accounts.unit_actions(actor, unit))
            for unit, building, count in units(session, actor, building_id, search, page)]


@dataclass(frozen=True)
class Stat:
    """One count on the manager's overview: `label` is a translation key."""

    label: str
    value: str


@dataclass(frozen=True)
class AuditRow:
    """One recent audit entry: local time, who ('' for the system) and what (a translation key)."""

    when: str
    who: str
    what: str


@dataclass(frozen=True)
class Overview:
    """The manager's home: counts, who is on duty now, the latest audit entries."""

    stats: list[Stat]
    on_duty: list[roster.OnDutyRow]
    recent: list[AuditRow]


def overview(session: Session, actor: Actor | None, now: datetime | None = None, recent: int = 10) -> Overview:
    """The manager's home screen."""
    actor = require(actor, Role.MANAGER)
    counts = summary(session, actor)
    timezone = estate_of(session, actor).timezone
    entries = audit.recent(session, actor.estate_id, recent)
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict(session.exec(select(User.id, User.name).where(
        User.estate_id == actor.estate_id, col(User.id).in_(ids))).all()) if ids else {}
    return Overview(
        stats=[
            Stat("manager.buildings", str(counts.buildings)),
            Stat("manager.units", str(counts.units)),
            Stat("manager.occupied", str(counts.occupied_units)),
            Stat("manager.residents", str(counts.residents)),
            Stat("manager.staff", str(counts.staff)),
            Stat("manager.facilities", f"{counts.facilities_in_order}/{counts.facilities}"),
        ],
        on_duty=roster.on_duty_rows(session, actor, now),
        recent=[AuditRow(when=format_local(e.created_at, timezone, "%m-%d %H:%M"), who=names.get(e.actor_id, ""),
                         what=f"audit.{e.action}") for e in entries],
    )


@dataclass(frozen=True)
class Household:
    """A resident's own unit and the people registered in it."""

    estate_name: str
    building_name: str
    unit_number: str
    area_m2: float
    members: list[str]

    @property
    def area(self) -> str:
        """The area as shown: "89.5"."""
        return f"{self.area_m2:g}"


def household(session: Session, actor: Actor | None) -> Household:
    """The resident's own unit."""
    actor = require(actor, Role.RESIDENT)
    if actor.unit_id is None:
        raise NotFound("error.not_found")
    unit = session.get(Unit, actor.unit_id)
    building = session.get(Building, unit.building_id)
    members = session.exec(select(User.name).where(User.unit_id == unit.id, User.is_active).order_by(User.id))
    return Household(
        estate_name=estate_of(session, actor).name, building_name=building.name,
        unit_number=unit.number, area_m2=unit.area_m2, members=list(members),
    )

"""The estate and its physical parts: buildings, units, areas, facilities."""

from datetime import date
from enum import StrEnum

from sqlmodel import Field, UniqueConstraint

from estate_pwa.core.config import DEFAULT_TIMEZONE
from estate_pwa.models.base import EstateOwned, Timestamped


class AreaKind(StrEnum):
    """Kinds of common area, used by cleaning and patrols."""

    LOBBY = "lobby"
    LIFT = "lift"
    STAIRWELL = "stairwell"
    CAR_PARK = "car_park"
    GREEN_BELT = "green_belt"
    ROAD = "road"
    GATE = "gate"
    PLAZA = "plaza"
    BIN_ROOM = "bin_room"
    PLAYGROUND = "playground"
    OTHER = "other"


class UnitType(StrEnum):
    """What a unit is used as; the management fee may have its own rate per type (a shop pays more than a flat)."""

    RESIDENTIAL = "residential"
    VILLA = "villa"
    SHOP = "shop"
    OFFICE = "office"


class FacilityCategory(StrEnum):
    """Asset categories taken from the plan's indicator list (分项指标)."""

    HOUSING = "housing"
    ROAD = "road"
    SEPTIC_AND_WELLS = "septic_and_wells"
    DRAINS = "drains"
    STREET_LIGHT = "street_light"
    CAR_PARK = "car_park"
    PUBLIC_FACILITY = "public_facility"
    FIRE_EQUIPMENT = "fire_equipment"
    GREENERY = "greenery"


class Estate(Timestamped, table=True):
    """One residential estate (小区); the boundary of every user's data."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    code: str = Field(max_length=32, unique=True)
    timezone: str = Field(default=DEFAULT_TIMEZONE, max_length=64)
    auto_dispatch: bool = False
    followup_percent: int = Field(default=30, ge=0, le=100)
    open_jobs_cap: int = Field(default=5, ge=1)
    committee_founded_on: date | None = None
    """The owners' committee's founding date: the plan's certification windows count from it."""


class Building(EstateOwned, table=True):
    """A building (楼栋) of the estate."""

    __table_args__ = (UniqueConstraint("estate_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    floors: int = Field(default=1, ge=1)


class Unit(EstateOwned, table=True):
    """A household unit (户) inside a building, with its floor area, its type and the day it was handed over or its
    household moved in (`occupied_from`: management fees are due from that day; None: from before any bill)."""

    __table_args__ = (UniqueConstraint("building_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    number: str = Field(max_length=20)
    floor: int
    area_m2: float = Field(gt=0)
    unit_type: str = Field(default=UnitType.RESIDENTIAL, max_length=20,
                           sa_column_kwargs={"server_default": UnitType.RESIDENTIAL.value})
    occupied_from: date | None = None


class Area(EstateOwned, table=True):
    """A common area (lobby, lift, car park, green belt, road …)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    building_id: int | None = Field(default=None, foreign_key="building.id")


class Facility(EstateOwned, table=True):
    """An asset whose condition feeds an indicator (street light, fire equipment …)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    category: str = Field(max_length=32, index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")
    in_good_order: bool = True

"""The asset register (台账): every asset an intact rate of the plan is counted over, and the spans during which an
asset was defective.

An asset is counted in one measure — floor area, area or length in m²/m, or a count of items — fixed by its
category. "Intact" at a moment = no defect of the asset open at that moment; a defect is open from `opened_at`
until `closed_at` (None = still open). Nothing is deleted: a removed asset is retired (`retired_at`) and stops
counting from then on.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped


class AssetCategory(StrEnum):
    """One category per intact rate the plan names (and public equipment, 设备完好率)."""

    HOUSING = "housing"
    ROAD = "road"
    GREEN = "green"
    CAR_PARK = "car_park"
    WELL = "well"
    STREET_LIGHT = "street_light"
    SPORTS_CULTURE = "sports_culture"
    DRAIN = "drain"
    FIRE_EQUIPMENT = "fire_equipment"
    PUBLIC_EQUIPMENT = "public_equipment"


class Measure(StrEnum):
    """What an asset's quantity is: floor or ground area, length, or a number of items."""

    AREA_M2 = "area_m2"
    LENGTH_M = "length_m"
    COUNT = "count"


MEASURE_OF: dict[AssetCategory, Measure] = {
    AssetCategory.HOUSING: Measure.AREA_M2,
    AssetCategory.ROAD: Measure.AREA_M2,
    AssetCategory.GREEN: Measure.AREA_M2,
    AssetCategory.CAR_PARK: Measure.AREA_M2,
    AssetCategory.WELL: Measure.COUNT,
    AssetCategory.STREET_LIGHT: Measure.COUNT,
    AssetCategory.SPORTS_CULTURE: Measure.COUNT,
    AssetCategory.DRAIN: Measure.LENGTH_M,
    AssetCategory.FIRE_EQUIPMENT: Measure.COUNT,
    AssetCategory.PUBLIC_EQUIPMENT: Measure.COUNT,
}
"""The measure each category's rate is counted in (the plan's: 按面积 / 按长度 / 按数量)."""

SUBKINDS: dict[AssetCategory, tuple[str, ...]] = {
    AssetCategory.HOUSING: ("building",),
    AssetCategory.ROAD: ("road", "path"),
    AssetCategory.GREEN: ("lawn", "garden", "hedge"),
    AssetCategory.CAR_PARK: ("surface", "underground"),
    AssetCategory.WELL: ("septic_tank", "rain_well", "sewage_well", "sand_well"),
    AssetCategory.STREET_LIGHT: ("street_light", "garden_light"),
    AssetCategory.SPORTS_CULTURE: ("fitness", "playground", "court", "pavilion", "sculpture"),
    AssetCategory.DRAIN: ("pipe", "open_ditch", "covered_ditch"),
    AssetCategory.FIRE_EQUIPMENT: ("extinguisher", "hydrant", "alarm", "sprinkler"),
    AssetCategory.PUBLIC_EQUIPMENT: ("lift", "pump", "generator", "gate"),
}
"""The kinds within each category (化粪池/雨水井/污水井/沙井; 灭火器/消火栓/报警/喷淋分区; 电梯/水泵/发电机/道闸 …)."""


class ConditionGrade(StrEnum):
    """The classic housing condition grade (房屋完损等级)."""

    GOOD = "good"
    BASICALLY_GOOD = "basically_good"
    DAMAGED = "damaged"
    SERIOUSLY_DAMAGED = "seriously_damaged"
    DANGEROUS = "dangerous"


INTACT_GRADES = (ConditionGrade.GOOD, ConditionGrade.BASICALLY_GOOD)
"""完好 + 基本完好: the grades 房屋完好率 counts as intact."""


class DefectSource(StrEnum):
    """How a defect became known."""

    INSPECTION = "inspection"
    REPORT = "report"
    MANUAL = "manual"


class Asset(EstateOwned, Timestamped, table=True):
    """One asset of the register: what it is, where, and how much of it its rate counts (m², m or items)."""

    __table_args__ = (
        UniqueConstraint("estate_id", "code"),
        Index("ix_asset_estate_category", "estate_id", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32)
    category: str = Field(max_length=20)
    subkind: str = Field(max_length=20)
    name: str = Field(max_length=100)
    location: str = Field(default="", max_length=100)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    measure: str = Field(max_length=10)
    quantity: Decimal = Field(max_digits=12, decimal_places=2)
    """Floor/ground area in m², length in m, or a number of items (1 for a single item)."""
    grade: str | None = Field(default=None, max_length=20)
    """Housing only: the condition grade (完好 / 基本完好 / 一般损坏 / 严重损坏 / 危险房)."""
    graded_on: date | None = None
    expires_on: date | None = None
    """Fire equipment: when the item (an extinguisher's charge, a hydrant's test) expires."""
    pressure_checked_on: date | None = None
    contractor: str = Field(default="", max_length=100)
    """Public equipment: its maintenance contractor (维保单位)."""
    note: str = Field(default="", max_length=500)
    retired_at: datetime | None = None
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class AssetDefect(EstateOwned, Timestamped, table=True):
    """A span during which an asset was defective: from `opened_at` until `closed_at` (None = still defective),
    with where it came from and the repair request raised for it."""

    __table_args__ = (Index("ix_assetdefect_estate_asset_opened", "estate_id", "asset_id", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    opened_at: datetime
    closed_at: datetime | None = None
    source: str = Field(max_length=20)
    request_id: int | None = Field(default=None, foreign_key="servicerequest.id", index=True)
    note: str = Field(default="", max_length=500)
    opened_by_id: int | None = Field(default=None, foreign_key="user.id")
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")
    close_note: str = Field(default="", max_length=500)

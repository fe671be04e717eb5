"""Scheduled inspections of the asset register (巡检): recurring plans with a checklist, the tasks the clock makes
from them, and the result of each checklist item as the inspector's phone sent it.

A plan covers one asset, or every asset of a category (optionally one kind within it). The clock makes one task
per asset per period (a day, a week from Monday, a month from the 1st, or each of given weekdays), unique by
`key`, so every worker may run it. A defective item opens a defect of the asset (models.facilities.AssetDefect)
and a repair request; when that job is finished the clock adds a re-inspection task (kind "recheck"), and a
passing re-inspection closes the defect.

On-call cover is a flag of the roster's shifts (models.roster.Shift.on_call).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped


class PlanFrequency(StrEnum):
    """How often a plan's assets are inspected."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    WEEKDAYS = "weekdays"


class InspectionKind(StrEnum):
    """A task made from a plan's schedule, or a re-inspection after a repair."""

    ROUTINE = "routine"
    RECHECK = "recheck"


class ItemOutcome(StrEnum):
    """What the inspector found for one checklist item."""

    INTACT = "intact"
    DEFECTIVE = "defective"


class InspectionPlan(EstateOwned, Timestamped, table=True):
    """A recurring inspection: which assets (one asset, or a category and optionally a kind within it), how often,
    the checklist, and who does it (a person, else anyone holding `role`)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    category: str | None = Field(default=None, max_length=20)
    subkind: str | None = Field(default=None, max_length=20)
    asset_id: int | None = Field(default=None, foreign_key="asset.id")
    frequency: str = Field(max_length=10)
    weekdays: str = Field(default="", max_length=13)
    """For `weekdays`: the days as digits, Monday 0 … Sunday 6, comma-separated ("0,3")."""
    items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    role: str = Field(default="technician", max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    active: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="user.id")


class InspectionTask(EstateOwned, Timestamped, table=True):
    """One asset to inspect in one period, due in [starts_at, due_at) (UTC). `key` makes it once: routine
    "<plan>:<asset>:<day>", re-inspection "recheck:<defect>". Done once: `done_at` is set by the first result."""

    __table_args__ = (
        UniqueConstraint("estate_id", "key"),
        Index("ix_inspectiontask_estate_due", "estate_id", "due_at"),
        Index("ix_inspectiontask_estate_done", "estate_id", "done_at"),
        Index("ix_inspectiontask_asset_done", "asset_id", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40)
    plan_id: int = Field(foreign_key="inspectionplan.id", index=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    kind: str = Field(default=InspectionKind.ROUTINE, max_length=10)
    defect_id: int | None = Field(default=None, foreign_key="assetdefect.id")
    """A re-inspection: the defect it may close."""
    day: date
    starts_at: datetime
    due_at: datetime
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    role: str = Field(default="technician", max_length=20)
    done_at: datetime | None = None
    defective: bool | None = None
    inspector_id: int | None = Field(default=None, foreign_key="user.id")


class InspectionResult(EstateOwned, table=True):
    """One checklist item of one task as recorded: intact or defective, with a note and photos. `client_id` is made
    by the phone per submission, so the same submission sent twice is stored once; `recorded_at` is server time,
    `claimed_at` what the phone says (a claim, never trusted)."""

    __table_args__ = (
        UniqueConstraint("client_id", "position"),
        UniqueConstraint("task_id", "position"),
        Index("ix_inspectionresult_estate_recorded", "estate_id", "recorded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64)
    task_id: int = Field(foreign_key="inspectiontask.id")
    asset_id: int = Field(foreign_key="asset.id", index=True)
    position: int
    item: str = Field(max_length=100)
    outcome: str = Field(max_length=10)
    note: str = Field(default="", max_length=500)
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    inspector_id: int = Field(foreign_key="user.id")
    recorded_at: datetime
    claimed_at: datetime | None = None
    defect_id: int | None = Field(default=None, foreign_key="assetdefect.id")

"""Cleaning (专职保洁员责任制): the responsible cleaner of each area over time, checklist templates per kind of area,
the tasks the clock makes from them each day and shift, ticks, and inspections with the rework they create.

The plan's 清洁、保洁率 is read from `CleaningResult` (`ix_cleaningresult_estate_inspected` serves it).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped


class Frequency(StrEnum):
    """How often a checklist item is done: every shift, every day, once a week, or on given weekdays."""

    EVERY_SHIFT = "every_shift"
    DAILY = "daily"
    WEEKLY = "weekly"
    WEEKDAYS = "weekdays"


class TaskKind(StrEnum):
    """A task made by the clock from a template, or rework made by a failed inspection item."""

    ROUTINE = "routine"
    REWORK = "rework"


class CleaningAssignment(EstateOwned, Timestamped, table=True):
    """The responsible cleaner of one area from `starts_at` until `ends_at` (None: still responsible). One open
    assignment per area (a partial unique index); reassigning closes the previous one at the same instant."""

    __table_args__ = (
        Index("uq_cleaningassignment_open_area", "area_id", unique=True,
              sqlite_where=text("ends_at IS NULL"), postgresql_where=text("ends_at IS NULL")),
        Index("ix_cleaningassignment_cleaner_ends", "cleaner_id", "ends_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    cleaner_id: int = Field(foreign_key="user.id")
    starts_at: datetime
    ends_at: datetime | None = None
    walk_order: int = 0
    """Where the area comes in its cleaner's walk (smallest first)."""
    assigned_by_id: int = Field(foreign_key="user.id")


class ChecklistItem(EstateOwned, Timestamped, table=True):
    """One item of the checklist template of a kind of area (models.AreaKind)."""

    __table_args__ = (Index("ix_checklistitem_estate_kind", "estate_id", "area_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    area_kind: str = Field(max_length=20)
    text: str = Field(max_length=200)
    frequency: str = Field(max_length=20)
    weekdays: str = Field(default="", max_length=13)
    """For `weekdays`: the days as digits, Monday 0 … Sunday 6, comma-separated ("0,2,4")."""
    photo_required: bool = False
    rework_hours: int = Field(default=2, ge=1, le=72)
    position: int = 0
    active: bool = True


class CleaningTask(EstateOwned, Timestamped, table=True):
    """One item to do in one area in one slot (coverage, tasks done on time ÷ tasks due, is counted from
    `ix_cleaningtask_estate_kind_due_done` alone): made by the clock (unique per area, item, day and slot, so every
    worker may run it) or by a failed inspection (rework, slot "rework:<result id>").

    `day` is the estate-local day the slot belongs to (for a weekly item, the Monday of its week); `slot` is
    "day", "week", "shift:<shift id>" or "rework:<result id>"; the task is due in [starts_at, due_at) (UTC)."""

    __table_args__ = (
        UniqueConstraint("area_id", "item_id", "day", "slot"),
        Index("ix_cleaningtask_estate_due", "estate_id", "due_at"),
        Index("ix_cleaningtask_estate_kind_due_done", "estate_id", "kind", "due_at", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    item_id: int = Field(foreign_key="checklistitem.id")
    day: date
    slot: str = Field(max_length=24)
    kind: str = Field(default=TaskKind.ROUTINE, max_length=10)
    shift_id: int | None = Field(default=None, foreign_key="shift.id")
    starts_at: datetime
    due_at: datetime
    cleaner_id: int | None = Field(default=None, foreign_key="user.id")
    """Rework: the cleaner who must redo it (routine tasks belong to the area's responsible cleaner)."""
    done_at: datetime | None = None


class CleaningTick(EstateOwned, table=True):
    """A task ticked done: server time, by whom, with photos; `present` when the area's code was scanned with it.
    `tick_uid` is made by the phone, so the same tick sent twice is recorded once; a task is ticked once."""

    __table_args__ = (UniqueConstraint("cleaner_id", "tick_uid"), UniqueConstraint("task_id"))

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="cleaningtask.id")
    cleaner_id: int = Field(foreign_key="user.id", index=True)
    tick_uid: str = Field(max_length=64)
    done_at: datetime
    client_time: datetime | None = None
    late: bool = False
    present: bool = False
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class CleaningVisit(EstateOwned, table=True):
    """A cleaner scanned an area's posted code: they were there (server time; the phone's claimed time kept). Ticks
    of that area by that cleaner within cleaning.PRESENCE_WINDOW of it count as done with presence, whichever of
    the two reaches the server first. `visit_uid` is made by the phone, so a resent scan is recorded once."""

    __table_args__ = (UniqueConstraint("cleaner_id", "visit_uid", name="uq_cleaningvisit_cleaner_uid"),
                      Index("ix_cleaningvisit_cleaner_area", "cleaner_id", "area_id"))

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id")
    cleaner_id: int = Field(foreign_key="user.id")
    visit_uid: str = Field(max_length=64)
    scanned_at: datetime
    client_time: datetime | None = None


class CleaningInspection(EstateOwned, table=True):
    """A supervisor's inspection of one area. `inspection_uid` is made by the phone (the outbox), so the same
    inspection sent twice is recorded once."""

    __table_args__ = (UniqueConstraint("inspector_id", "inspection_uid", name="uq_cleaninginspection_inspector_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_uid: str | None = Field(default=None, max_length=64)
    area_id: int = Field(foreign_key="area.id", index=True)
    inspector_id: int = Field(foreign_key="user.id")
    inspected_at: datetime
    note: str = Field(default="", max_length=500)


class CleaningResult(EstateOwned, table=True):
    """One item of an inspection: passed or failed, with a note and photos; a failure points at its rework, and a
    failure marked as damage (a broken light, a leaking pipe) at the repair request it opened in the jobs flow (the
    request points back through `repair_request_id`: cleaning.result_of_request)."""

    __table_args__ = (Index("ix_cleaningresult_estate_inspected", "estate_id", "inspected_at"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="cleaninginspection.id", index=True)
    area_id: int = Field(foreign_key="area.id")
    item_id: int = Field(foreign_key="checklistitem.id")
    inspected_at: datetime
    passed: bool
    note: str = Field(default="", max_length=500)
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rework_task_id: int | None = Field(default=None, foreign_key="cleaningtask.id")
    damage: bool = False
    repair_request_id: int | None = Field(default=None, foreign_key="servicerequest.id", index=True)


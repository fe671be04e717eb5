"""Problem reports without logging in: the codes posted in areas and on assets, the reports sent from them, and
the counters that limit how many reports a device, an address or a place may send in a window.

A posted code's QR token names its `PostedCode` row, so a revoked row refuses the printed code from then on and
the next print issues a new row (one live code per place: a partial unique index).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from estate_pwa.models.base import EstateOwned, Timestamped


class PlaceKind(StrEnum):
    """What a posted code is stuck on: a cleaning area or an asset of the register."""

    AREA = "area"
    ASSET = "asset"


class ReportCategory(StrEnum):
    """What the reporter saw."""

    DIRTY = "dirty"
    DAMAGED = "damaged"
    UNSAFE = "unsafe"
    OTHER = "other"


class ReportRoute(StrEnum):
    """Where a report went: the area's responsible cleaner, the repair jobs, or the managers."""

    CLEANER = "cleaner"
    REPAIR = "repair"
    MANAGER = "manager"


class PostedCode(EstateOwned, Timestamped, table=True):
    """One printed code of a place; live until revoked."""

    __table_args__ = (
        Index("uq_postedcode_live_place", "kind", "place_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    place_id: int
    """The area's or the asset's id (by `kind`)."""
    revoked_at: datetime | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")


class PublicReport(EstateOwned, table=True):
    """A problem reported by anyone from a posted code, where it went, and when it was handled."""

    __table_args__ = (
        Index("ix_publicreport_estate_received", "estate_id", "received_at"),
        Index("ix_publicreport_assignee_handled", "assignee_id", "handled_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code_id: int = Field(foreign_key="postedcode.id")
    kind: str = Field(max_length=10)
    place_id: int
    area_id: int | None = Field(default=None, foreign_key="area.id")
    category: str = Field(max_length=10)
    description: str = Field(default="", max_length=500)
    photo: str | None = Field(default=None, max_length=100)
    contact: str = Field(default="", max_length=60)
    received_at: datetime
    route: str = Field(max_length=10)
    assignee_id: int | None = Field(default=None, foreign_key="user.id")
    """The cleaner it was given to (route cleaner)."""
    request_id: int | None = Field(default=None, foreign_key="servicerequest.id", index=True)
    """The repair request raised for it (route repair)."""
    handled_at: datetime | None = None
    handled_by_id: int | None = Field(default=None, foreign_key="user.id")
    device: str = Field(default="", max_length=32)
    """The signed device id of the phone that sent it (from its cookie), for tracing abuse."""


class RateCount(SQLModel, table=True):
    """How many public reports one key (device, address or place) sent in the window starting at `window_start`;
    added to atomically by an upsert, so every worker counts into the same row."""

    key: str = Field(primary_key=True, max_length=120)
    window_start: datetime = Field(index=True)
    hits: int = 0

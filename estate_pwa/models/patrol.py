"""Guard patrols: checkpoints with QR codes, routes through them, scheduled rounds and the scans made on them.

Incidents found on a patrol are to come later; they will point at a round and/or a scan (both have ids).
"""

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped


class RoundStatus(StrEnum):
    """Where a patrol round is; only services.patrol moves it, from server timestamps only."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ON_TIME = "on_time"
    LATE = "late"
    INCOMPLETE = "incomplete"
    MISSED = "missed"


class ScanOutcome(StrEnum):
    """What became of one scan: only `counted` scans count towards a round."""

    COUNTED = "counted"
    DUPLICATE = "duplicate"
    TOO_FAST = "too_fast"
    REFUSED = "refused"


class PatrolPoint(EstateOwned, Timestamped, table=True):
    """A checkpoint with a QR code on site. Re-issuing the code bumps `code_version`, revoking older codes."""

    id: int | None = Field(default=None, primary_key=True)
    area_id: int = Field(foreign_key="area.id", index=True)
    name: str = Field(max_length=100)
    location_text: str = Field(default="", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    code_version: int = 1
    active: bool = True


class PatrolRoute(EstateOwned, Timestamped, table=True):
    """An ordered walk through checkpoints, repeated every `every_minutes` from `starts` until `ends` (local time;
    an end at or before the start means the next day)."""

    __table_args__ = (UniqueConstraint("estate_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    strict_order: bool = False
    expected_minutes: int
    grace_minutes: int
    starts: time
    ends: time
    every_minutes: int
    active: bool = True


class RouteStop(EstateOwned, table=True):
    """One checkpoint of a route, at its place in the order (0, 1, 2 …). Never changed once the route is made:
    running processes keep each route's stops (see services.patrol._stop_ids)."""

    __table_args__ = (UniqueConstraint("route_id", "position"), UniqueConstraint("route_id", "point_id"))

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="patrolroute.id", index=True)
    point_id: int = Field(foreign_key="patrolpoint.id", index=True)
    position: int


class PatrolRound(EstateOwned, Timestamped, table=True):
    """One scheduled walk of a route. window_end = window_start + expected duration; grace_end = window_end + grace
    (all UTC)."""

    __table_args__ = (UniqueConstraint("route_id", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    route_id: int = Field(foreign_key="patrolroute.id", index=True)
    guard_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    window_start: datetime = Field(index=True)
    window_end: datetime
    grace_end: datetime
    status: str = Field(default=RoundStatus.SCHEDULED, max_length=20, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class PatrolScan(EstateOwned, table=True):
    """One scan of a checkpoint by a guard, sent at once or later from the phone's offline queue.

    `scan_uid` is made by the phone, so sending the same scan twice is recognised (unique per guard).
    `server_time` is when the server received it; `client_time` is the phone's claim, kept for the record.
    """

    __table_args__ = (
        UniqueConstraint("guard_id", "scan_uid"),
        Index("ix_patrolscan_guard_outcome_client", "guard_id", "outcome", "client_time"),
        Index("ix_patrolscan_guard_outcome_server", "guard_id", "outcome", "server_time"),
        Index("ix_patrolscan_estate_server", "estate_id", "server_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int | None = Field(default=None, foreign_key="patrolround.id", index=True)
    point_id: int = Field(foreign_key="patrolpoint.id", index=True)
    guard_id: int = Field(foreign_key="user.id")
    scan_uid: str = Field(max_length=64)
    client_time: datetime
    server_time: datetime
    synced_late: bool = False
    outcome: str = Field(max_length=20)
    detail: str = Field(default="", max_length=200)

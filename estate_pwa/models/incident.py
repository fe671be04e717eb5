"""Incidents found on duty (security, fire alarms, violations, damage) with their photos, and guards' SOS alerts.

Indicators count incidents per estate, month and category: `ix_incident_estate_created_category` serves that.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from estate_pwa.models.base import EstateOwned, Timestamped


class IncidentCategory(StrEnum):
    """What kind of incident was found: security (治安), fire alarm (火警), violation (违章), damage, other."""

    SECURITY = "security"
    FIRE_ALARM = "fire_alarm"
    VIOLATION = "violation"
    FACILITY_DAMAGE = "facility_damage"
    OTHER = "other"


class IncidentStatus(StrEnum):
    """An incident stays open until a manager closes it with a note."""

    OPEN = "open"
    CLOSED = "closed"


class Incident(EstateOwned, Timestamped, table=True):
    """One incident reported by a guard (or recorded by a manager), at or after a checkpoint, during a round or not."""

    __table_args__ = (
        Index("ix_incident_estate_created_category", "estate_id", "created_at", "category"),
        Index("ix_incident_estate_status", "estate_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(foreign_key="user.id", index=True)
    category: str = Field(max_length=20)
    text: str = Field(max_length=1000)
    point_id: int | None = Field(default=None, foreign_key="patrolpoint.id")
    round_id: int | None = Field(default=None, foreign_key="patrolround.id")
    status: str = Field(default=IncidentStatus.OPEN, max_length=10)
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")
    closed_at: datetime | None = None
    closing_note: str | None = Field(default=None, max_length=500)
    major_crime: bool = False
    """A security incident a manager classed as a major criminal case (重大刑事案件)."""
    actual_fire: bool = False
    """A fire alarm a manager confirmed as a fire (火灾), not only an alarm (火警)."""


class IncidentPhoto(EstateOwned, Timestamped, table=True):
    """A photo of an incident (stored by estate_pwa.core.media; only its name is kept here)."""

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    file: str = Field(max_length=100)
    uploaded_by_id: int = Field(foreign_key="user.id")


class SosAlert(EstateOwned, table=True):
    """A guard's emergency call, shown on every manager screen until a manager acknowledges it."""

    __table_args__ = (
        Index("ix_sosalert_estate_acknowledged", "estate_id", "acknowledged_at"),
        Index("ix_sosalert_guard_raised", "guard_id", "raised_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    guard_id: int = Field(foreign_key="user.id")
    raised_at: datetime
    point_id: int | None = Field(default=None, foreign_key="patrolpoint.id")
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user.id")
    acknowledged_at: datetime | None = None

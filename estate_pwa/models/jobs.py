"""Service requests (repairs, complaints, suggestions), their pauses and follow-up visits."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from estate_pwa.models.base import EstateOwned, Timestamped


class RequestKind(StrEnum):
    """What the resident brought to the estate office."""

    REPAIR = "repair"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    BOOKED = "booked"
    """A booked special service (its booking names the request): done by the staff member the booking holds."""


class Urgency(StrEnum):
    """Emergency repairs (急修) and routine ones (零修)."""

    EMERGENCY = "emergency"
    ROUTINE = "routine"


class RepairCategory(StrEnum):
    """Trades a repair belongs to; each has a default promise time."""

    PLUMBING = "plumbing"
    ELECTRICAL = "electrical"
    DOORS_WINDOWS = "doors_windows"
    APPLIANCE = "appliance"
    PUBLIC_AREA = "public_area"
    OTHER = "other"


class RequestStatus(StrEnum):
    """Where a request is in its life; only the core moves it between these."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    PAUSED = "paused"
    COMPLETED = "completed"
    CLOSED = "closed"


class ServiceRequest(EstateOwned, Timestamped, table=True):
    """One request and, for repairs, the job done for it. The first receiver owns it until the resident is satisfied."""

    __table_args__ = (
        Index("ix_servicerequest_estate_kind_promised", "estate_id", "kind", "promised_at"),
        Index("ix_servicerequest_estate_kind_completed", "estate_id", "kind", "completed_at"),
        Index("ix_servicerequest_estate_kind_received", "estate_id", "kind", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    category: str = Field(default=RepairCategory.OTHER, max_length=20)
    urgency: str = Field(default=Urgency.ROUTINE, max_length=20)
    status: str = Field(default=RequestStatus.RECEIVED, max_length=20, index=True)
    description: str = Field(max_length=1000)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    reporter_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    first_receiver_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    technician_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    received_at: datetime
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    late_reason: str | None = Field(default=None, max_length=200)
    resident_consented: bool = False
    promised_at: datetime | None = None
    promise_override_reason: str | None = Field(default=None, max_length=200)
    postponements: int = 0
    postpone_reason: str | None = Field(default=None, max_length=200)
    breaches: int = 0
    paused_seconds: int = 0
    paused_since: datetime | None = None
    pause_reason: str | None = Field(default=None, max_length=40)
    completed_at: datetime | None = None
    work_done: str | None = Field(default=None, max_length=1000)
    parts: str | None = Field(default=None, max_length=500)
    on_time: bool | None = None
    signature_file: str | None = Field(default=None, max_length=100)
    satisfied: bool | None = None
    rating_comment: str | None = Field(default=None, max_length=500)
    rated_at: datetime | None = None
    reopen_count: int = 0
    quality_pass: bool | None = None
    reply: str | None = Field(default=None, max_length=1000)
    replied_at: datetime | None = None
    closed_at: datetime | None = None
    effective: bool | None = None
    """For complaints: staff confirmed it was the service's fault (有效投诉), or that it was not."""


class RequestPause(EstateOwned, table=True):
    """A span during which a job's clock stood still for a resident-caused reason."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="servicerequest.id", index=True)
    reason: str = Field(max_length=40)
    started_at: datetime
    ended_at: datetime | None = None


class FollowUp(EstateOwned, Timestamped, table=True):
    """A return visit (回访) to a completed repair and its outcome."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="servicerequest.id", index=True)
    reason: str = Field(max_length=20)
    outcome: str | None = Field(default=None, max_length=500)
    resident_satisfied: bool | None = None
    done_by_id: int | None = Field(default=None, foreign_key="user.id")
    done_at: datetime | None = None


class PhotoStage(StrEnum):
    """When a photo was taken: with the report, or of the work done."""

    REPORT = "report"
    WORK = "work"


class RequestPhoto(EstateOwned, Timestamped, table=True):
    """A photo attached to a request (stored by estate_pwa.core.media; only its name is kept here)."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="servicerequest.id", index=True)
    stage: str = Field(max_length=10)
    file: str = Field(max_length=100)
    uploaded_by_id: int = Field(foreign_key="user.id")

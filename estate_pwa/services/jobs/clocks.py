"""The clocks of a request, from stored server timestamps only: the 3-minute dispatch promise, the promised finish
(moved later by resident-caused pauses) and the 2-day feedback due date for complaints and suggestions."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from estate_pwa.core.clock import utcnow
from estate_pwa.models import RequestKind, RequestStatus, ServiceRequest, Urgency

DISPATCH_PROMISE = timedelta(minutes=3)
FEEDBACK_DUE = timedelta(days=2)
URGENCY_ORDER = {Urgency.EMERGENCY: 0, Urgency.ROUTINE: 1}


def finish_deadline(request: ServiceRequest, now: datetime) -> datetime | None:
    """The promised finish moved later by every resident-caused pause (including one still running)."""
    if request.promised_at is None:
        return None
    paused = request.paused_seconds
    if request.paused_since is not None:
        paused += max(0, int((now - request.paused_since).total_seconds()))
    return request.promised_at + timedelta(seconds=paused)


@dataclass(frozen=True)
class Clocks:
    """The deadlines of a request at `now`, computed from stored server timestamps only."""

    dispatch_deadline: datetime
    dispatch_met: bool | None
    dispatch_excused: bool
    finish_deadline: datetime | None
    overdue: bool
    feedback_deadline: datetime | None
    seconds_left: int | None


def clocks(request: ServiceRequest, now: datetime | None = None) -> Clocks:
    """Every clock of one request: the 3-minute dispatch promise, the finish promise, the 2-day feedback."""
    now = now or utcnow()
    dispatch_deadline = request.received_at + DISPATCH_PROMISE
    met = None if request.accepted_at is None else request.accepted_at <= dispatch_deadline
    if met is None and now > dispatch_deadline and request.kind == RequestKind.REPAIR:
        met = False
    finished = request.status in (RequestStatus.COMPLETED, RequestStatus.CLOSED)
    if request.kind in (RequestKind.REPAIR, RequestKind.BOOKED):
        deadline = finish_deadline(request, now) if request.promised_at else dispatch_deadline
        feedback = None
    else:
        deadline = None
        feedback = request.received_at + FEEDBACK_DUE
    target = deadline or feedback
    overdue = not finished and target is not None and now > target
    left = None if finished or target is None else math.floor((target - now).total_seconds())
    return Clocks(dispatch_deadline, met, bool(request.late_reason and request.resident_consented),
                  deadline, overdue, feedback, left)


def by_urgency(requests: list[ServiceRequest], now: datetime) -> list[ServiceRequest]:
    """Emergencies first, then the nearest deadline."""
    far = now + timedelta(days=3650)
    return sorted(requests, key=lambda r: (URGENCY_ORDER.get(Urgency(r.urgency), 1),
                                           clocks(r, now).finish_deadline or clocks(r, now).feedback_deadline or far))

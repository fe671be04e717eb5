"""Which requests each person sees: the resident's own, the technician's jobs and the pool, the first receiver's,
the office board; a request's history; who to call about it."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import AuditEntry, RequestStatus, Role, ServiceRequest, User
from estate_pwa.services.errors import NotFound
from estate_pwa.services.jobs.clocks import by_urgency
from estate_pwa.services.jobs.rules import OPEN, POOL, STAFF, TECHNICIAN_OPEN, WORKERS, may_follow
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import positive_id

RESIDENT_LIMIT = 50


def for_resident(session: Session, actor: Actor | None) -> list[ServiceRequest]:
    """The resident's own requests, newest first."""
    actor = require(actor, Role.RESIDENT)
    return list(session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id, ServiceRequest.reporter_id == actor.id,
    ).order_by(col(ServiceRequest.id).desc()).limit(RESIDENT_LIMIT)))


def for_technician(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ServiceRequest]:
    """The unfinished jobs assigned to a technician (or a cleaner's booked services), emergencies and nearest
    deadlines first."""
    actor = require(actor, *WORKERS)
    jobs = session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id, ServiceRequest.technician_id == actor.id,
        col(ServiceRequest.status).in_(TECHNICIAN_OPEN)))
    return by_urgency(list(jobs), now or utcnow())


def pool(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ServiceRequest]:
    """Unassigned repairs a technician may claim."""
    actor = require(actor, Role.TECHNICIAN)
    jobs = session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == actor.estate_id, *POOL))
    return by_urgency(list(jobs), now or utcnow())


def owned_by(session: Session, actor: Actor | None) -> list[ServiceRequest]:
    """Every unfinished request whose first receiver is the actor (首按责任制)."""
    actor = require(actor, *STAFF)
    return list(session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id, ServiceRequest.first_receiver_id == actor.id,
        col(ServiceRequest.status) != RequestStatus.CLOSED,
    ).order_by(col(ServiceRequest.id).desc())))


def office_board(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ServiceRequest]:
    """The office's view: every open request and those finished in the last day."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    recent = now - timedelta(days=1)
    rows = session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id,
        col(ServiceRequest.status).in_(OPEN) | (col(ServiceRequest.completed_at) >= recent)
        | (col(ServiceRequest.closed_at) >= recent),
    ))
    return by_urgency(list(rows), now)


def followed(session: Session, actor: Actor | None, request_id: object) -> ServiceRequest:
    """A request the actor may follow (others: not found)."""
    actor = require(actor)
    request = in_estate(session, actor, ServiceRequest, positive_id(request_id))
    if not may_follow(actor, request):
        raise NotFound("error.not_found")
    return request


def history(session: Session, actor: Actor | None, request_id: object) -> list[AuditEntry]:
    """A request's full history from the audit log, oldest first, for those who may follow it."""
    request = followed(session, actor, request_id)
    return list(session.exec(select(AuditEntry).where(
        AuditEntry.estate_id == request.estate_id, AuditEntry.target_type == "request",
        AuditEntry.target_id == request.id).order_by(AuditEntry.id)))


def contact_of(session: Session, actor: Actor | None, request: ServiceRequest) -> str:
    """Who to call about a request (reporter's name and phone), for staff only."""
    actor = require(actor, *STAFF)
    if request.estate_id != actor.estate_id or request.reporter_id is None:
        return ""
    reporter = session.get(User, request.reporter_id)
    return f"{reporter.name} {reporter.phone}"

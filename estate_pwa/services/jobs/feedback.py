"""After the work: replies to complaints and suggestions, the resident's rating (satisfied closes, not satisfied
reopens to the first receiver), repair quality marks and follow-up visits (回访)."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Estate, FollowUp, RequestKind, RequestStatus, Role, ServiceRequest
from estate_pwa.services import validation
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs.clocks import FEEDBACK_DUE
from estate_pwa.services.jobs.rules import REQUEST, STAFF, check, load, log, receive
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.permissions import require as require_login
from estate_pwa.services.refusals import require, refusing
from estate_pwa.services.validation import positive_id

FOLLOW_UP_REASONS = ("sample", "unsatisfied")
"""Why a follow-up visit was asked for: the estate's sample of completed repairs, or an unsatisfied resident."""


def reply(session: Session, actor: Actor | None, request_id: object, text: object,
          now: datetime | None = None) -> ServiceRequest:
    """The office, or the staff member who first received it, answers a complaint or suggestion (due within
    2 days); the resident then confirms or reopens."""
    actor = require(session, actor, REQUEST, *STAFF)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "reply")
    with refusing(session, actor, REQUEST, request.id):
        answer = validation.text(text, "error.reply_required", multiline=True)
    request.reply = answer
    request.replied_at = now
    request.status = RequestStatus.COMPLETED
    request.completed_at = now
    request.on_time = now <= request.received_at + FEEDBACK_DUE
    receive(request, actor)
    log(session, actor, request, "request_replied", on_time=request.on_time)
    return request


def rate(session: Session, actor: Actor | None, request_id: object, satisfied: object, comment: object = None,
         now: datetime | None = None) -> ServiceRequest:
    """The resident confirms: satisfied closes the request; not satisfied reopens it to its first receiver."""
    actor = require(session, actor, REQUEST, Role.RESIDENT)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "rate")
    with refusing(session, actor, REQUEST, request.id):
        if not isinstance(satisfied, bool):
            raise InvalidInput("error.bad_request")
        note = validation.text(comment, "error.bad_request", 500, required=False) or None
    request.satisfied = satisfied
    request.rating_comment = note
    request.rated_at = now
    if satisfied:
        request.status = RequestStatus.CLOSED
        request.closed_at = now
        log(session, actor, request, "request_confirmed")
        return request
    request.status = RequestStatus.RECEIVED
    request.reopen_count += 1
    request.technician_id = None
    request.completed_at = None
    request.on_time = None
    request.promised_at = None
    log(session, actor, request, "request_reopened", comment=note)
    if request.kind == RequestKind.REPAIR:
        ensure_follow_up(session, request, "unsatisfied")
    return request


def mark_quality(session: Session, actor: Actor | None, request_id: object, passed: object) -> ServiceRequest:
    """A supervisor marks a finished repair's quality pass or fail."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    request = load(session, actor, request_id)
    check(session, actor, request, "mark_quality")
    with refusing(session, actor, REQUEST, request.id):
        if not isinstance(passed, bool):
            raise InvalidInput("error.bad_request")
    request.quality_pass = passed
    log(session, actor, request, "quality_marked", passed=passed)
    return request


def ensure_follow_up(session: Session, request: ServiceRequest, reason: str) -> FollowUp:
    """A pending follow-up for the request: the one already waiting, or a new one."""
    assert reason in FOLLOW_UP_REASONS
    pending = session.exec(select(FollowUp).where(
        FollowUp.request_id == request.id, col(FollowUp.done_at).is_(None))).first()
    if pending is not None:
        return pending
    follow_up = FollowUp(estate_id=request.estate_id, request_id=request.id, reason=reason)
    session.add(follow_up)
    session.flush()
    return follow_up


def sample_for_follow_up(session: Session, request: ServiceRequest) -> None:
    """Keep the share of completed repairs with a follow-up at or above the estate's percentage, by quota."""
    estate = session.get(Estate, request.estate_id)
    completed = session.exec(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.estate_id == estate.id, ServiceRequest.kind == RequestKind.REPAIR,
        col(ServiceRequest.completed_at).is_not(None))).one()
    sampled = session.exec(select(func.count(func.distinct(FollowUp.request_id))).where(
        FollowUp.estate_id == estate.id)).one()
    if sampled * 100 < estate.followup_percent * completed:
        ensure_follow_up(session, request, "sample")


def confirm_complaint(session: Session, actor: Actor | None, request_id: object, effective: object
                      ) -> ServiceRequest:
    """A manager confirms whether a complaint was the service's fault (有效投诉) or not, at any stage; it may be
    corrected later, each decision in the request's history. Effective complaints feed the complaint indicators."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    request = load(session, actor, request_id)
    check(session, actor, request, "confirm_effective")
    with refusing(session, actor, REQUEST, request.id):
        if not isinstance(effective, bool):
            raise InvalidInput("error.bad_request")
    request.effective = effective
    log(session, actor, request, "complaint_confirmed", effective=effective)
    return request


def record_follow_up(session: Session, actor: Actor | None, follow_up_id: object, outcome: object,
                     resident_satisfied: object, now: datetime | None = None) -> FollowUp:
    """Record the outcome of a follow-up visit."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    follow_up = in_estate(session, actor, FollowUp, positive_id(follow_up_id))
    if follow_up.done_at is not None:
        raise InvalidInput("error.already_done")
    if not isinstance(resident_satisfied, bool):
        raise InvalidInput("error.bad_request")
    follow_up.outcome = validation.text(outcome, "error.reply_required", 500, multiline=True)
    follow_up.resident_satisfied = resident_satisfied
    follow_up.done_by_id = actor.id
    follow_up.done_at = now or utcnow()
    request = session.get(ServiceRequest, follow_up.request_id)
    log(session, actor, request, "follow_up_done", satisfied=resident_satisfied)
    return follow_up


def pending_follow_ups(session: Session, actor: Actor | None) -> list[tuple[FollowUp, ServiceRequest]]:
    """Follow-up visits still to do."""
    actor = require_login(actor, Role.MANAGER)
    return [tuple(row) for row in session.exec(
        select(FollowUp, ServiceRequest).join(ServiceRequest, col(ServiceRequest.id) == FollowUp.request_id)
        .where(FollowUp.estate_id == actor.estate_id, col(FollowUp.done_at).is_(None)).order_by(FollowUp.id))]

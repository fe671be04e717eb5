"""The work on a job by the person it is assigned to (a technician; a cleaner for a booked service): accepting
with a promise, an agreed late arrival, resident-caused pauses, the one postponement, closing with work, parts,
photos and the resident's signature; and the manager's promises beyond the limits (an override with a reason, or
a breach after the postponement)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    PhotoStage, RepairCategory, RequestPause, RequestStatus, Role, ServiceRequest, Urgency,
)
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs.clocks import finish_deadline
from estate_pwa.services.jobs.feedback import sample_for_follow_up
from estate_pwa.services.jobs.photos import attach
from estate_pwa.services.jobs.rules import REQUEST, WORKERS, check, instant, load, log, receive
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.validation import choice, text

MAX_PROMISE = timedelta(days=7)
MAX_OVERRIDE = timedelta(days=90)
DEFAULT_PROMISE = {
    RepairCategory.PLUMBING: timedelta(days=1),
    RepairCategory.ELECTRICAL: timedelta(days=1),
    RepairCategory.DOORS_WINDOWS: timedelta(days=2),
    RepairCategory.APPLIANCE: timedelta(days=2),
    RepairCategory.PUBLIC_AREA: timedelta(days=2),
    RepairCategory.OTHER: timedelta(days=2),
}
EMERGENCY_PROMISE = timedelta(hours=4)
PAUSE_REASONS = ("resident_not_home", "resident_buying_parts", "resident_asked_later")
REASON_MAX = 200


def default_promise(request: ServiceRequest, now: datetime) -> datetime:
    """The default promised finish: 4 hours for emergencies, else the category's 1–2 days."""
    if request.urgency == Urgency.EMERGENCY:
        return now + EMERGENCY_PROMISE
    return now + DEFAULT_PROMISE[RepairCategory(request.category)]


def _check_promise(promised_at: object, now: datetime) -> datetime:
    promised_at = instant(promised_at)
    if promised_at <= now:
        raise InvalidInput("error.time_in_past")
    if promised_at > now + MAX_PROMISE:
        raise InvalidInput("error.promise_too_long")
    return promised_at


def _reason(raw: object) -> str:
    return text(raw, "error.reason_required", REASON_MAX)


def accept(session: Session, actor: Actor | None, request_id: object, promised_at: object = None,
           now: datetime | None = None) -> ServiceRequest:
    """The assigned technician accepts (is on the way) and promises a finish time (default per category, ≤ 7 days)."""
    actor = require(session, actor, REQUEST, *WORKERS)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "accept")
    with refusing(session, actor, REQUEST, request.id):
        promise = default_promise(request, now) if promised_at is None else _check_promise(promised_at, now)
    request.status = RequestStatus.ACCEPTED
    request.accepted_at = request.accepted_at or now
    request.promised_at = request.promised_at or promise
    receive(request, actor)
    log(session, actor, request, "request_accepted", promised_at=request.promised_at.isoformat())
    return request


def set_promise_beyond_limit(session: Session, actor: Actor | None, request_id: object, promised_at: object,
                             reason: object, now: datetime | None = None) -> ServiceRequest:
    """A manager sets a promise longer than 7 days (special cases), with a reason."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "reschedule")
    with refusing(session, actor, REQUEST, request.id):
        promised_at = instant(promised_at)
        if promised_at <= now:
            raise InvalidInput("error.time_in_past")
        if promised_at > now + MAX_OVERRIDE:
            raise InvalidInput("error.promise_beyond_override")
        why = _reason(reason)
    request.promised_at = promised_at
    request.promise_override_reason = why
    log(session, actor, request, "promise_overridden", promised_at=promised_at.isoformat(), reason=why)
    return request


def excuse_late_arrival(session: Session, actor: Actor | None, request_id: object, reason: object,
                        resident_consented: object, now: datetime | None = None) -> ServiceRequest:
    """Record why the technician cannot arrive within 3 minutes and that the resident agreed (三分钟服务承诺)."""
    actor = require(session, actor, REQUEST, *WORKERS, Role.MANAGER)
    request = load(session, actor, request_id)
    check(session, actor, request, "excuse")
    with refusing(session, actor, REQUEST, request.id):
        why = _reason(reason)
        if resident_consented is not True:
            raise InvalidInput("error.consent_required")
    request.late_reason = why
    request.resident_consented = True
    log(session, actor, request, "late_arrival_excused", reason=why)
    return request


def pause(session: Session, actor: Actor | None, request_id: object, reason: object,
          now: datetime | None = None) -> ServiceRequest:
    """Stop the job's clock for a resident-caused reason; the pause is logged with its start."""
    actor = require(session, actor, REQUEST, *WORKERS)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "pause")
    with refusing(session, actor, REQUEST, request.id):
        why = choice(reason, PAUSE_REASONS, "error.pause_reason")
    request.status = RequestStatus.PAUSED
    request.paused_since = now
    request.pause_reason = why
    session.add(RequestPause(estate_id=request.estate_id, request_id=request.id, reason=why, started_at=now))
    log(session, actor, request, "request_paused", reason=why)
    return request


def end_pause(session: Session, request: ServiceRequest, now: datetime) -> None:
    """Close an open pause, adding its length to the paused time; returns None for `paused_since`."""
    if request.paused_since is None:
        return None
    request.paused_seconds += max(0, int((now - request.paused_since).total_seconds()))
    open_pause = session.exec(select(RequestPause).where(
        RequestPause.request_id == request.id, col(RequestPause.ended_at).is_(None))).first()
    if open_pause is not None:
        open_pause.ended_at = now
    request.pause_reason = None
    return None


def resume(session: Session, actor: Actor | None, request_id: object, now: datetime | None = None) -> ServiceRequest:
    """Restart the clock of a paused job; the pause's end is logged."""
    actor = require(session, actor, REQUEST, *WORKERS)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "resume")
    request.paused_since = end_pause(session, request, now)
    request.status = RequestStatus.ACCEPTED
    log(session, actor, request, "request_resumed")
    return request


def postpone(session: Session, actor: Actor | None, request_id: object, new_time: object, reason: object,
             now: datetime | None = None) -> ServiceRequest:
    """Move the promised finish later, once per job, with a reason; the resident sees the new time."""
    actor = require(session, actor, REQUEST, *WORKERS)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "postpone")
    with refusing(session, actor, REQUEST, request.id):
        new_time = _check_promise(new_time, now)
        if new_time <= request.promised_at:
            raise InvalidInput("error.postpone_not_later")
        why = _reason(reason)
    request.postponements += 1
    request.postpone_reason = why
    request.promised_at = new_time
    log(session, actor, request, "request_postponed", promised_at=new_time.isoformat(), reason=why)
    return request


def extend_as_breach(session: Session, actor: Actor | None, request_id: object, new_time: object, reason: object,
                     now: datetime | None = None) -> ServiceRequest:
    """Only a manager can push a job further after its one postponement; that is recorded as a breach."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "reschedule")
    with refusing(session, actor, REQUEST, request.id):
        new_time = instant(new_time)
        if new_time <= now or new_time <= request.promised_at:
            raise InvalidInput("error.postpone_not_later")
        if new_time > now + MAX_OVERRIDE:
            raise InvalidInput("error.promise_beyond_override")
        why = _reason(reason)
    request.breaches += 1
    request.promised_at = new_time
    log(session, actor, request, "promise_breached", promised_at=new_time.isoformat(), reason=why)
    return request


def reschedule_by_manager(session: Session, actor: Actor | None, request_id: object, new_time: object,
                          reason: object, now: datetime | None = None) -> ServiceRequest:
    """A manager moves a promise: after the one postponement that is a breach, otherwise an override with reason."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    request = load(session, actor, request_id)
    if request.postponements >= 1:
        return extend_as_breach(session, actor, request_id, new_time, reason, now)
    return set_promise_beyond_limit(session, actor, request_id, new_time, reason, now)


def complete(session: Session, actor: Actor | None, request_id: object, work_done: object, parts: object = None,
             signature_file: str | None = None, now: datetime | None = None, photos: list[str] = ()) -> ServiceRequest:
    """The technician records the work (with photos) and closes the job; the resident then confirms and rates it."""
    actor = require(session, actor, REQUEST, *WORKERS)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "finish")
    with refusing(session, actor, REQUEST, request.id):
        work = text(work_done, "error.work_required", multiline=True)
        used = text(parts, "error.bad_request", 500, required=False) or None
        attach(session, actor, request, photos, PhotoStage.WORK)
    request.status = RequestStatus.COMPLETED
    request.completed_at = now
    request.work_done = work
    request.parts = used
    request.signature_file = signature_file or request.signature_file
    request.on_time = now <= finish_deadline(request, now)
    log(session, actor, request, "request_completed", on_time=request.on_time, signed=bool(signature_file))
    sample_for_follow_up(session, request)
    return request

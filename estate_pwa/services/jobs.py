"""Repair jobs and requests: first-receiver ownership, the 3-minute promise, promises, one postponement,
resident-caused pauses, sign-off, rating, reopening, quality marks and follow-up visits.

Every change of a request goes through this module; refusals are written to the audit log and leave the
request unchanged.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, literal, update
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area, AuditEntry, Building, Estate, PhotoStage, RequestPhoto, FollowUp, RepairCategory, RequestKind, RequestPause, RequestStatus, Role, ServiceRequest, Unit,
    Urgency, User, UserRole,
)
from estate_pwa.services import audit, roster
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import positive_id

DISPATCH_PROMISE = timedelta(minutes=3)
FEEDBACK_DUE = timedelta(days=2)
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
OPEN = (RequestStatus.RECEIVED, RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.PAUSED)
TECHNICIAN_OPEN = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.PAUSED)
TEXT_MAX = 1000
REASON_MAX = 200
MAX_PHOTOS = 6
PHOTO_NAME = re.compile(r"(requests|work)/[0-9a-f]{32}\.jpg")
IN_POOL = (ServiceRequest.kind == RequestKind.REPAIR, ServiceRequest.status == RequestStatus.RECEIVED,
           col(ServiceRequest.technician_id).is_(None))


def _text(raw: object, key: str, limit: int = TEXT_MAX, required: bool = True) -> str | None:
    """Trimmed free text of at most `limit` characters (None when optional and empty)."""
    if raw is None and not required:
        return None
    if not isinstance(raw, str):
        raise InvalidInput(key)
    value = raw.strip()
    if required and not value:
        raise InvalidInput(key)
    if len(value) > limit:
        raise InvalidInput("error.text_too_long", limit=limit)
    return value or None


def _choice(raw: object, allowed, key: str) -> str:
    if not isinstance(raw, str) or raw not in {str(a) for a in allowed}:
        raise InvalidInput(key)
    return raw


def _aware(raw: object) -> datetime:
    if not isinstance(raw, datetime) or raw.utcoffset() is None:
        raise InvalidInput("error.bad_time")
    return raw


def _user(session: Session, actor: Actor) -> User:
    return session.get(User, actor.id)


def _refuse(session: Session, actor: Actor, request: ServiceRequest | None, error: DomainError) -> None:
    """Log a refused action in the audit log (in its own commit, within the per-minute limit) and raise it; the
    request stays as it was."""
    session.rollback()
    audit.record_refusal(session, actor.estate_id, _user(session, actor), "request_refused", "request",
                         request.id if request else None, reason=error.key)
    session.commit()
    raise error


def _require(session: Session, actor: Actor | None, *roles: Role) -> Actor:
    """Like permissions.require, but a logged-in actor refused for their role is also written to the audit log."""
    try:
        return require(actor, *roles)
    except NotAllowed as error:
        if actor is None:
            raise
        _refuse(session, actor, None, error)


def _load(session: Session, actor: Actor, request_id: object) -> ServiceRequest:
    try:
        return in_estate(session, actor, ServiceRequest, positive_id(request_id))
    except DomainError as error:
        _refuse(session, actor, None, error)


def _receive(request: ServiceRequest, actor: Actor) -> None:
    """The first staff member to act on a request becomes its first receiver, for good."""
    if request.first_receiver_id is None:
        request.first_receiver_id = actor.id


def _log(session: Session, actor: Actor | None, request: ServiceRequest, action: str, **detail) -> None:
    user = session.get(User, actor.id) if actor else None
    audit.record(session, request.estate_id, user, action, "request", request.id, **detail)


def _new_request(session: Session, actor: Actor, kind: object, description: object, category: object,
                 urgency: object, now: datetime, **place_and_people) -> ServiceRequest:
    """Validate and store a new request, log it, and auto-dispatch repairs when the estate wants that."""
    request = ServiceRequest(
        estate_id=actor.estate_id,
        kind=_choice(kind, RequestKind, "error.bad_request"),
        category=_choice(category, RepairCategory, "error.bad_request"),
        urgency=_choice(urgency, Urgency, "error.bad_request"),
        description=_text(description, "error.description_required"),
        received_at=now,
        **place_and_people,
    )
    session.add(request)
    session.flush()
    _log(session, actor, request, "request_submitted" if request.reporter_id == actor.id else "request_recorded",
         kind=request.kind, urgency=request.urgency)
    if request.kind == RequestKind.REPAIR and session.get(Estate, actor.estate_id).auto_dispatch:
        auto_dispatch(session, request, now)
    return request


def submit(session: Session, actor: Actor | None, kind: object, description: object, category: object = "other",
           urgency: object = "routine", area_id: object = None, now: datetime | None = None,
           photos: list[str] = ()) -> ServiceRequest:
    """A resident reports a repair, complaint or suggestion for their own unit, or for one of the estate's common
    areas when `area_id` is given, with photos already stored."""
    actor = _require(session, actor, Role.RESIDENT)
    area = _common_area(session, actor, area_id)
    if area is None and actor.unit_id is None:
        raise InvalidInput("error.place_required")
    request = _new_request(session, actor, kind, description, category, urgency, now or utcnow(),
                           unit_id=None if area else actor.unit_id, area_id=area.id if area else None,
                           reporter_id=actor.id)
    _attach(session, actor, request, photos, PhotoStage.REPORT)
    return request


def _common_area(session: Session, actor: Actor, area_id: object) -> Area | None:
    """The chosen common area of the actor's estate (None when none was chosen); any other id is refused."""
    if area_id in (None, ""):
        return None
    try:
        return in_estate(session, actor, Area, positive_id(area_id))
    except DomainError:
        _refuse(session, actor, None, InvalidInput("error.area_unknown"))


def common_areas(session: Session, actor: Actor | None) -> list[Area]:
    """The common areas of the actor's estate (lobbies, lifts, car park …), by name."""
    actor = require(actor)
    return list(session.exec(select(Area).where(Area.estate_id == actor.estate_id).order_by(Area.name, Area.id)))


def _attach(session: Session, actor: Actor, request: ServiceRequest, photos: object, stage: PhotoStage) -> None:
    """Attach stored photos (names made by core.media.save_photo) to a request, at most MAX_PHOTOS per stage."""
    if not photos:
        return
    if not isinstance(photos, (list, tuple)) or not all(isinstance(p, str) and PHOTO_NAME.fullmatch(p)
                                                        for p in photos):
        raise InvalidInput("error.bad_request")
    held = session.exec(select(func.count()).select_from(RequestPhoto).where(
        RequestPhoto.request_id == request.id, RequestPhoto.stage == stage)).one()
    if held + len(photos) > MAX_PHOTOS:
        raise InvalidInput("error.too_many_photos", limit=MAX_PHOTOS)
    for name in photos:
        session.add(RequestPhoto(estate_id=request.estate_id, request_id=request.id, stage=stage, file=name,
                                 uploaded_by_id=actor.id))


def photo_files(session: Session, requests: list[ServiceRequest]) -> dict[int, list[RequestPhoto]]:
    """The photos of requests the caller may already show, report photos first."""
    ids = [r.id for r in requests]
    found: dict[int, list[RequestPhoto]] = {i: [] for i in ids}
    if ids:
        for photo in session.exec(select(RequestPhoto).where(col(RequestPhoto.request_id).in_(ids))
                                  .order_by(RequestPhoto.stage, RequestPhoto.id)):
            found[photo.request_id].append(photo)
    return found


def photo_file(session: Session, actor: Actor | None, photo_id: object) -> str:
    """The stored name of one request photo, for someone who may see that request's photos (others: not found)."""
    actor = require(actor)
    photo = in_estate(session, actor, RequestPhoto, positive_id(photo_id))
    if may_follow(actor, session.get(ServiceRequest, photo.request_id)) or (
            actor.has(Role.TECHNICIAN) and _in_pool(session, photo.request_id)):
        return photo.file
    raise NotFound("error.not_found")


def _in_pool(session: Session, request_id: int) -> bool:
    """Whether a request waits in the pool technicians claim from."""
    return session.exec(select(ServiceRequest.id).where(ServiceRequest.id == request_id, *IN_POOL)).first() is not None


def record_on_behalf(session: Session, actor: Actor | None, unit_id: object, kind: object, description: object,
                     category: object = "other", urgency: object = "routine", area_id: object = None,
                     now: datetime | None = None) -> ServiceRequest:
    """Any staff member records a request received in person or by phone; they become its first receiver."""
    actor = _require(session, actor, Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)
    unit = in_estate(session, actor, Unit, positive_id(unit_id)) if unit_id not in (None, "") else None
    area = in_estate(session, actor, Area, positive_id(area_id)) if area_id not in (None, "") else None
    if unit is None and area is None:
        raise InvalidInput("error.place_required")
    return _new_request(session, actor, kind, description, category, urgency, now or utcnow(),
                        unit_id=unit.id if unit else None, area_id=area.id if area else None,
                        first_receiver_id=actor.id)


def record_for_unit(session: Session, actor: Actor | None, building_name: object, number: object, kind: object,
                    description: object, urgency: object = "routine", now: datetime | None = None) -> ServiceRequest:
    """Record on a resident's behalf for a unit given as staff say it: building name and unit number."""
    actor = _require(session, actor, Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)
    if not isinstance(building_name, str) or not isinstance(number, str) or len(number) > 20:
        raise InvalidInput("error.unit_unknown")
    unit_id = session.exec(select(Unit.id).join(Building, col(Building.id) == Unit.building_id).where(
        Unit.estate_id == actor.estate_id, Building.name == building_name.strip(),
        Unit.number == number.strip())).first()
    if unit_id is None:
        raise InvalidInput("error.unit_unknown")
    return record_on_behalf(session, actor, unit_id, kind, description, "other", urgency, now=now)


def open_jobs(session: Session, technician_id: int) -> int:
    """How many jobs a technician holds that are not finished."""
    return session.exec(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.technician_id == technician_id, col(ServiceRequest.status).in_(TECHNICIAN_OPEN))).one()


def _technician(session: Session, actor: Actor, technician_id: object) -> User:
    technician = in_estate(session, actor, User, positive_id(technician_id))
    holds = session.exec(select(UserRole).where(UserRole.user_id == technician.id,
                                                UserRole.role == Role.TECHNICIAN)).first()
    if holds is None or not technician.is_active:
        raise InvalidInput("error.not_a_technician")
    return technician


def _assign(session: Session, request: ServiceRequest, technician_id: int, now: datetime) -> None:
    request.technician_id = technician_id
    request.status = RequestStatus.DISPATCHED
    request.dispatched_at = request.dispatched_at or now


def dispatch(session: Session, actor: Actor | None, request_id: object, technician_id: object,
             now: datetime | None = None) -> ServiceRequest:
    """The office assigns (or reassigns) a repair to a technician."""
    actor = _require(session, actor, Role.MANAGER)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if request.kind != RequestKind.REPAIR:
            raise InvalidInput("error.not_a_repair")
        if request.status not in OPEN:
            raise InvalidInput("error.request_closed")
        technician = _technician(session, actor, technician_id)
    except DomainError as error:
        _refuse(session, actor, request, error)
    previous = request.technician_id
    _assign(session, request, technician.id, now)
    request.paused_since = _end_pause(session, request, now)
    _receive(request, actor)
    _log(session, actor, request, "request_reassigned" if previous else "request_dispatched",
         technician=technician.name)
    return request


def auto_dispatch(session: Session, request: ServiceRequest, now: datetime) -> User | None:
    """Give a new repair to the on-duty technician with the fewest open jobs below the cap (None: stays in the pool)."""
    cap = session.get(Estate, request.estate_id).open_jobs_cap
    load = {d.user_id: open_jobs(session, d.user_id)
            for d in roster.on_duty(session, request.estate_id, Role.TECHNICIAN, now)}
    free = [uid for uid, count in load.items() if count < cap]
    if not free:
        return None
    chosen = min(free, key=lambda uid: (load[uid], uid))
    _assign(session, request, chosen, now)
    technician = session.get(User, chosen)
    _log(session, None, request, "request_dispatched", technician=technician.name, automatic=True)
    return technician


def claim(session: Session, actor: Actor | None, request_id: object, now: datetime | None = None) -> ServiceRequest:
    """Grab mode: a technician takes an unassigned repair from the pool. Of simultaneous claims exactly one wins."""
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    if request.kind != RequestKind.REPAIR:
        _refuse(session, actor, request, InvalidInput("error.not_a_repair"))
    estate = session.get(Estate, actor.estate_id)
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    if open_jobs(session, actor.id) >= estate.open_jobs_cap:
        _refuse(session, actor, request, InvalidInput("error.too_many_jobs", cap=estate.open_jobs_cap))
    taken = session.exec(
        update(ServiceRequest)
        .where(col(ServiceRequest.id) == request.id, *IN_POOL)
        .values(technician_id=actor.id, status=RequestStatus.DISPATCHED,
                dispatched_at=func.coalesce(ServiceRequest.dispatched_at,
                                            literal(now, type_=ServiceRequest.__table__.c.dispatched_at.type)),
                first_receiver_id=func.coalesce(ServiceRequest.first_receiver_id, actor.id))
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        _refuse(session, actor, request, InvalidInput("error.already_taken"))
    session.refresh(request)
    _log(session, actor, request, "request_claimed")
    return request


def _mine(session: Session, actor: Actor, request: ServiceRequest, *statuses: RequestStatus) -> None:
    """Refuse unless the actor is the request's technician and it is in one of `statuses`."""
    if request.technician_id != actor.id:
        _refuse(session, actor, request, NotAllowed("error.not_your_job"))
    if request.status not in statuses:
        _refuse(session, actor, request, InvalidInput(
            "error.request_closed" if request.status in (RequestStatus.COMPLETED, RequestStatus.CLOSED)
            else "error.wrong_step"))


def default_promise(request: ServiceRequest, now: datetime) -> datetime:
    """The default promised finish: 4 hours for emergencies, else the category's 1–2 days."""
    if request.urgency == Urgency.EMERGENCY:
        return now + EMERGENCY_PROMISE
    return now + DEFAULT_PROMISE[RepairCategory(request.category)]


def _check_promise(promised_at: object, now: datetime) -> datetime:
    promised_at = _aware(promised_at)
    if promised_at <= now:
        raise InvalidInput("error.time_in_past")
    if promised_at > now + MAX_PROMISE:
        raise InvalidInput("error.promise_too_long")
    return promised_at


def accept(session: Session, actor: Actor | None, request_id: object, promised_at: object = None,
           now: datetime | None = None) -> ServiceRequest:
    """The assigned technician accepts (is on the way) and promises a finish time (default per category, ≤ 7 days)."""
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    _mine(session, actor, request, RequestStatus.DISPATCHED)
    try:
        promise = default_promise(request, now) if promised_at is None else _check_promise(promised_at, now)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.status = RequestStatus.ACCEPTED
    request.accepted_at = request.accepted_at or now
    request.promised_at = request.promised_at or promise
    _receive(request, actor)
    _log(session, actor, request, "request_accepted", promised_at=request.promised_at.isoformat())
    return request


def set_promise_beyond_limit(session: Session, actor: Actor | None, request_id: object, promised_at: object,
                             reason: object, now: datetime | None = None) -> ServiceRequest:
    """A manager sets a promise longer than 7 days (special cases), with a reason."""
    actor = _require(session, actor, Role.MANAGER)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if request.status not in (RequestStatus.ACCEPTED, RequestStatus.PAUSED):
            raise InvalidInput("error.wrong_step")
        promised_at = _aware(promised_at)
        if promised_at <= now:
            raise InvalidInput("error.time_in_past")
        if promised_at > now + MAX_OVERRIDE:
            raise InvalidInput("error.promise_beyond_override")
        why = _text(reason, "error.reason_required", REASON_MAX)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.promised_at = promised_at
    request.promise_override_reason = why
    _log(session, actor, request, "promise_overridden", promised_at=promised_at.isoformat(), reason=why)
    return request


def excuse_late_arrival(session: Session, actor: Actor | None, request_id: object, reason: object,
                        resident_consented: object, now: datetime | None = None) -> ServiceRequest:
    """Record why the technician cannot arrive within 3 minutes and that the resident agreed (三分钟服务承诺)."""
    actor = _require(session, actor, Role.TECHNICIAN, Role.MANAGER)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if request.status not in OPEN:
            raise InvalidInput("error.request_closed")
        if not actor.has(Role.MANAGER) and request.technician_id != actor.id:
            raise NotAllowed("error.not_your_job")
        why = _text(reason, "error.reason_required", REASON_MAX)
        if resident_consented is not True:
            raise InvalidInput("error.consent_required")
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.late_reason = why
    request.resident_consented = True
    _log(session, actor, request, "late_arrival_excused", reason=why)
    return request


def pause(session: Session, actor: Actor | None, request_id: object, reason: object,
          now: datetime | None = None) -> ServiceRequest:
    """Stop the job's clock for a resident-caused reason; the pause is logged with its start."""
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    _mine(session, actor, request, RequestStatus.ACCEPTED)
    try:
        why = _choice(reason, PAUSE_REASONS, "error.pause_reason")
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.status = RequestStatus.PAUSED
    request.paused_since = now
    request.pause_reason = why
    session.add(RequestPause(estate_id=request.estate_id, request_id=request.id, reason=why, started_at=now))
    _log(session, actor, request, "request_paused", reason=why)
    return request


def _end_pause(session: Session, request: ServiceRequest, now: datetime) -> None:
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
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    _mine(session, actor, request, RequestStatus.PAUSED)
    request.paused_since = _end_pause(session, request, now)
    request.status = RequestStatus.ACCEPTED
    _log(session, actor, request, "request_resumed")
    return request


def postpone(session: Session, actor: Actor | None, request_id: object, new_time: object, reason: object,
             now: datetime | None = None) -> ServiceRequest:
    """Move the promised finish later, once per job, with a reason; the resident sees the new time."""
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    _mine(session, actor, request, RequestStatus.ACCEPTED, RequestStatus.PAUSED)
    try:
        if request.postponements >= 1:
            raise InvalidInput("error.second_postponement")
        new_time = _check_promise(new_time, now)
        if new_time <= request.promised_at:
            raise InvalidInput("error.postpone_not_later")
        why = _text(reason, "error.reason_required", REASON_MAX)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.postponements += 1
    request.postpone_reason = why
    request.promised_at = new_time
    _log(session, actor, request, "request_postponed", promised_at=new_time.isoformat(), reason=why)
    return request


def extend_as_breach(session: Session, actor: Actor | None, request_id: object, new_time: object, reason: object,
                     now: datetime | None = None) -> ServiceRequest:
    """Only a manager can push a job further after its one postponement; that is recorded as a breach."""
    actor = _require(session, actor, Role.MANAGER)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if request.status not in (RequestStatus.ACCEPTED, RequestStatus.PAUSED):
            raise InvalidInput("error.wrong_step")
        new_time = _aware(new_time)
        if new_time <= now or new_time <= request.promised_at:
            raise InvalidInput("error.postpone_not_later")
        if new_time > now + MAX_OVERRIDE:
            raise InvalidInput("error.promise_beyond_override")
        why = _text(reason, "error.reason_required", REASON_MAX)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.breaches += 1
    request.promised_at = new_time
    _log(session, actor, request, "promise_breached", promised_at=new_time.isoformat(), reason=why)
    return request


def finish_deadline(request: ServiceRequest, now: datetime) -> datetime | None:
    """The promised finish moved later by every resident-caused pause (including one still running)."""
    if request.promised_at is None:
        return None
    paused = request.paused_seconds
    if request.paused_since is not None:
        paused += max(0, int((now - request.paused_since).total_seconds()))
    return request.promised_at + timedelta(seconds=paused)


def complete(session: Session, actor: Actor | None, request_id: object, work_done: object, parts: object = None,
             signature_file: str | None = None, now: datetime | None = None, photos: list[str] = ()) -> ServiceRequest:
    """The technician records the work (with photos) and closes the job; the resident then confirms and rates it."""
    actor = _require(session, actor, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    _mine(session, actor, request, RequestStatus.ACCEPTED)
    try:
        work = _text(work_done, "error.work_required")
        used = _text(parts, "error.bad_request", 500, required=False)
        _attach(session, actor, request, photos, PhotoStage.WORK)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.status = RequestStatus.COMPLETED
    request.completed_at = now
    request.work_done = work
    request.parts = used
    request.signature_file = signature_file or request.signature_file
    request.on_time = now <= finish_deadline(request, now)
    _log(session, actor, request, "request_completed", on_time=request.on_time, signed=bool(signature_file))
    _sample_for_follow_up(session, request)
    return request


def reply(session: Session, actor: Actor | None, request_id: object, text: object,
          now: datetime | None = None) -> ServiceRequest:
    """The office, or the staff member who first received it, answers a complaint or suggestion (due within
    2 days); the resident then confirms or reopens."""
    actor = _require(session, actor, Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if not actor.has(Role.MANAGER) and request.first_receiver_id != actor.id:
            raise NotAllowed("error.not_your_request")
        if request.kind == RequestKind.REPAIR:
            raise InvalidInput("error.not_a_complaint")
        if request.status not in OPEN:
            raise InvalidInput("error.request_closed")
        answer = _text(text, "error.reply_required")
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.reply = answer
    request.replied_at = now
    request.status = RequestStatus.COMPLETED
    request.completed_at = now
    request.on_time = now <= request.received_at + FEEDBACK_DUE
    _receive(request, actor)
    _log(session, actor, request, "request_replied", on_time=request.on_time)
    return request


def rate(session: Session, actor: Actor | None, request_id: object, satisfied: object, comment: object = None,
         now: datetime | None = None) -> ServiceRequest:
    """The resident confirms: satisfied closes the request; not satisfied reopens it to its first receiver."""
    actor = _require(session, actor, Role.RESIDENT)
    now = now or utcnow()
    request = _load(session, actor, request_id)
    try:
        if request.reporter_id != actor.id and request.unit_id != actor.unit_id:
            raise NotAllowed("error.not_your_request")
        if request.status != RequestStatus.COMPLETED:
            raise InvalidInput("error.wrong_step")
        if not isinstance(satisfied, bool):
            raise InvalidInput("error.bad_request")
        note = _text(comment, "error.bad_request", 500, required=False)
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.satisfied = satisfied
    request.rating_comment = note
    request.rated_at = now
    if satisfied:
        request.status = RequestStatus.CLOSED
        request.closed_at = now
        _log(session, actor, request, "request_confirmed")
        return request
    request.status = RequestStatus.RECEIVED
    request.reopen_count += 1
    request.technician_id = None
    request.completed_at = None
    request.on_time = None
    request.promised_at = None
    _log(session, actor, request, "request_reopened", comment=note)
    if request.kind == RequestKind.REPAIR:
        _ensure_follow_up(session, request, "unsatisfied")
    return request


def mark_quality(session: Session, actor: Actor | None, request_id: object, passed: object) -> ServiceRequest:
    """A supervisor marks a finished repair's quality pass or fail."""
    actor = _require(session, actor, Role.MANAGER)
    request = _load(session, actor, request_id)
    try:
        if request.kind != RequestKind.REPAIR or request.status not in (RequestStatus.COMPLETED, RequestStatus.CLOSED):
            raise InvalidInput("error.wrong_step")
        if not isinstance(passed, bool):
            raise InvalidInput("error.bad_request")
    except DomainError as error:
        _refuse(session, actor, request, error)
    request.quality_pass = passed
    _log(session, actor, request, "quality_marked", passed=passed)
    return request


def _ensure_follow_up(session: Session, request: ServiceRequest, reason: str) -> FollowUp:
    """A pending follow-up for the request: the one already waiting, or a new one."""
    pending = session.exec(select(FollowUp).where(
        FollowUp.request_id == request.id, col(FollowUp.done_at).is_(None))).first()
    if pending is not None:
        return pending
    follow_up = FollowUp(estate_id=request.estate_id, request_id=request.id, reason=reason)
    session.add(follow_up)
    session.flush()
    return follow_up


def _sample_for_follow_up(session: Session, request: ServiceRequest) -> None:
    """Keep the share of completed repairs with a follow-up at or above the estate's percentage, by quota."""
    estate = session.get(Estate, request.estate_id)
    completed = session.exec(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.estate_id == estate.id, ServiceRequest.kind == RequestKind.REPAIR,
        col(ServiceRequest.completed_at).is_not(None))).one()
    sampled = session.exec(select(func.count(func.distinct(FollowUp.request_id))).where(
        FollowUp.estate_id == estate.id)).one()
    if sampled * 100 < estate.followup_percent * completed:
        _ensure_follow_up(session, request, "sample")


def record_follow_up(session: Session, actor: Actor | None, follow_up_id: object, outcome: object,
                     resident_satisfied: object, now: datetime | None = None) -> FollowUp:
    """Record the outcome of a follow-up visit."""
    actor = _require(session, actor, Role.MANAGER)
    follow_up = in_estate(session, actor, FollowUp, positive_id(follow_up_id))
    if follow_up.done_at is not None:
        raise InvalidInput("error.already_done")
    if not isinstance(resident_satisfied, bool):
        raise InvalidInput("error.bad_request")
    follow_up.outcome = _text(outcome, "error.reply_required", 500)
    follow_up.resident_satisfied = resident_satisfied
    follow_up.done_by_id = actor.id
    follow_up.done_at = now or utcnow()
    request = session.get(ServiceRequest, follow_up.request_id)
    _log(session, actor, request, "follow_up_done", satisfied=resident_satisfied)
    return follow_up


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
    if request.kind == RequestKind.REPAIR:
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


URGENCY_ORDER = {Urgency.EMERGENCY: 0, Urgency.ROUTINE: 1}


def _by_urgency(requests: list[ServiceRequest], now: datetime) -> list[ServiceRequest]:
    """Emergencies first, then the nearest deadline."""
    far = now + timedelta(days=3650)
    return sorted(requests, key=lambda r: (URGENCY_ORDER.get(Urgency(r.urgency), 1),
                                           clocks(r, now).finish_deadline or clocks(r, now).feedback_deadline or far))


def for_resident(session: Session, actor: Actor | None) -> list[ServiceRequest]:
    """The resident's own requests, newest first."""
    actor = require(actor, Role.RESIDENT)
    return list(session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id, ServiceRequest.reporter_id == actor.id,
    ).order_by(col(ServiceRequest.id).desc()).limit(50)))


def for_technician(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ServiceRequest]:
    """The technician's unfinished jobs, emergencies and nearest deadlines first."""
    actor = require(actor, Role.TECHNICIAN)
    jobs = session.exec(select(ServiceRequest).where(
        ServiceRequest.estate_id == actor.estate_id, ServiceRequest.technician_id == actor.id,
        col(ServiceRequest.status).in_(TECHNICIAN_OPEN)))
    return _by_urgency(list(jobs), now or utcnow())


def pool(session: Session, actor: Actor | None, now: datetime | None = None) -> list[ServiceRequest]:
    """Unassigned repairs a technician may claim."""
    actor = require(actor, Role.TECHNICIAN)
    jobs = session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == actor.estate_id, *IN_POOL))
    return _by_urgency(list(jobs), now or utcnow())


def owned_by(session: Session, actor: Actor | None) -> list[ServiceRequest]:
    """Every unfinished request whose first receiver is the actor (首按责任制)."""
    actor = require(actor, Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)
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
    return _by_urgency(list(rows), now)


def technician_load(session: Session, actor: Actor | None) -> list[tuple[User, int]]:
    """Each active technician of the estate with their number of unfinished jobs."""
    actor = require(actor, Role.MANAGER)
    technicians = session.exec(select(User).join(UserRole, col(UserRole.user_id) == User.id).where(
        User.estate_id == actor.estate_id, User.is_active, UserRole.role == Role.TECHNICIAN).order_by(User.name))
    return [(t, open_jobs(session, t.id)) for t in technicians]


def may_follow(actor: Actor, request: ServiceRequest) -> bool:
    """Who may read a request's details: managers, its technician, its first receiver, and its household."""
    return request.estate_id == actor.estate_id and (
        actor.has(Role.MANAGER) or actor.id in (request.technician_id, request.first_receiver_id)
        or (actor.has(Role.RESIDENT) and (request.reporter_id == actor.id
                                          or (request.unit_id is not None and request.unit_id == actor.unit_id))))


def history(session: Session, actor: Actor | None, request_id: object) -> list:
    """A request's full history from the audit log, oldest first, for those who may follow it."""
    actor = require(actor)
    request = in_estate(session, actor, ServiceRequest, positive_id(request_id))
    if not may_follow(actor, request):
        raise NotFound("error.not_found")
    return list(session.exec(select(AuditEntry).where(
        AuditEntry.estate_id == actor.estate_id, AuditEntry.target_type == "request",
        AuditEntry.target_id == request.id).order_by(AuditEntry.id)))


def pending_follow_ups(session: Session, actor: Actor | None) -> list[tuple[FollowUp, ServiceRequest]]:
    """Follow-up visits still to do."""
    actor = require(actor, Role.MANAGER)
    return [tuple(row) for row in session.exec(
        select(FollowUp, ServiceRequest).join(ServiceRequest, col(ServiceRequest.id) == FollowUp.request_id)
        .where(FollowUp.estate_id == actor.estate_id, col(FollowUp.done_at).is_(None)).order_by(FollowUp.id))]


def reschedule_by_manager(session: Session, actor: Actor | None, request_id: object, new_time: object,
                          reason: object, now: datetime | None = None) -> ServiceRequest:
    """A manager moves a promise: after the one postponement that is a breach, otherwise an override with reason."""
    actor = _require(session, actor, Role.MANAGER)
    request = _load(session, actor, request_id)
    if request.postponements >= 1:
        return extend_as_breach(session, actor, request_id, new_time, reason, now)
    return set_promise_beyond_limit(session, actor, request_id, new_time, reason, now)


def set_auto_dispatch(session: Session, actor: Actor | None, enabled: object) -> Estate:
    """A manager turns automatic dispatch to the on-duty technician on or off for their estate."""
    actor = require(actor, Role.MANAGER)
    if not isinstance(enabled, bool):
        raise InvalidInput("error.bad_request")
    estate = session.get(Estate, actor.estate_id)
    estate.auto_dispatch = enabled
    audit.record(session, estate.id, _user(session, actor), "auto_dispatch_set", "estate", estate.id,
                 enabled=enabled)
    return estate


def contact_of(session: Session, actor: Actor | None, request: ServiceRequest) -> str:
    """Who to call about a request (reporter's name and phone), for staff only."""
    actor = require(actor, Role.MANAGER, Role.TECHNICIAN, Role.GUARD, Role.CLEANER)
    if request.estate_id != actor.estate_id or request.reporter_id is None:
        return ""
    reporter = session.get(User, request.reporter_id)
    return f"{reporter.name} {reporter.phone}"

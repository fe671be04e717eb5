"""Getting a repair to a technician: the office dispatches (or reassigns), new repairs go automatically to the
on-duty technician with the fewest open jobs when the estate wants that, and technicians claim from the pool
(below a cap per technician; of simultaneous claims exactly one wins)."""

from datetime import datetime

from sqlalchemy import func, literal, update
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Booking, Estate, RequestKind, RequestStatus, Role, ServiceItem, ServiceRequest, Urgency, User, UserRole,
)
from estate_pwa.services import audit, oncall
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs.rules import POOL, REQUEST, TECHNICIAN_OPEN, WORKERS, check, load, log, receive
from estate_pwa.services.jobs.work import end_pause
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.permissions import require as require_login
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import positive_id


def open_jobs(session: Session, technician_id: int) -> int:
    """How many jobs a technician holds that are not finished (a booked service waiting for its slot is not load
    yet: it is in their list, but does not stop them claiming repairs)."""
    waiting = (ServiceRequest.kind == RequestKind.BOOKED) & (ServiceRequest.status == RequestStatus.DISPATCHED)
    return session.exec(select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.technician_id == technician_id, col(ServiceRequest.status).in_(TECHNICIAN_OPEN),
        ~waiting)).one()


def _booking_of(session: Session, request: ServiceRequest) -> Booking | None:
    """The booking a booked job was made from (None for other jobs)."""
    if request.kind != RequestKind.BOOKED:
        return None
    return session.exec(select(Booking).where(Booking.request_id == request.id)).first()


def _technician(session: Session, actor: Actor, booking: Booking | None, technician_id: object) -> User:
    """Who a job may go to: an active technician for a repair; for a booked service, an active holder of the
    role the service names (any role with a job list when it names a person only), free in the booking's window."""
    technician = in_estate(session, actor, User, positive_id(technician_id))
    roles = [Role.TECHNICIAN]
    if booking is not None:
        item = session.get(ServiceItem, booking.service_id)
        roles = [item.staff_role] if item.staff_role else list(WORKERS)
    holds = session.exec(select(UserRole).where(UserRole.user_id == technician.id,
                                                col(UserRole.role).in_(roles))).first()
    if holds is None or not technician.is_active:
        raise InvalidInput("error.not_a_technician" if booking is None else "error.not_service_staff")
    if booking is not None and technician.id != booking.staff_id and session.exec(select(Booking.id).where(
            Booking.staff_id == technician.id, col(Booking.cancelled_at).is_(None), Booking.id != booking.id,
            col(Booking.starts_at) < booking.ends_at, col(Booking.ends_at) > booking.starts_at)).first():
        raise InvalidInput("error.staff_busy")
    return technician


def _assign(request: ServiceRequest, technician_id: int, now: datetime) -> None:
    request.technician_id = technician_id
    request.status = RequestStatus.DISPATCHED
    request.dispatched_at = request.dispatched_at or now


def dispatch(session: Session, actor: Actor | None, request_id: object, technician_id: object,
             now: datetime | None = None) -> ServiceRequest:
    """The office assigns a repair to a technician (a booked service to someone who does it, the booking following
    the job), or reassigns one already accepted or paused."""
    actor = require(session, actor, REQUEST, Role.MANAGER)
    now = now or utcnow()
    request = load(session, actor, request_id)
    reassigning = request.status in (RequestStatus.ACCEPTED, RequestStatus.PAUSED)
    check(session, actor, request, "reassign" if reassigning else "dispatch")
    booking = _booking_of(session, request)
    with refusing(session, actor, REQUEST, request.id):
        technician = _technician(session, actor, booking, technician_id)
    previous = request.technician_id
    _assign(request, technician.id, now)
    if booking is not None:
        booking.staff_id = technician.id  # the booking follows its job: the resident sees who comes now
    request.paused_since = end_pause(session, request, now)
    receive(request, actor)
    log(session, actor, request, "request_reassigned" if previous else "request_dispatched",
        technician=technician.name)
    return request


def auto_dispatch(session: Session, request: ServiceRequest, now: datetime) -> User | None:
    """Give a new repair to the on-site technician with the fewest open jobs below the cap (None: stays in the
    pool). An emergency arriving when no technician is on site goes to the one on call (whatever their load);
    with nobody on call either it stays in the pool, flagged in its history."""
    cap = session.get(Estate, request.estate_id).open_jobs_cap
    load_of = {uid: open_jobs(session, uid) for uid in oncall.on_site(session, request.estate_id, now)}
    free = [uid for uid, count in load_of.items() if count < cap]
    if not load_of and request.urgency == Urgency.EMERGENCY:
        load_of = {uid: open_jobs(session, uid) for uid in oncall.on_call(session, request.estate_id, now)}
        free = list(load_of)
        if not free:
            log(session, None, request, "emergency_uncovered")
    if not free:
        return None
    chosen = min(free, key=lambda uid: (load_of[uid], uid))
    _assign(request, chosen, now)
    technician = session.get(User, chosen)
    log(session, None, request, "request_dispatched", technician=technician.name, automatic=True)
    return technician


def claim(session: Session, actor: Actor | None, request_id: object, now: datetime | None = None) -> ServiceRequest:
    """Grab mode: a technician takes an unassigned repair from the pool. Of simultaneous claims exactly one wins."""
    actor = require(session, actor, REQUEST, Role.TECHNICIAN)
    now = now or utcnow()
    request = load(session, actor, request_id)
    check(session, actor, request, "claim")
    estate = session.get(Estate, actor.estate_id)
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    if open_jobs(session, actor.id) >= estate.open_jobs_cap:
        refuse(session, actor, REQUEST, InvalidInput("error.too_many_jobs", cap=estate.open_jobs_cap), request.id)
    taken = session.exec(
        update(ServiceRequest)
        .where(col(ServiceRequest.id) == request.id, *POOL)
        .values(technician_id=actor.id, status=RequestStatus.DISPATCHED,
                dispatched_at=func.coalesce(ServiceRequest.dispatched_at,
                                            literal(now, type_=ServiceRequest.__table__.c.dispatched_at.type)),
                first_receiver_id=func.coalesce(ServiceRequest.first_receiver_id, actor.id))
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        refuse(session, actor, REQUEST, InvalidInput("error.already_taken"), request.id)
    session.refresh(request)
    log(session, actor, request, "request_claimed")
    return request


def set_auto_dispatch(session: Session, actor: Actor | None, enabled: object) -> Estate:
    """A manager turns automatic dispatch to the on-duty technician on or off for their estate."""
    actor = require_login(actor, Role.MANAGER)
    if not isinstance(enabled, bool):
        raise InvalidInput("error.bad_request")
    estate = session.get(Estate, actor.estate_id)
    estate.auto_dispatch = enabled
    audit.record(session, estate.id, session.get(User, actor.id), "auto_dispatch_set", "estate", estate.id,
                 enabled=enabled)
    return estate


def technician_load(session: Session, actor: Actor | None) -> list[tuple[User, int]]:
    """Each active technician of the estate with their number of unfinished jobs."""
    actor = require_login(actor, Role.MANAGER)
    technicians = session.exec(select(User).join(UserRole, col(UserRole.user_id) == User.id).where(
        User.estate_id == actor.estate_id, User.is_active, UserRole.role == Role.TECHNICIAN).order_by(User.name))
    return [(t, open_jobs(session, t.id)) for t in technicians]

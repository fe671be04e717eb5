"""The workflow of a request, written once: which actions each role may take on a request in each status, on
which kinds of request and whose request, and what a refusal says. The mutating functions check it
(`check`), and the rows a screen shows list the same actions (`allowed`).

Shared by the job modules: the feature's refusal, loading a request, the first receiver, the history log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col

from estate_pwa.models import RequestKind, RequestStatus, Role, ServiceRequest, User
from estate_pwa.services import audit
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refuse, refusing
from estate_pwa.services.validation import aware, positive_id

REQUEST = Refusal("request_refused", "request")
"""How refused request actions are written to the audit log."""

OPEN = (RequestStatus.RECEIVED, RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.PAUSED)
FINISHED = (RequestStatus.COMPLETED, RequestStatus.CLOSED)
TECHNICIAN_OPEN = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, RequestStatus.PAUSED)
STAFF = (Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)
WORKERS = (Role.TECHNICIAN, Role.CLEANER)
"""Roles whose staff have a job list: technicians (repairs and booked services), cleaners (booked services)."""
REPAIRS = (RequestKind.REPAIR,)
WORK = (RequestKind.REPAIR, RequestKind.BOOKED)
"""Jobs someone is sent to do: repairs, and booked special services (assigned when booked, never in the pool)."""
FEEDBACK_KINDS = (RequestKind.COMPLAINT, RequestKind.SUGGESTION)
ALL_KINDS = tuple(RequestKind)
POOL = (ServiceRequest.kind == RequestKind.REPAIR, ServiceRequest.status == RequestStatus.RECEIVED,
        col(ServiceRequest.technician_id).is_(None))
"""The pool technicians claim from, as query conditions."""


# Conditions on whose request it is: (holds for this actor and request, the refusal when it does not).

def _assigned(actor: Actor, request: ServiceRequest) -> bool:
    return request.technician_id == actor.id


def _assigned_or_manager(actor: Actor, request: ServiceRequest) -> bool:
    return actor.has(Role.MANAGER) or request.technician_id == actor.id


def _receiver_or_manager(actor: Actor, request: ServiceRequest) -> bool:
    return actor.has(Role.MANAGER) or request.first_receiver_id == actor.id


def household(actor: Actor, request: ServiceRequest) -> bool:
    """The resident who reported it, or one living in its unit."""
    return actor.has(Role.RESIDENT) and (
        request.reporter_id == actor.id or (request.unit_id is not None and request.unit_id == actor.unit_id))


def in_pool(request: ServiceRequest) -> bool:
    """Whether a request waits in the pool technicians claim from (the same test as POOL, in Python)."""
    return (request.kind == RequestKind.REPAIR and request.status == RequestStatus.RECEIVED
            and request.technician_id is None)


def may_follow(actor: Actor, request: ServiceRequest) -> bool:
    """Who may read a request's details: managers, its technician, its first receiver, and its household."""
    return request.estate_id == actor.estate_id and (
        actor.has(Role.MANAGER) or actor.id in (request.technician_id, request.first_receiver_id)
        or household(actor, request))


def _not_postponed(actor: Actor, request: ServiceRequest) -> bool:
    return request.postponements < 1


def _not_excused(actor: Actor, request: ServiceRequest) -> bool:
    return not (request.late_reason and request.resident_consented)


Condition = tuple[Callable[[Actor, ServiceRequest], bool], Callable[[], DomainError]]
ASSIGNED: Condition = (_assigned, lambda: NotAllowed("error.not_your_job"))
ASSIGNED_OR_MANAGER: Condition = (_assigned_or_manager, lambda: NotAllowed("error.not_your_job"))
RECEIVER_OR_MANAGER: Condition = (_receiver_or_manager, lambda: NotAllowed("error.not_your_request"))
HOUSEHOLD: Condition = (household, lambda: NotAllowed("error.not_your_request"))
IN_POOL: Condition = (lambda actor, request: in_pool(request), lambda: InvalidInput("error.already_taken"))
NOT_POSTPONED: Condition = (_not_postponed, lambda: InvalidInput("error.second_postponement"))
NOT_EXCUSED: Condition = (_not_excused, lambda: InvalidInput("error.already_done"))


@dataclass(frozen=True)
class Step:
    """One action of the workflow: the roles that may take it, the statuses and kinds it applies to, and further
    conditions. Checked in the order: kind, `first` conditions, status, `then` conditions."""

    roles: tuple[Role, ...]
    statuses: tuple[RequestStatus, ...]
    kinds: tuple[RequestKind, ...] = ALL_KINDS
    kind_error: str = "error.wrong_step"
    status_error: str | None = None
    """None: 'error.request_closed' for a finished request, otherwise 'error.wrong_step'."""
    first: tuple[Condition, ...] = ()
    then: tuple[Condition, ...] = ()


ACCEPTED_OR_PAUSED = (RequestStatus.ACCEPTED, RequestStatus.PAUSED)
WAITING = (RequestStatus.RECEIVED, RequestStatus.DISPATCHED)

STEPS: dict[str, Step] = {
    # office
    "dispatch": Step((Role.MANAGER,), WAITING, WORK, "error.not_a_repair"),
    "reassign": Step((Role.MANAGER,), ACCEPTED_OR_PAUSED, WORK, "error.not_a_repair"),
    "reschedule": Step((Role.MANAGER,), ACCEPTED_OR_PAUSED, WORK, status_error="error.wrong_step"),
    "mark_quality": Step((Role.MANAGER,), FINISHED, WORK),
    "reply": Step(STAFF, OPEN, FEEDBACK_KINDS, "error.not_a_complaint", first=(RECEIVER_OR_MANAGER,)),
    "confirm_effective": Step((Role.MANAGER,), tuple(RequestStatus), (RequestKind.COMPLAINT,),
                              "error.only_complaints_confirmed"),
    # whoever the job is assigned to: a technician, or a cleaner for a booked service (a repair is only ever
    # dispatched to a technician); a manager may also record an agreed late arrival at a repair (a booked service
    # is done at its booked time: no 3-minute arrival to excuse)
    "claim": Step((Role.TECHNICIAN,), (RequestStatus.RECEIVED,), REPAIRS, "error.not_a_repair",
                  status_error="error.already_taken", then=(IN_POOL,)),
    "excuse": Step((*WORKERS, Role.MANAGER), WAITING, REPAIRS, first=(ASSIGNED_OR_MANAGER,),
                   then=(NOT_EXCUSED,)),
    "accept": Step(WORKERS, (RequestStatus.DISPATCHED,), WORK, first=(ASSIGNED,)),
    "pause": Step(WORKERS, (RequestStatus.ACCEPTED,), WORK, first=(ASSIGNED,)),
    "resume": Step(WORKERS, (RequestStatus.PAUSED,), WORK, first=(ASSIGNED,)),
    "postpone": Step(WORKERS, ACCEPTED_OR_PAUSED, WORK, first=(ASSIGNED,), then=(NOT_POSTPONED,)),
    "finish": Step(WORKERS, (RequestStatus.ACCEPTED,), WORK, first=(ASSIGNED,)),
    # resident
    "rate": Step((Role.RESIDENT,), (RequestStatus.COMPLETED,), status_error="error.wrong_step",
                 first=(HOUSEHOLD,)),
}
"""Action → who may take it and when. A status missing from a step's statuses refuses it."""


def refusal(actor: Actor, request: ServiceRequest, action: str) -> DomainError | None:
    """Why `actor` may not take `action` on `request` now (None: they may)."""
    step = STEPS[action]
    if not actor.has(*step.roles) or request.estate_id != actor.estate_id:
        return NotAllowed("error.not_allowed")
    if request.kind not in step.kinds:
        return InvalidInput(step.kind_error)
    for holds, error in step.first:
        if not holds(actor, request):
            return error()
    if request.status not in step.statuses:
        return InvalidInput(step.status_error or (
            "error.request_closed" if request.status in FINISHED else "error.wrong_step"))
    for holds, error in step.then:
        if not holds(actor, request):
            return error()
    return None


def allowed(actor: Actor, request: ServiceRequest) -> list[str]:
    """Every action `actor` may take on `request` now, in the table's order."""
    return [action for action in STEPS if refusal(actor, request, action) is None]


def check(session: Session, actor: Actor, request: ServiceRequest, action: str) -> None:
    """Refuse (audited, the request unchanged) unless `actor` may take `action` on `request` now."""
    error = refusal(actor, request, action)
    if error is not None:
        refuse(session, actor, REQUEST, error, request.id)


def load(session: Session, actor: Actor, request_id: object) -> ServiceRequest:
    """A request of the actor's estate by a client-sent id (refusals audited)."""
    with refusing(session, actor, REQUEST):
        return in_estate(session, actor, ServiceRequest, positive_id(request_id))


def receive(request: ServiceRequest, actor: Actor) -> None:
    """The first staff member to act on a request becomes its first receiver, for good."""
    if request.first_receiver_id is None:
        request.first_receiver_id = actor.id


def log(session: Session, actor: Actor | None, request: ServiceRequest, action: str, **detail) -> None:
    """Write a step of the request's history to the audit log."""
    user = session.get(User, actor.id) if actor else None
    audit.record(session, request.estate_id, user, action, "request", request.id, **detail)


def instant(raw: object) -> datetime:
    """A time passed by a screen (which reads typed times with validation.local_time): an aware datetime only."""
    if not isinstance(raw, datetime):
        raise InvalidInput("error.bad_time")
    return aware(raw)

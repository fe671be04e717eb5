"""A request comes in: a resident reports a repair, complaint or suggestion (at home or in a common area, with
photos), or any staff member records one received in person or by phone and becomes its first receiver."""

from datetime import datetime

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area, Building, Estate, PhotoStage, RepairCategory, RequestKind, Role, ServiceRequest, Unit, Urgency,
)
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.jobs.dispatch import auto_dispatch
from estate_pwa.services.jobs.photos import attach
from estate_pwa.services.jobs.rules import REQUEST, STAFF, log
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.permissions import require as require_login
from estate_pwa.services.refusals import refuse, require
from estate_pwa.services.validation import choice, positive_id, text

UNIT_NUMBER_MAX = 20
REPORTED = tuple(k for k in RequestKind if k != RequestKind.BOOKED)
"""Kinds a person reports or records; a booked job is made by its booking (services.bookings), never here."""


def _new_request(session: Session, actor: Actor, kind: object, description: object, category: object,
                 urgency: object, now: datetime, **place_and_people) -> ServiceRequest:
    """Validate and store a new request, log it, and auto-dispatch repairs when the estate wants that."""
    request = ServiceRequest(
        estate_id=actor.estate_id,
        kind=choice(kind, REPORTED, "error.bad_request"),
        category=choice(category, RepairCategory, "error.bad_request"),
        urgency=choice(urgency, Urgency, "error.bad_request"),
        description=text(description, "error.description_required", multiline=True),
        received_at=now,
        **place_and_people,
    )
    session.add(request)
    session.flush()
    log(session, actor, request, "request_submitted" if request.reporter_id == actor.id else "request_recorded",
        kind=request.kind, urgency=request.urgency)
    if request.kind == RequestKind.REPAIR and session.get(Estate, actor.estate_id).auto_dispatch:
        auto_dispatch(session, request, now)
    return request


def submit(session: Session, actor: Actor | None, kind: object, description: object, category: object = "other",
           urgency: object = "routine", area_id: object = None, now: datetime | None = None,
           photos: list[str] = ()) -> ServiceRequest:
    """A resident reports a repair, complaint or suggestion for their own unit, or for one of the estate's common
    areas when `area_id` is given, with photos already stored."""
    actor = require(session, actor, REQUEST, Role.RESIDENT)
    area = _common_area(session, actor, area_id)
    if area is None and actor.unit_id is None:
        raise InvalidInput("error.place_required")
    request = _new_request(session, actor, kind, description, category, urgency, now or utcnow(),
                           unit_id=None if area else actor.unit_id, area_id=area.id if area else None,
                           reporter_id=actor.id)
    attach(session, actor, request, photos, PhotoStage.REPORT)
    return request


def receive_public(session: Session, estate_id: int, description: str, urgency: str, area_id: int | None,
                   now: datetime | None = None) -> ServiceRequest:
    """A repair reported by someone without an account (services.reports, from a posted code): no reporter and
    no first receiver yet (the first staff member to act becomes it); the same clocks and automatic dispatch as
    any repair. The caller has validated the text and the place."""
    now = now or utcnow()
    request = ServiceRequest(estate_id=estate_id, kind=RequestKind.REPAIR, category=RepairCategory.PUBLIC_AREA,
                             urgency=Urgency(urgency), description=description[:1000], area_id=area_id,
                             received_at=now)
    session.add(request)
    session.flush()
    log(session, None, request, "request_received_public", kind=request.kind, urgency=request.urgency)
    if session.get(Estate, estate_id).auto_dispatch:
        auto_dispatch(session, request, now)
    return request


def _common_area(session: Session, actor: Actor, area_id: object) -> Area | None:
    """The chosen common area of the actor's estate (None when none was chosen); any other id is refused."""
    if area_id in (None, ""):
        return None
    try:
        return in_estate(session, actor, Area, positive_id(area_id))
    except DomainError:
        refuse(session, actor, REQUEST, InvalidInput("error.area_unknown"))


def common_areas(session: Session, actor: Actor | None) -> list[Area]:
    """The common areas of the actor's estate (lobbies, lifts, car park …), by name."""
    actor = require_login(actor)
    return list(session.exec(select(Area).where(Area.estate_id == actor.estate_id).order_by(Area.name, Area.id)))


def record_on_behalf(session: Session, actor: Actor | None, unit_id: object, kind: object, description: object,
                     category: object = "other", urgency: object = "routine", area_id: object = None,
                     now: datetime | None = None) -> ServiceRequest:
    """Any staff member records a request received in person or by phone; they become its first receiver."""
    actor = require(session, actor, REQUEST, *STAFF)
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
    actor = require(session, actor, REQUEST, *STAFF)
    if not isinstance(building_name, str) or not isinstance(number, str) or len(number) > UNIT_NUMBER_MAX:
        raise InvalidInput("error.unit_unknown")
    unit_id = session.exec(select(Unit.id).join(Building, col(Building.id) == Unit.building_id).where(
        Unit.estate_id == actor.estate_id, Building.name == building_name.strip(),
        Unit.number == number.strip())).first()
    if unit_id is None:
        raise InvalidInput("error.unit_unknown")
    return record_on_behalf(session, actor, unit_id, kind, description, "other", urgency, now=now)


def buildings(session: Session, actor: Actor | None) -> list[str]:
    """The names of the estate's buildings, for staff recording a request by building and unit number."""
    actor = require_login(actor, *STAFF)
    return list(session.exec(select(Building.name).where(Building.estate_id == actor.estate_id)
                             .order_by(Building.name)))

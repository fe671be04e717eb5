"""Incidents and SOS alerts: guards report what they find (with photos, at or after a checkpoint), managers close
incidents with a note; guards raise SOS alerts that every manager screen shows until one acknowledges it.

Every change is written to the audit log; refusals too ("incident_refused", "sos_refused", in their own commit),
leaving nothing else changed.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Incident, IncidentCategory, IncidentPhoto, IncidentStatus, PatrolPoint, PatrolRound, Role, RoundStatus, SosAlert,
    User,
)
from estate_pwa.services import audit
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import positive_id

TEXT_MAX = 1000
NOTE_MAX = 500
MAX_PHOTOS = 3
PHOTO_FOLDER = "incidents"
PHOTO_NAME = re.compile(PHOTO_FOLDER + r"/[0-9a-f]{32}\.jpg")
SOS_DUPLICATE_WINDOW = timedelta(minutes=1)
"""A guard's second SOS within this time of an unacknowledged one is refused as a duplicate."""
RECENT = timedelta(days=7)
LIST_LIMIT = 100


class Tally(NamedTuple):
    """How many records are waiting and the newest one's id: changes whenever one is added or dealt with."""

    count: int
    newest_id: int | None


@dataclass(frozen=True)
class IncidentView:
    """One incident with the names and photos a screen shows."""

    incident: Incident
    reporter_name: str
    point_name: str
    photos: list[str]


@dataclass(frozen=True)
class SosView:
    """One SOS alert waiting for a manager."""

    alert_id: int
    guard_name: str
    point_name: str
    raised_at: datetime


def _user(session: Session, actor: Actor) -> User:
    return session.get(User, actor.id)


def _refuse(session: Session, actor: Actor, error: DomainError, target_id: int | None = None, *,
            about_sos: bool) -> None:
    """Write the refusal ("sos_refused" or "incident_refused") to the audit log in its own commit and raise it;
    nothing else is kept."""
    session.rollback()
    audit.record_refusal(session, actor.estate_id, _user(session, actor),
                         "sos_refused" if about_sos else "incident_refused", "sos" if about_sos else "incident",
                         target_id, reason=error.key)
    session.commit()
    raise error


def _require(session: Session, actor: Actor | None, *roles: Role, about_sos: bool) -> Actor:
    """Like permissions.require, but a logged-in actor refused for their role is also written to the audit log."""
    try:
        return require(actor, *roles)
    except NotAllowed as error:
        if actor is None:
            raise
        _refuse(session, actor, error, about_sos=about_sos)


def _text(raw: object, required_key: str, limit: int) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput(required_key)
    value = raw.strip()
    if len(value) > limit:
        raise InvalidInput("error.text_too_long", limit=limit)
    return value


def _category(raw: object) -> str:
    if not isinstance(raw, str) or raw not in set(IncidentCategory):
        raise InvalidInput("error.incident_category")
    return raw


def _point(session: Session, actor: Actor, raw: object) -> PatrolPoint | None:
    """An active checkpoint of the actor's estate, or None when none was chosen."""
    if raw is None or raw == "":
        return None
    point = session.get(PatrolPoint, positive_id(raw))
    if point is None or point.estate_id != actor.estate_id or not point.active:
        raise InvalidInput("error.point_unknown")
    return point


def _photo_names(photos: object) -> list[str]:
    """Photo names made by core.media.save_photo in PHOTO_FOLDER, at most MAX_PHOTOS."""
    if not photos:
        return []
    if not isinstance(photos, (list, tuple)) or not all(isinstance(p, str) and PHOTO_NAME.fullmatch(p)
                                                        for p in photos):
        raise InvalidInput("error.bad_request")
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput("error.too_many_photos", limit=MAX_PHOTOS)
    return list(photos)


def _current_round(session: Session, actor: Actor) -> int | None:
    """The round the guard is walking now, if any."""
    return session.exec(select(PatrolRound.id).where(
        PatrolRound.estate_id == actor.estate_id, PatrolRound.guard_id == actor.id,
        PatrolRound.status == RoundStatus.IN_PROGRESS).order_by(col(PatrolRound.started_at).desc())).first()


# Incidents

def report_incident(session: Session, actor: Actor | None, category: object, text: object, point_id: object = None,
                    photos: object = (), now: datetime | None = None) -> Incident:
    """A guard reports an incident (a manager may record one), optionally at a checkpoint, with stored photos;
    a guard's round in progress is noted with it."""
    actor = _require(session, actor, Role.GUARD, Role.MANAGER, about_sos=False)
    try:
        kind = _category(category)
        description = _text(text, "error.description_required", TEXT_MAX)
        point = _point(session, actor, point_id)
        names = _photo_names(photos)
    except DomainError as error:
        _refuse(session, actor, error, about_sos=False)
    incident = Incident(
        estate_id=actor.estate_id, reporter_id=actor.id, category=kind, text=description,
        point_id=point.id if point else None,
        round_id=_current_round(session, actor) if actor.has(Role.GUARD) else None,
        created_at=now or utcnow(),
    )
    session.add(incident)
    session.flush()
    for name in names:
        session.add(IncidentPhoto(estate_id=actor.estate_id, incident_id=incident.id, file=name,
                                  uploaded_by_id=actor.id))
    audit.record(session, actor.estate_id, _user(session, actor), "incident_reported", "incident", incident.id,
                 category=incident.category, point=incident.point_id, photos=len(names))
    return incident


def close_incident(session: Session, actor: Actor | None, incident_id: object, note: object,
                   now: datetime | None = None) -> Incident:
    """A manager closes an open incident with a note on how it was dealt with (of two at once, one wins)."""
    actor = _require(session, actor, Role.MANAGER, about_sos=False)
    try:
        incident = in_estate(session, actor, Incident, positive_id(incident_id))
    except DomainError as error:
        _refuse(session, actor, error, about_sos=False)
    session.refresh(incident, with_for_update=True)
    try:
        if incident.status != IncidentStatus.OPEN:
            raise InvalidInput("error.incident_closed")
        closing_note = _text(note, "error.note_required", NOTE_MAX)
    except DomainError as error:
        _refuse(session, actor, error, incident.id, about_sos=False)
    incident.status = IncidentStatus.CLOSED
    incident.closed_by_id = actor.id
    incident.closed_at = now or utcnow()
    incident.closing_note = closing_note
    audit.record(session, actor.estate_id, _user(session, actor), "incident_closed", "incident", incident.id,
                 note=closing_note)
    return incident


def _views(session: Session, incidents: list[Incident]) -> list[IncidentView]:
    ids = [i.id for i in incidents]
    photos: dict[int, list[str]] = {i: [] for i in ids}
    people = {i.reporter_id for i in incidents}
    places = {i.point_id for i in incidents} - {None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(people))).all()) if people else {}
    points = dict(session.exec(select(PatrolPoint.id, PatrolPoint.name).where(
        col(PatrolPoint.id).in_(places))).all()) if places else {}
    if ids:
        for incident_id, name in session.exec(select(IncidentPhoto.incident_id, IncidentPhoto.file).where(
                col(IncidentPhoto.incident_id).in_(ids)).order_by(IncidentPhoto.id)):
            photos[incident_id].append(name)
    return [IncidentView(i, names.get(i.reporter_id, ""), points.get(i.point_id, ""), photos[i.id])
            for i in incidents]


def open_incidents(session: Session, actor: Actor | None) -> list[IncidentView]:
    """The estate's open incidents, newest first (managers)."""
    actor = require(actor, Role.MANAGER)
    return _views(session, list(session.exec(select(Incident).where(
        Incident.estate_id == actor.estate_id, Incident.status == IncidentStatus.OPEN,
    ).order_by(col(Incident.id).desc()).limit(LIST_LIMIT))))


def my_recent_incidents(session: Session, actor: Actor | None, now: datetime | None = None) -> list[IncidentView]:
    """What the guard reported in the last 7 days, newest first."""
    actor = require(actor, Role.GUARD)
    since = (now or utcnow()) - RECENT
    return _views(session, list(session.exec(select(Incident).where(
        Incident.estate_id == actor.estate_id, Incident.reporter_id == actor.id, Incident.created_at >= since,
    ).order_by(col(Incident.id).desc()).limit(LIST_LIMIT))))


def open_incident_tally(session: Session, estate_id: int) -> Tally:
    """How many incidents of an estate are open and the newest one's id: one indexed query, for polling."""
    return Tally(*session.exec(select(func.count(), func.max(Incident.id)).where(
        Incident.estate_id == estate_id, Incident.status == IncidentStatus.OPEN)).one())


# SOS alerts

def raise_sos(session: Session, actor: Actor | None, point_id: object = None, now: datetime | None = None) -> SosAlert:
    """A guard calls for help (optionally at a checkpoint). A second call within a minute of one still
    unacknowledged is refused as a duplicate: the first is still showing on every manager screen."""
    actor = _require(session, actor, Role.GUARD, about_sos=True)
    now = now or utcnow()
    try:
        point = _point(session, actor, point_id)
    except DomainError as error:
        _refuse(session, actor, error, about_sos=True)
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    waiting = session.exec(select(SosAlert.id).where(
        SosAlert.guard_id == actor.id, col(SosAlert.acknowledged_at).is_(None),
        SosAlert.raised_at > now - SOS_DUPLICATE_WINDOW)).first()
    if waiting is not None:
        _refuse(session, actor, InvalidInput("error.sos_duplicate"), waiting, about_sos=True)
    alert = SosAlert(estate_id=actor.estate_id, guard_id=actor.id, raised_at=now,
                     point_id=point.id if point else None)
    session.add(alert)
    session.flush()
    audit.record(session, actor.estate_id, _user(session, actor), "sos_raised", "sos", alert.id,
                 point=alert.point_id)
    return alert


def acknowledge_sos(session: Session, actor: Actor | None, alert_id: object,
                    now: datetime | None = None) -> SosAlert:
    """A manager acknowledges an SOS alert; it leaves every manager screen (of two at once, one wins)."""
    actor = _require(session, actor, Role.MANAGER, about_sos=True)
    try:
        alert = in_estate(session, actor, SosAlert, positive_id(alert_id))
    except DomainError as error:
        _refuse(session, actor, error, about_sos=True)
    session.refresh(alert, with_for_update=True)
    if alert.acknowledged_at is not None:
        _refuse(session, actor, InvalidInput("error.sos_acknowledged"), alert.id, about_sos=True)
    alert.acknowledged_by_id = actor.id
    alert.acknowledged_at = now or utcnow()
    audit.record(session, actor.estate_id, _user(session, actor), "sos_acknowledged", "sos", alert.id)
    return alert


def open_alerts(session: Session, estate_id: int) -> Tally:
    """How many SOS alerts of an estate wait for a manager and the newest one's id: one indexed query, for
    polling."""
    return Tally(*session.exec(select(func.count(), func.max(SosAlert.id)).where(
        SosAlert.estate_id == estate_id, col(SosAlert.acknowledged_at).is_(None))).one())


def waiting_alerts(session: Session, actor: Actor | None) -> list[SosView]:
    """The estate's unacknowledged SOS alerts, newest first, with the guard's name and checkpoint (managers)."""
    actor = require(actor, Role.MANAGER)
    rows = session.exec(
        select(SosAlert, User.name, PatrolPoint.name)
        .join(User, col(User.id) == SosAlert.guard_id)
        .outerjoin(PatrolPoint, col(PatrolPoint.id) == SosAlert.point_id)
        .where(SosAlert.estate_id == actor.estate_id, col(SosAlert.acknowledged_at).is_(None))
        .order_by(col(SosAlert.id).desc()).limit(LIST_LIMIT))
    return [SosView(alert.id, guard, point or "", alert.raised_at) for alert, guard, point in rows]

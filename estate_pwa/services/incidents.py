"""Incidents and SOS alerts: guards report what they find (with photos, at or after a checkpoint), managers close
incidents with a note; guards raise SOS alerts that every manager screen shows until one acknowledges it.

Every change is written to the audit log; refusals too ("incident_refused", "sos_refused", through the refusals
kit), leaving nothing else changed. Screens get rows (IncidentRow, SosRow) with keys, local times, photo links and
the actions the viewer may take.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import (
    Estate, Incident, IncidentCategory, IncidentPhoto, IncidentStatus, PatrolPoint, PatrolRound, Role, RoundStatus,
    SosAlert, User,
)
from estate_pwa.services import audit, photos
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.permissions import require as require_role
from estate_pwa.services.photos import PhotoLink
from estate_pwa.services.refusals import Refusal, refuse, refusing, require
from estate_pwa.services.validation import choice, photo_names, positive_id, text

TEXT_MAX = 1000
NOTE_MAX = 500
MAX_PHOTOS = 3
PHOTO_FOLDER = "incidents"
SOS_DUPLICATE_WINDOW = timedelta(minutes=1)
"""A guard's second SOS within this time of an unacknowledged one is refused as a duplicate."""
RECENT = timedelta(days=7)
LIST_LIMIT = 100
INCIDENT_REFUSED = Refusal("incident_refused", "incident")
SOS_REFUSED = Refusal("sos_refused", "sos")
CLOSE, ACKNOWLEDGE = "close", "acknowledge"
"""What a viewer may do: close an open incident (a manager), acknowledge a waiting SOS (a manager)."""


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


@dataclass(frozen=True)
class IncidentRow:
    """An incident as a screen shows it: category and status are keys (`incident.category_<c>`,
    `incident.status_<s>`), `at` is the local time, photos are signed links, `actions` what the viewer may do."""

    id: str
    category: str
    status: str
    text: str
    reporter: str
    point: str
    at: str
    photos: list[PhotoLink] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SosRow:
    """A waiting SOS alert: `point` is "" when the guard named no checkpoint."""

    id: str
    guard: str
    point: str
    at: str
    actions: list[str] = field(default_factory=list)


def _point(session: Session, actor: Actor, raw: object) -> PatrolPoint | None:
    """An active checkpoint of the actor's estate, or None when none was chosen."""
    if raw is None or raw == "":
        return None
    point = session.get(PatrolPoint, positive_id(raw))
    if point is None or point.estate_id != actor.estate_id or not point.active:
        raise InvalidInput("error.point_unknown")
    return point


def _current_round(session: Session, actor: Actor) -> int | None:
    """The round the guard is walking now, if any."""
    return session.exec(select(PatrolRound.id).where(
        PatrolRound.estate_id == actor.estate_id, PatrolRound.guard_id == actor.id,
        PatrolRound.status == RoundStatus.IN_PROGRESS).order_by(col(PatrolRound.started_at).desc())).first()


# Incidents

def report_incident(session: Session, actor: Actor | None, category: object, description: object,
                    point_id: object = None, photo_files: object = (), now: datetime | None = None) -> Incident:
    """A guard reports an incident (a manager may record one), optionally at a checkpoint, with stored photos;
    a guard's round in progress is noted with it."""
    actor = require(session, actor, INCIDENT_REFUSED, Role.GUARD, Role.MANAGER)
    with refusing(session, actor, INCIDENT_REFUSED):
        kind = choice(category, IncidentCategory, "error.incident_category")
        said = text(description, "error.description_required", TEXT_MAX, multiline=True)
        point = _point(session, actor, point_id)
        names = photo_names(photo_files, [PHOTO_FOLDER], MAX_PHOTOS)
    incident = Incident(
        estate_id=actor.estate_id, reporter_id=actor.id, category=kind, text=said,
        point_id=point.id if point else None,
        round_id=_current_round(session, actor) if actor.has(Role.GUARD) else None,
        created_at=now or utcnow(),
    )
    session.add(incident)
    session.flush()
    for name in names:
        session.add(IncidentPhoto(estate_id=actor.estate_id, incident_id=incident.id, file=name,
                                  uploaded_by_id=actor.id))
    audit.record(session, actor.estate_id, session.get(User, actor.id), "incident_reported", "incident",
                 incident.id, category=incident.category, point=incident.point_id, photos=len(names))
    return incident


def may_close(actor: Actor, incident: Incident) -> bool:
    """The rule for closing: a manager, an open incident (the note is checked when it is given)."""
    return actor.has(Role.MANAGER) and incident.status == IncidentStatus.OPEN


SERIOUS = {IncidentCategory.SECURITY: "major_crime", IncidentCategory.FIRE_ALARM: "actual_fire"}
"""What a manager may class an incident as when closing it: a security incident as a major criminal case
(重大刑事案件), a fire alarm as a fire (火灾). Both count toward the plan's zero-tolerance indicators."""


def close_incident(session: Session, actor: Actor | None, incident_id: object, note: object,
                   serious: object = False, now: datetime | None = None) -> Incident:
    """A manager closes an open incident with a note on how it was dealt with (of two at once, one wins), and
    classes a security incident or fire alarm as serious (a major criminal case, a fire) when it was."""
    actor = require(session, actor, INCIDENT_REFUSED, Role.MANAGER)
    with refusing(session, actor, INCIDENT_REFUSED):
        incident = in_estate(session, actor, Incident, positive_id(incident_id))
    session.refresh(incident, with_for_update=True)
    with refusing(session, actor, INCIDENT_REFUSED, incident.id):
        if not may_close(actor, incident):
            raise InvalidInput("error.incident_closed")
        closing_note = text(note, "error.note_required", NOTE_MAX, multiline=True)
        if serious not in (True, False, "on", "", None):
            raise InvalidInput("error.bad_request")
        serious = serious in (True, "on")
        if serious and incident.category not in SERIOUS:
            raise InvalidInput("error.bad_request")
    if serious:
        setattr(incident, SERIOUS[incident.category], True)
    incident.status = IncidentStatus.CLOSED
    incident.closed_by_id = actor.id
    incident.closed_at = now or utcnow()
    incident.closing_note = closing_note
    audit.record(session, actor.estate_id, session.get(User, actor.id), "incident_closed", "incident", incident.id,
                 note=closing_note, **({SERIOUS[incident.category]: True} if serious else {}))
    return incident


def _views(session: Session, incidents: list[Incident]) -> list[IncidentView]:
    ids = [i.id for i in incidents]
    stored: dict[int, list[str]] = {i: [] for i in ids}
    people = {i.reporter_id for i in incidents}
    places = {i.point_id for i in incidents} - {None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(people))).all()) if people else {}
    points = dict(session.exec(select(PatrolPoint.id, PatrolPoint.name).where(
        col(PatrolPoint.id).in_(places))).all()) if places else {}
    if ids:
        for incident_id, name in session.exec(select(IncidentPhoto.incident_id, IncidentPhoto.file).where(
                col(IncidentPhoto.incident_id).in_(ids)).order_by(IncidentPhoto.id)):
            stored[incident_id].append(name)
    return [IncidentView(i, names.get(i.reporter_id, ""), points.get(i.point_id, ""), stored[i.id])
            for i in incidents]


def open_incidents(session: Session, actor: Actor | None) -> list[IncidentView]:
    """The estate's open incidents, newest first (managers)."""
    actor = require_role(actor, Role.MANAGER)
    return _views(session, list(session.exec(select(Incident).where(
        Incident.estate_id == actor.estate_id, Incident.status == IncidentStatus.OPEN,
    ).order_by(col(Incident.id).desc()).limit(LIST_LIMIT))))


def my_recent_incidents(session: Session, actor: Actor | None, now: datetime | None = None) -> list[IncidentView]:
    """What the guard reported in the last 7 days, newest first."""
    actor = require_role(actor, Role.GUARD)
    since = (now or utcnow()) - RECENT
    return _views(session, list(session.exec(select(Incident).where(
        Incident.estate_id == actor.estate_id, Incident.reporter_id == actor.id, Incident.created_at >= since,
    ).order_by(col(Incident.id).desc()).limit(LIST_LIMIT))))


def _rows(session: Session, actor: Actor, views: list[IncidentView]) -> list[IncidentRow]:
    """Incidents as rows for `actor` (who was allowed to see them), photos as signed links."""
    timezone = session.get(Estate, actor.estate_id).timezone
    return [IncidentRow(str(v.incident.id), v.incident.category, v.incident.status, v.incident.text,
                        v.reporter_name, v.point_name, format_local(v.incident.created_at, timezone, "%m-%d %H:%M"),
                        photos.links(v.photos), [CLOSE] if may_close(actor, v.incident) else [])
            for v in views]


def open_incident_rows(session: Session, actor: Actor | None) -> list[IncidentRow]:
    """The manager's open incidents as rows, each with the close action."""
    return _rows(session, actor, open_incidents(session, actor))


def my_incident_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[IncidentRow]:
    """The guard's reports of the last 7 days as rows."""
    return _rows(session, actor, my_recent_incidents(session, actor, now))


def open_incident_tally(session: Session, estate_id: int) -> Tally:
    """How many incidents of an estate are open and the newest one's id: one indexed query, for polling."""
    return Tally(*session.exec(select(func.count(), func.max(Incident.id)).where(
        Incident.estate_id == estate_id, Incident.status == IncidentStatus.OPEN)).one())


# SOS alerts

def raise_sos(session: Session, actor: Actor | None, point_id: object = None, now: datetime | None = None) -> SosAlert:
    """A guard calls for help (optionally at a checkpoint). A second call within a minute of one still
    unacknowledged is refused as a duplicate: the first is still showing on every manager screen."""
    actor = require(session, actor, SOS_REFUSED, Role.GUARD)
    now = now or utcnow()
    with refusing(session, actor, SOS_REFUSED):
        point = _point(session, actor, point_id)
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    waiting = session.exec(select(SosAlert.id).where(
        SosAlert.guard_id == actor.id, col(SosAlert.acknowledged_at).is_(None),
        SosAlert.raised_at > now - SOS_DUPLICATE_WINDOW)).first()
    if waiting is not None:
        refuse(session, actor, SOS_REFUSED, InvalidInput("error.sos_duplicate"), waiting)
    alert = SosAlert(estate_id=actor.estate_id, guard_id=actor.id, raised_at=now,
                     point_id=point.id if point else None)
    session.add(alert)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "sos_raised", "sos", alert.id,
                 point=alert.point_id)
    return alert


def may_acknowledge(actor: Actor, alert: SosAlert) -> bool:
    """The rule for acknowledging: a manager, an alert nobody has acknowledged yet."""
    return actor.has(Role.MANAGER) and alert.acknowledged_at is None


def acknowledge_sos(session: Session, actor: Actor | None, alert_id: object,
                    now: datetime | None = None) -> SosAlert:
    """A manager acknowledges an SOS alert; it leaves every manager screen (of two at once, one wins)."""
    actor = require(session, actor, SOS_REFUSED, Role.MANAGER)
    with refusing(session, actor, SOS_REFUSED):
        alert = in_estate(session, actor, SosAlert, positive_id(alert_id))
    session.refresh(alert, with_for_update=True)
    if not may_acknowledge(actor, alert):
        refuse(session, actor, SOS_REFUSED, InvalidInput("error.sos_acknowledged"), alert.id)
    alert.acknowledged_by_id = actor.id
    alert.acknowledged_at = now or utcnow()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "sos_acknowledged", "sos", alert.id)
    return alert


def open_alerts(session: Session, estate_id: int) -> Tally:
    """How many SOS alerts of an estate wait for a manager and the newest one's id: one indexed query, for
    polling."""
    return Tally(*session.exec(select(func.count(), func.max(SosAlert.id)).where(
        SosAlert.estate_id == estate_id, col(SosAlert.acknowledged_at).is_(None))).one())


def waiting_alerts(session: Session, actor: Actor | None) -> list[SosView]:
    """The estate's unacknowledged SOS alerts, newest first, with the guard's name and checkpoint (managers)."""
    actor = require_role(actor, Role.MANAGER)
    rows = session.exec(
        select(SosAlert, User.name, PatrolPoint.name)
        .join(User, col(User.id) == SosAlert.guard_id)
        .outerjoin(PatrolPoint, col(PatrolPoint.id) == SosAlert.point_id)
        .where(SosAlert.estate_id == actor.estate_id, col(SosAlert.acknowledged_at).is_(None))
        .order_by(col(SosAlert.id).desc()).limit(LIST_LIMIT))
    return [SosView(alert.id, guard, point or "", alert.raised_at) for alert, guard, point in rows]


def waiting_alert_rows(session: Session, actor: Actor | None) -> list[SosRow]:
    """The waiting alerts as rows for a manager, times local, each with the acknowledge action."""
    views = waiting_alerts(session, actor)
    timezone = session.get(Estate, actor.estate_id).timezone
    return [SosRow(str(v.alert_id), v.guard_name, v.point_name, format_local(v.raised_at, timezone, "%H:%M:%S"),
                   [ACKNOWLEDGE] if actor.has(Role.MANAGER) else []) for v in views]

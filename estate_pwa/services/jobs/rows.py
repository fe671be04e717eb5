"""What the job screens show, built here so states only hold it: typed rows with keys (kind, category, urgency,
status, reasons — the page translates them on the device), names and places, the deadline that applies and
which clock it is, photos as signed links, and the actions the viewer may take (rules.allowed)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import Area, Building, Estate, RequestKind, RequestStatus, Role, ServiceRequest, Unit, User
from estate_pwa.services import photos as photo_links
from estate_pwa.services.files import media_url
from estate_pwa.services.jobs import views
from estate_pwa.services.jobs.clocks import clocks
from estate_pwa.services.jobs.dispatch import technician_load
from estate_pwa.services.jobs.feedback import pending_follow_ups
from estate_pwa.services.jobs.intake import common_areas
from estate_pwa.services.jobs.photos import photo_files
from estate_pwa.services.jobs.rules import FINISHED, STAFF, allowed
from estate_pwa.services.permissions import Actor, require
from estate_pwa.services.photos import PhotoLink

SHORT = "%m-%d %H:%M"
BOARD_FILTERS = ("all", "overdue", "breaches", "postponed")
HOME = "home"
"""The value of the resident's own unit among the places to report about."""


@dataclass
class RequestRow:
    """One request as a screen shows it to one viewer."""

    id: int = 0
    kind: str = ""
    category: str = ""
    urgency: str = ""
    status: str = ""
    place: str = ""
    description: str = ""
    received: str = ""
    deadline: str = ""
    """The deadline that applies (ISO, UTC); '' once finished."""
    clock: str = ""
    """Which clock applies: 'dispatch' (the 3-minute promise), 'finish' (the promise or the reply due), or
    'paused' (stopped by a resident-caused pause; no deadline until it resumes)."""
    promised: str = ""
    technician: str = ""
    first_receiver: str = ""
    contact: str = ""
    reply: str = ""
    postponed: bool = False
    breached: bool = False
    overdue: bool = False
    on_time: bool = False
    late: bool = False
    dispatch_met: bool = False
    dispatch_missed: bool = False
    late_excused: bool = False
    effective: str = ""
    """For complaints: 'yes' (confirmed the service's fault), 'no', or '' (not yet confirmed)."""
    photos: list[PhotoLink] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class TechnicianChoice:
    """A technician to dispatch to, with their number of open jobs."""

    id: int = 0
    name: str = ""
    open: int = 0


@dataclass
class FollowUpRow:
    """A follow-up visit to do; `reason` is a key (followup.<reason>)."""

    id: int = 0
    request_id: int = 0
    place: str = ""
    reason: str = ""
    description: str = ""


@dataclass
class HistoryEntry:
    """A step of a request's history; `action` is a key (audit.<action>), `who` '' for the system."""

    when: str = ""
    who: str = ""
    action: str = ""


@dataclass
class RequestHistory:
    """A request's history as the office opens it, with the resident's signature for managers."""

    title: str = ""
    entries: list[HistoryEntry] = field(default_factory=list)
    signature: str = ""


@dataclass
class Place:
    """A place a resident may report about: their home (value HOME) or a common area (its id)."""

    value: str = ""
    name: str = ""


def _timezone(session: Session, actor: Actor) -> str:
    return session.get(Estate, actor.estate_id).timezone


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids = ids - {None}
    return dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()) if ids else {}


def places(session: Session, requests: list[ServiceRequest]) -> dict[int, str]:
    """Where each request is: its unit ('1栋 101'), its common area's name, or both."""
    unit_ids = {r.unit_id for r in requests if r.unit_id}
    area_ids = {r.area_id for r in requests if r.area_id}
    units = {u.id: f"{b.name} {u.number}" for u, b in session.exec(
        select(Unit, Building).join(Building, col(Building.id) == Unit.building_id)
        .where(col(Unit.id).in_(unit_ids)))} if unit_ids else {}
    areas = dict(session.exec(select(Area.id, Area.name).where(col(Area.id).in_(area_ids))).all()) \
        if area_ids else {}
    return {r.id: " ".join(filter(None, (units.get(r.unit_id), areas.get(r.area_id)))) for r in requests}


def _contacts(session: Session, actor: Actor, requests: list[ServiceRequest]) -> dict[int, str]:
    """Reporters' names and phones, for staff of the same estate (contact_of for many requests at once)."""
    ids = {r.reporter_id for r in requests if r.reporter_id and r.estate_id == actor.estate_id}
    if not actor.has(*STAFF) or not ids:
        return {}
    return {uid: f"{name} {phone}" for uid, name, phone in session.exec(
        select(User.id, User.name, User.phone).where(col(User.id).in_(ids)))}


def request_rows(session: Session, actor: Actor, requests: list[ServiceRequest], now: datetime | None = None,
                 contact: bool = False) -> list[RequestRow]:
    """Rows of requests the viewer may already see; with `contact`, staff also get the reporter's contact."""
    now = now or utcnow()
    timezone = _timezone(session, actor)
    names = _names(session, {r.technician_id for r in requests} | {r.first_receiver_id for r in requests})
    where = places(session, requests)
    photos = photo_files(session, requests)
    contacts = _contacts(session, actor, requests) if contact else {}
    rows = []
    for request in requests:
        clock = clocks(request, now)
        waiting = request.kind == RequestKind.REPAIR and request.accepted_at is None \
            and request.status in (RequestStatus.RECEIVED, RequestStatus.DISPATCHED)
        deadline = clock.dispatch_deadline if waiting else (clock.finish_deadline or clock.feedback_deadline)
        paused = request.status == RequestStatus.PAUSED  # its deadline moves with the pause: no countdown
        rows.append(RequestRow(
            id=request.id, kind=request.kind, category=request.category, urgency=request.urgency,
            status=request.status, place=where.get(request.id, ""), description=request.description,
            received=format_local(request.received_at, timezone, SHORT),
            deadline="" if request.status in FINISHED or paused or deadline is None else deadline.isoformat(),
            clock="dispatch" if waiting else "paused" if paused else "finish",
            promised=format_local(request.promised_at, timezone, SHORT),
            technician=names.get(request.technician_id, ""), first_receiver=names.get(request.first_receiver_id, ""),
            contact=contacts.get(request.reporter_id, ""), reply=request.reply or "",
            postponed=request.postponements > 0, breached=request.breaches > 0, overdue=clock.overdue,
            on_time=request.on_time is True, late=request.on_time is False,
            dispatch_met=clock.dispatch_met is True, dispatch_missed=clock.dispatch_met is False,
            late_excused=clock.dispatch_excused,
            effective="" if request.effective is None else ("yes" if request.effective else "no"),
            photos=photo_links.links([p.file for p in photos[request.id]], now),
            actions=allowed(actor, request),
        ))
    return rows


def resident_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[RequestRow]:
    """The resident's own requests, newest first."""
    return request_rows(session, actor, views.for_resident(session, actor), now)


def technician_rows(session: Session, actor: Actor | None,
                    now: datetime | None = None) -> tuple[list[RequestRow], list[RequestRow]]:
    """The jobs assigned to a technician or a cleaner (with the reporter's contact) and, for technicians, the pool
    to claim from."""
    now = now or utcnow()
    mine = views.for_technician(session, actor, now)
    free = views.pool(session, actor, now) if actor.has(Role.TECHNICIAN) else []
    return request_rows(session, actor, mine, now, contact=True), request_rows(session, actor, free, now)


def office_rows(session: Session, actor: Actor | None, show: str = "all",
                now: datetime | None = None) -> list[RequestRow]:
    """The office board, all requests or only the overdue, breached or postponed ones."""
    rows = request_rows(session, actor, views.office_board(session, actor, now), now, contact=True)
    keep = {"overdue": lambda r: r.overdue, "breaches": lambda r: r.breached,
            "postponed": lambda r: r.postponed}.get(show, lambda r: True)
    return [r for r in rows if keep(r)]


def owned_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[RequestRow]:
    """The requests the staff member received first and that are not closed."""
    return request_rows(session, actor, views.owned_by(session, actor), now, contact=True)


def technician_choices(session: Session, actor: Actor | None) -> list[TechnicianChoice]:
    """The estate's active technicians with their load, for dispatching."""
    return [TechnicianChoice(t.id, t.name, n) for t, n in technician_load(session, actor)]


def follow_up_rows(session: Session, actor: Actor | None) -> list[FollowUpRow]:
    """Follow-up visits still to do."""
    pending = pending_follow_ups(session, actor)
    where = places(session, [r for _, r in pending])
    return [FollowUpRow(f.id, r.id, where.get(r.id, ""), f.reason, r.description) for f, r in pending]


def history_view(session: Session, actor: Actor | None, request_id: object) -> RequestHistory:
    """A request's history for someone who may follow it; managers also get the resident's signature."""
    request = views.followed(session, actor, request_id)
    entries = views.history(session, actor, request.id)
    timezone = _timezone(session, actor)
    names = _names(session, {e.actor_id for e in entries})
    return RequestHistory(
        title=f"#{request.id} {request.description[:30]}",
        entries=[HistoryEntry(format_local(e.created_at, timezone, SHORT), names.get(e.actor_id, ""), e.action)
                 for e in entries],
        signature=media_url(request.signature_file) if actor.has(Role.MANAGER) else "",
    )


def report_places(session: Session, actor: Actor | None) -> list[Place]:
    """Where a resident may report: their home first (when they have one), then the estate's common areas."""
    actor = require(actor, Role.RESIDENT)
    home = []
    if actor.unit_id is not None:
        unit = session.get(Unit, actor.unit_id)
        home = [Place(HOME, f"{session.get(Building, unit.building_id).name} {unit.number}")]
    return home + [Place(str(area.id), area.name) for area in common_areas(session, actor)]

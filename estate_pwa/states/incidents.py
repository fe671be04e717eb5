"""Incidents and SOS on screen: the guard's report form and SOS button, and what every manager screen watches."""

import reflex as rx
from sqlmodel import Session, select

from estate_pwa.core.clock import format_local
from estate_pwa.core.db import session_scope
from estate_pwa.core.media import thumbnail_data_url
from estate_pwa.models import PatrolPoint, Role
from estate_pwa.services import estate, incidents
from estate_pwa.services.errors import DomainError
from estate_pwa.services.permissions import Actor
from estate_pwa.states.session import SessionState

NO_POINT = "none"


class IncidentRows(rx.State, mixin=True):
    """Incidents as rows for display, and the screen's refusal message (each screen has its own)."""

    error: str = ""

    def _incident_rows(self, session: Session, actor: Actor, views: list[incidents.IncidentView]) -> list[dict]:
        timezone = estate.estate_of(session, actor).timezone
        return [{
            "id": str(v.incident.id),
            "category": v.incident.category,
            "category_label": self._text(f"incident.category_{v.incident.category}"),
            "status": v.incident.status,
            "status_label": self._text(f"incident.status_{v.incident.status}"),
            "text": v.incident.text,
            "reporter": v.reporter_name,
            "point": v.point_name,
            "at": format_local(v.incident.created_at, timezone, "%m-%d %H:%M"),
            "photos": "|".join(filter(None, (thumbnail_data_url(name) for name in v.photos))),
        } for v in views]


class GuardIncidentState(IncidentRows, SessionState):
    """The guard's screen: where they are, an SOS button, the report form and their recent reports."""

    points: list[dict[str, str]] = []
    point: str = NO_POINT
    previews: list[str] = []
    form_key: int = 0
    notice: str = ""
    sos_status: str = ""
    mine: list[dict[str, str]] = []
    _pending: list[str] = []

    @rx.event
    def load(self):
        """Show the estate's checkpoints to choose from and the guard's recent reports."""
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
            self.points = [{"id": str(p.id), "name": p.name} for p in session.exec(
                select(PatrolPoint).where(PatrolPoint.estate_id == actor.estate_id, PatrolPoint.active)
                .order_by(PatrolPoint.name))]
            self._refresh(session, actor)
        self.error = self.notice = self.sos_status = ""

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.mine = self._incident_rows(session, actor, incidents.my_recent_incidents(session, actor))

    def _chosen_point(self) -> str | None:
        return None if self.point == NO_POINT else self.point

    @rx.event
    def choose_point(self, point_id: str):
        """Remember where the guard is (a checkpoint of the list, or none) for the SOS and the report."""
        known = {p["id"] for p in self.points}
        self.point = point_id if isinstance(point_id, str) and point_id in known else NO_POINT

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]):
        """Keep photos for the incident being written, stored at once (shown as thumbnails until it is sent)."""
        self.error = ""
        stored = await self._store_photos(files, incidents.PHOTO_FOLDER, Role.GUARD,
                                          incidents.MAX_PHOTOS - len(self._pending))
        self._pending = self._pending + stored
        self.previews = self.previews + [thumbnail_data_url(name) for name in stored]

    @rx.event
    def report(self, form: dict):
        """Report the incident with its category, text, checkpoint and photos."""
        form = self._fields(form)
        photos = list(self._pending)
        self.notice = ""
        if self._act(lambda session, actor: incidents.report_incident(
                session, actor, form.get("category"), form.get("text"), self._chosen_point(), photos)):
            self.form_key += 1
            self._pending, self.previews = [], []
            self.notice = self._text("incident.reported")

    @rx.event
    def raise_sos(self):
        """Call every manager for help (the page asks for a confirmation first)."""
        try:
            with session_scope() as session:
                incidents.raise_sos(session, self._actor(session), self._chosen_point())
        except DomainError as error:
            self.sos_status = self._say(error)
            return
        self.sos_status = self._text("sos.sent")


class ManagerWatch(IncidentRows, mixin=True):
    """A manager's list kept current by polling: one indexed query per tick; the list is re-read, for a manager
    resolved from the token, only when that query's answer changed."""

    _estate_id: int | None = None
    _seen: tuple = ()

    def _tally(self, session: Session, estate_id: int) -> incidents.Tally:
        raise NotImplementedError

    def _rows_for(self, session: Session, actor: Actor) -> None:
        raise NotImplementedError

    def _refresh(self, session: Session, actor: Actor) -> None:
        self._seen = tuple(self._tally(session, actor.estate_id))
        self._rows_for(session, actor)

    @rx.event
    def poll(self):
        """Called when the screen opens and every few seconds after."""
        with session_scope() as session:
            if self._estate_id is not None and tuple(self._tally(session, self._estate_id)) == self._seen:
                return
            actor = self._actor(session)
            if actor is None or not actor.has(Role.MANAGER):
                self.reset()
                return
            self._estate_id = actor.estate_id
            self._refresh(session, actor)


class SosAlertsState(ManagerWatch, SessionState):
    """Unacknowledged SOS alerts, shown on every manager screen."""

    alerts: list[dict[str, str]] = []

    def _tally(self, session: Session, estate_id: int) -> incidents.Tally:
        return incidents.open_alerts(session, estate_id)

    def _rows_for(self, session: Session, actor: Actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        self.alerts = [{"id": str(a.alert_id), "guard": a.guard_name,
                        "point": a.point_name or self._text("sos.no_point"),
                        "at": format_local(a.raised_at, timezone, "%H:%M:%S")}
                       for a in incidents.waiting_alerts(session, actor)]

    @rx.event
    def acknowledge(self, alert_id: str):
        """Acknowledge one SOS alert."""
        if not self._act(incidents.acknowledge_sos, alert_id):
            return rx.toast.error(self.error)


class OpenIncidentsState(ManagerWatch, SessionState):
    """The estate's open incidents, for a manager to close with a note."""

    open_incidents: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Show the open incidents (the manager's incidents screen)."""
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            self._estate_id = actor.estate_id
            self._refresh(session, actor)
        self.error = ""

    def _tally(self, session: Session, estate_id: int) -> incidents.Tally:
        return incidents.open_incident_tally(session, estate_id)

    def _rows_for(self, session: Session, actor: Actor) -> None:
        self.open_incidents = self._incident_rows(session, actor, incidents.open_incidents(session, actor))

    @rx.event
    def close(self, form: dict):
        """Close one incident with a note on how it was dealt with."""
        form = self._fields(form)
        if self._act(incidents.close_incident, form.get("incident"), form.get("note")):
            return rx.toast.success(self._text("incident.closed_done"))
        return rx.toast.error(self.error)

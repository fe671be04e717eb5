"""Incidents and SOS on screen: the guard's report form and SOS button, and what every manager screen watches."""

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import incidents, patrol, photos
from estate_pwa.services.errors import DomainError
from estate_pwa.services.permissions import Actor
from estate_pwa.states.session import SessionState

NO_POINT = "none"


class GuardIncidentState(SessionState):
    """The guard's screen: where they are, an SOS button, the report form and their recent reports."""

    error: str = ""
    points: list[patrol.Option] = []
    point: str = NO_POINT
    previews: list[photos.PhotoLink] = []
    form_key: int = 0
    notice: str = ""
    sos_status: str = ""
    mine: list[incidents.IncidentRow] = []
    _pending: list[str] = []

    @rx.event
    def load(self):
        """Show the estate's checkpoints to choose from and the guard's recent reports."""
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
            self.points = patrol.active_point_options(session, actor)
            self._refresh(session, actor)
        self.error = self.notice = self.sos_status = ""

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.mine = incidents.my_incident_rows(session, actor)

    def _chosen_point(self) -> str | None:
        return None if self.point == NO_POINT else self.point

    @rx.event
    def choose_point(self, point_id: str):
        """Remember where the guard is (a checkpoint of the list, or none) for the SOS and the report."""
        known = {p.id for p in self.points}
        self.point = point_id if isinstance(point_id, str) and point_id in known else NO_POINT

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]):
        """Keep photos for the incident being written, stored at once (shown as thumbnails until it is sent)."""
        self.error = ""
        stored = await self._store_photos(files, incidents.PHOTO_FOLDER, Role.GUARD,
                                          incidents.MAX_PHOTOS - len(self._pending))
        self._pending = self._pending + stored
        self.previews = self.previews + photos.links(stored)

    @rx.event
    def report(self, form: dict):
        """Report the incident with its category, text, checkpoint and photos."""
        form = self._fields(form)
        taken = list(self._pending)
        self.notice = ""
        if self._act(incidents.report_incident, form.get("category"), form.get("text"), self._chosen_point(), taken):
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


class ManagerWatch(rx.State, mixin=True):
    """A manager's list kept current by polling: one indexed query per tick; the list is re-read, for a manager
    resolved from the token, only when that query's answer changed."""

    error: str = ""
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

    alerts: list[incidents.SosRow] = []

    def _tally(self, session: Session, estate_id: int) -> incidents.Tally:
        return incidents.open_alerts(session, estate_id)

    def _rows_for(self, session: Session, actor: Actor) -> None:
        self.alerts = incidents.waiting_alert_rows(session, actor)

    @rx.event
    def acknowledge(self, alert_id: str):
        """Acknowledge one SOS alert."""
        if not self._act(incidents.acknowledge_sos, alert_id):
            return rx.toast.error(self.error)


class OpenIncidentsState(ManagerWatch, SessionState):
    """The estate's open incidents, for a manager to close with a note."""

    open_incidents: list[incidents.IncidentRow] = []

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
        self.open_incidents = incidents.open_incident_rows(session, actor)

    @rx.event
    def close(self, form: dict):
        """Close one incident with a note on how it was dealt with."""
        form = self._fields(form)
        if self._act(incidents.close_incident, form.get("incident"), form.get("note"), form.get("serious", False)):
            return rx.toast.success(self._text("incident.closed_done"))
        return rx.toast.error(self.error)

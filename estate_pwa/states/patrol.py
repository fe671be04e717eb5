"""Patrols on screen: a guard's rounds, scanning a checkpoint's code, the manager's live board and checkpoints."""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import reflex as rx
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.core.qr import qr_data_url
from estate_pwa.models import Area, Role
from estate_pwa.services import estate, patrol
from estate_pwa.services.errors import DomainError
from estate_pwa.states.session import SessionState

SCAN_PREFIX = "/p/"
LOOK_BACK = timedelta(hours=2)
LOOK_AHEAD = timedelta(hours=12)


def _keep_rounds_current(session: Session, estate_id: int) -> None:
    """Create the coming rounds and close the overdue ones (idempotent; every patrol screen calls it)."""
    now = utcnow()
    patrol.generate_rounds(session, estate_id, now - LOOK_BACK, now + LOOK_AHEAD, now)
    patrol.close_overdue(session, estate_id, now)


class PatrolView(SessionState):
    """Rows of rounds for display."""

    server_now: str = ""
    error: str = ""

    def _round_rows(self, rows, timezone: str) -> list[dict[str, str]]:
        now = utcnow()
        self.server_now = now.isoformat()
        return [{
            "id": str(r.round_id),
            "route": r.route_name,
            "window": f"{format_local(r.window_start, timezone, '%H:%M')}–{format_local(r.window_end, timezone, '%H:%M')}",
            "status": r.status,
            "status_label": self._text(f"patrol.status_{r.status}"),
            "guard": r.guard_name or self._text("patrol.unassigned"),
            "progress": f"{r.done} / {r.total}",
            "deadline": (r.window_start if r.status == "scheduled" and now < r.window_start else r.window_end).isoformat(),
            "deadline_label": self._text("patrol.starts_in" if r.status == "scheduled" and now < r.window_start
                                         else "patrol.ends_in"),
            "flagged": str(r.flagged) if r.flagged else "",
            "startable": "1" if patrol.can_start(r, now) else "",
        } for r in rows]


class GuardRoundsState(PatrolView):
    """A guard's current and next rounds."""

    rounds: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Show the guard's open rounds (creating the coming ones first)."""
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
            _keep_rounds_current(session, actor.estate_id)
            session.flush()
            self._refresh(session, actor)
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        self.rounds = self._round_rows(patrol.my_rounds(session, actor), timezone)

    @rx.event
    def start(self, round_id: str):
        """Start a round with one tap."""
        self.error = ""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                patrol.start_round(session, actor, round_id)
                session.flush()
                self._refresh(session, actor)
        except DomainError as error:
            self.error = self._say(error)


class ScanState(SessionState):
    """Opening a checkpoint's URL (the phone's own camera) records the scan for the logged-in guard."""

    point_name: str = ""
    progress: str = ""
    message: str = ""
    counted: bool = False

    @rx.event
    def load(self):
        """Record the scan named by the URL; the server's clock and the code's signature decide everything."""
        self.point_name = self.progress = self.message = ""
        self.counted = False
        path = self.router.url.path
        token = path[len(SCAN_PREFIX):].strip("/") if path.startswith(SCAN_PREFIX) else ""
        try:
            with session_scope() as session:
                actor = self._enter(session, Role.GUARD)
                if actor is None:
                    return self._send_away(session)
                result = patrol.record_scan(session, actor, token, uuid.uuid4().hex, utcnow())
        except DomainError as error:
            self.message = self._say(error)
            return
        self.point_name = result.point_name
        self.progress = f"{result.done} / {result.total}"
        self.counted = result.outcome == "counted"
        self.message = self._text(f"patrol.outcome_{result.outcome}")


class PatrolBoardState(PatrolView):
    """The manager's board of today's rounds, guards' last scans, checkpoints with their codes, and CSV export."""

    rounds: list[dict[str, str]] = []
    last_scans: list[dict[str, str]] = []
    checkpoints: list[dict[str, str]] = []
    areas: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Show today's board and the checkpoints."""
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            _keep_rounds_current(session, actor.estate_id)
            session.flush()
            self._refresh(session, actor)
            self.areas = [{"id": str(a.id), "name": a.name} for a in session.exec(
                select(Area).where(Area.estate_id == actor.estate_id).order_by(col(Area.id)))]
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        today = patrol.board(session, actor)
        self.rounds = self._round_rows(today.rounds, timezone)
        self.last_scans = [{"guard": s.guard_name, "point": s.point_name or "—",
                            "at": format_local(s.at, timezone, "%H:%M")} for s in today.last_scans]
        parts = urlsplit(str(self.router.url))
        base = f"{parts.scheme}://{parts.netloc}"
        names = {a["id"]: a["name"] for a in self.areas}
        self.checkpoints = [{"id": str(p.id), "name": p.name, "area": names.get(str(p.area_id), ""),
                             "qr": qr_data_url(patrol.point_url(base, p), box_size=4), "short": f"P{p.id:03d}"}
                            for p in patrol.points(session, actor)]

    @rx.event
    def refresh(self):
        """Re-read the board (the page calls this every few seconds)."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(Role.MANAGER):
                return
            _keep_rounds_current(session, actor.estate_id)
            session.flush()
            self._refresh(session, actor)

    @rx.event
    def reissue(self, point_id: str):
        """Print a new code for a checkpoint; the old one stops working."""
        self._act(patrol.reissue_code, point_id)

    @rx.event
    def create_point(self, form: dict):
        """Add a checkpoint in an area."""
        form = self._fields(form)
        self._act(patrol.create_point, form.get("area"), form.get("name"), form.get("location") or "")

    @rx.event
    def export_csv(self):
        """Download the last 30 days of rounds as CSV."""
        now = utcnow()
        try:
            with session_scope() as session:
                text = patrol.csv_export(session, self._actor(session), now - timedelta(days=30), now,
                                         language=self.lang)
        except DomainError as error:
            self.error = self._say(error)
            return
        return rx.download(data=text, filename="patrol-rounds.csv")

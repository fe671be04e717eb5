"""Patrols on screen: a guard's rounds, scanning a checkpoint's code, the manager's live board and checkpoints."""

import json
from urllib.parse import urlsplit

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.i18n import LANGUAGES
from estate_pwa.models import Role
from estate_pwa.services import files, outbox, patrol
from estate_pwa.services.errors import DomainError, NotAllowed
from estate_pwa.services.outbox import Outcome
from estate_pwa.states.outbox import OutboxState, claim_outbox, listens
from estate_pwa.states.session import SessionState

SYNC_BATCH_MAX = outbox.BATCH_MAX
"""Queued actions recorded per call; the rest go with the phone's next send (next scan, page opened, back online)."""
RECENT_MAX = 10
UID_MAX = 64
HISTORY_SHOWN = 300
ALL = "all"
"""The value of a filter's "all" choice (a select cannot hold an empty value)."""
LOCATE_SCRIPT = """new Promise((resolve) => navigator.geolocation
  ? navigator.geolocation.getCurrentPosition(
      (p) => resolve({latitude: p.coords.latitude, longitude: p.coords.longitude}),
      () => resolve({}), {enableHighAccuracy: true, timeout: 15000, maximumAge: 0})
  : resolve({}))"""
"""The phone's position as {latitude, longitude}, or {} when it cannot be had (no permission, no fix)."""


class PatrolView(SessionState):
    """A screen of rounds: their countdowns tick from the server's time on the device."""

    server_now: str = ""
    error: str = ""


class RoundDetailView(PatrolView):
    """A manager's screen of rounds that opens one round's checkpoints and scans in a dialog. The board and the
    history share these fields, so each of them opens with no round open."""

    detail_open: bool = False
    detail: patrol.RoundCard = patrol.NO_ROUND
    detail_stops: list[patrol.StopRow] = []
    detail_scans: list[patrol.ScanRow] = []
    _detail_round: str = ""

    @rx.event
    def show_round(self, round_id: str):
        """Open one round: each checkpoint with when it was counted, and every scan kept on the round."""
        self._close_detail()
        self.error = ""
        try:
            with session_scope() as session:
                self._show_detail(session, self._actor(session), round_id)
        except DomainError as error:
            self.error = self._say(error)

    def _show_detail(self, session: Session, actor, round_id: object) -> None:
        view = patrol.detail_view(session, actor, round_id)
        self.detail, self.detail_stops, self.detail_scans = view.round, view.stops, view.scans
        self.detail_open = True
        self._detail_round = view.round.id

    def _reshow_detail(self, session: Session, actor) -> None:
        """Re-read the open round, if any (the board does so with the rest of the screen)."""
        if self._detail_round:
            self._show_detail(session, actor, self._detail_round)

    @rx.event
    def round_dialog_changed(self, opened: bool):
        """The dialog was dismissed (its close button, Escape or a tap outside)."""
        if not opened:
            self._close_detail()

    def _close_detail(self) -> None:
        self._detail_round = ""
        self.detail_open = False
        self.detail = patrol.NO_ROUND
        self.detail_stops = []
        self.detail_scans = []


class GuardRoundsState(PatrolView):
    """A guard's current and next rounds."""

    rounds: list[patrol.RoundCard] = []
    loaded: bool = False

    @rx.event
    def load(self):
        """Show the guard's open rounds; scans this phone queues from now on are the guard's."""
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
            self._refresh(session, actor)
        self.error = ""
        self.loaded = True
        return claim_outbox(actor)

    def _refresh(self, session: Session, actor) -> None:
        mine = patrol.guard_rounds(session, actor)
        self.rounds, self.server_now = mine.rounds, mine.server_now

    @rx.event
    def start(self, round_id: str):
        """Start a round with one tap."""
        self._act(patrol.start_round, round_id)


@listens
class ScanState(SessionState):
    """Recording scans: opening a checkpoint's URL (the phone's own camera), and the in-app scanner, whose scans
    wait in the phone's outbox (assets/outbox.js, kept while offline) until OutboxState.sync has recorded them;
    each scan's answer is shown here."""

    answer: patrol.ScanAnswer = patrol.NO_ANSWER
    recent: list[patrol.ScanAnswer] = []

    @rx.event
    def load(self):
        """A checkpoint's URL opened with the phone's own camera: the phone queues the scan (assets/outbox.js,
        openCheckpoint) and sends its queue to `sync`, so it is recorded like one from the in-app scanner, and
        reloading the page gets the same answer again instead of a second scan."""
        self.answer = patrol.NO_ANSWER
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
        return rx.call_script(f"window.estateOutbox.openCheckpoint({json.dumps(outbox.owner_tag(actor))})",
                              callback=OutboxState.sync)

    @rx.event
    def open_scanner(self):
        """The in-app scanner is a guard's screen. A camera failure the page reported before this (the camera's
        error can reach the server before the page's load event) stays in sight."""
        if self.answer.message != patrol.rows.CAMERA_FAILED:
            self.answer = patrol.NO_ANSWER
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
        return claim_outbox(actor)

    @rx.event
    def camera_failed(self):
        """The camera could not start (no permission or no camera): say so, and how else to scan."""
        self.answer = patrol.ScanAnswer("", patrol.rows.CAMERA_FAILED, "", False, "")

    def _synced(self, outcomes: list[Outcome]) -> None:
        """Show each scan's answer (the last one big, new ones in the list of this session's scans)."""
        for outcome in outcomes:
            if outcome.kind not in ("scan", ""):
                continue
            if outcome.ok:
                fields = {k: outcome.answer.get(k) for k in ("point", "message", "finished", "counted", "progress")}
                self.answer = patrol.ScanAnswer(**fields)
                fresh = not (outcome.replayed or outcome.answer.get("replayed"))
            else:
                self.answer, fresh = patrol.scan_answer(outcome.refusal()), True
            if fresh:
                self.recent = [self.answer, *self.recent][:RECENT_MAX]

    def _outbox_refused(self) -> None:
        self.answer = patrol.scan_answer(NotAllowed("error.login_required"))


class PatrolBoardState(RoundDetailView):
    """The manager's live board: today's rounds and each guard's last scan, re-read every few seconds."""

    rounds: list[patrol.RoundCard] = []
    last_scans: list[patrol.LastScanRow] = []

    @rx.event
    def load(self):
        """Show today's board."""
        self._close_detail()
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor) -> None:
        self._reshow_detail(session, actor)
        today = patrol.board_screen(session, actor)
        self.rounds, self.last_scans, self.server_now = today.rounds, today.last_scans, today.server_now

    @rx.event
    def refresh(self):
        """Re-read the board (the page calls this every few seconds)."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(Role.MANAGER):
                return
            self._refresh(session, actor)


class PatrolSetupState(SessionState):
    """Checkpoints with their codes (print, download, reissue, add) and routes with their schedules (add)."""

    error: str = ""
    checkpoints: list[patrol.CheckpointCard] = []
    routes: list[patrol.RouteCard] = []
    areas: list[patrol.Option] = []
    route_stops: list[str] = []
    """Checkpoint ids of the route being drawn up, in the order tapped."""
    point_latitude: str = ""
    point_longitude: str = ""
    point_form: int = 0
    """Bumped when a checkpoint is saved, so its form starts empty again."""
    located_count: int = 0
    """Bumped when the phone's position is put into the form, so the coordinate fields show it."""

    @rx.event
    def load(self):
        """Show the checkpoints and routes."""
        self.route_stops = []
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor) -> None:
        screen = patrol.setup_screen(session, actor, self._base_url())
        self.checkpoints, self.routes, self.areas = screen.checkpoints, screen.routes, screen.areas

    def _base_url(self) -> str:
        """Where this app answers, as the manager's browser reached it (printed into checkpoint codes)."""
        parts = urlsplit(str(self.router.url))
        return f"{parts.scheme}://{parts.netloc}"

    @rx.var
    def stop_places(self) -> list[str]:
        """Each checkpoint's place in the new route ("" when not in it), in the order of `checkpoints`."""
        return [str(self.route_stops.index(p.id) + 1) if p.id in self.route_stops else "" for p in self.checkpoints]

    @rx.event
    def toggle_stop(self, point_id: str):
        """Add a checkpoint to the end of the new route, or take it out."""
        if point_id in self.route_stops:
            self.route_stops = [p for p in self.route_stops if p != point_id]
        elif any(p.id == point_id for p in self.checkpoints):
            self.route_stops = [*self.route_stops, point_id]

    @rx.event
    def create_route(self, form: dict):
        """Add a route through the tapped checkpoints with its daily schedule; its rounds are created at once."""
        form = self._fields(form)
        done = self._act(patrol.create_route, form.get("name"), list(self.route_stops), form.get("starts"),
                         form.get("ends"), form.get("every"), form.get("expected"), form.get("grace"),
                         form.get("strict") == "on")
        if not done:
            return rx.toast.error(self.error)
        self.route_stops = []
        with session_scope() as session:
            patrol.keep_rounds_current(session, self._actor(session).estate_id)

    @rx.event
    def reissue(self, point_id: str):
        """Print a new code for a checkpoint; the old one stops working."""
        self._act(patrol.reissue_code, point_id)

    @rx.event
    def create_point(self, form: dict):
        """Add a checkpoint in an area, with coordinates if given; a refused one keeps what was typed and says why
        where the manager is looking (the forms are at the foot of a long page)."""
        form = self._fields(form)
        if not self._act(patrol.create_point, form.get("area"), form.get("name"), form.get("location") or "",
                         form.get("latitude"), form.get("longitude")):
            return rx.toast.error(self.error)
        self.point_latitude = self.point_longitude = ""
        self.point_form += 1

    @rx.event
    def locate(self):
        """Ask the phone where it is, for the new checkpoint's coordinates (the manager stands at the checkpoint)."""
        self.error = ""
        return rx.call_script(LOCATE_SCRIPT, callback=PatrolSetupState.located)

    @rx.event
    def located(self, position: dict):
        """Put the phone's position into the new checkpoint's form, or say it could not be found."""
        position = self._fields(position)
        try:
            place = patrol.coordinates(position.get("latitude"), position.get("longitude"))
        except DomainError:
            place = (None, None)
        if None in place:
            self.error = self._text("patrol.location_failed")
            return rx.toast.error(self.error)
        self.point_latitude, self.point_longitude = (f"{v:.6f}" for v in place)
        self.located_count += 1

    def _download(self, kind: str, filename: str, **params):
        """A download link for the manager, opened by the browser (the file never goes through the socket)."""
        self.error = ""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(Role.MANAGER):
                self.error = self._text("error.not_allowed")
                return None
            url = files.download_url(actor, kind, base=self._base_url(), **params)
        return rx.download(url=url, filename=filename)

    @rx.event
    def download_sheet(self):
        """Download every active checkpoint's code as a printable A4 PDF."""
        if not self.checkpoints:
            self.error = self._text("error.no_points_to_print")
            return None
        return self._download(patrol.SHEET_KIND, "patrol-codes.pdf")

    @rx.event
    def download_png(self, point_id: str):
        """Download one checkpoint's labelled code as a PNG."""
        if not any(p.id == point_id for p in self.checkpoints):
            self.error = self._text("error.bad_request")
            return None
        return self._download(patrol.LABEL_KIND, "patrol-code.png", point=int(point_id))


class PatrolHistoryState(RoundDetailView):
    """Past rounds filtered by days, route, guard and status, and the same selection as CSV."""

    rows: list[patrol.RoundCard] = []
    route_options: list[patrol.Option] = []
    guard_options: list[patrol.Option] = []
    first_day: str = ""
    last_day: str = ""
    route: str = ""
    guard: str = ""
    status: str = ""
    shown: int = 0
    total: int = 0

    @rx.event
    def load(self):
        """The last 7 days, every route, guard and status."""
        self.error = ""
        self._close_detail()
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            choices = patrol.history_choices(session, actor)
            self.first_day, self.last_day = choices.first_day, choices.last_day
            self.route = self.guard = self.status = ""
            self.route_options, self.guard_options = choices.routes, choices.guards
            self._refresh(session, actor)

    def _selection(self) -> tuple:
        return self.route or None, self.guard or None, self.status or None

    def _refresh(self, session: Session, actor) -> None:
        found = patrol.history_screen(session, actor, self.first_day, self.last_day, *self._selection(),
                                      limit=HISTORY_SHOWN)
        self.rows, self.server_now = found.rows, found.server_now
        self.shown, self.total = len(found.rows), found.total

    @rx.event
    def apply(self, form: dict):
        """Show the rounds the filters choose; a bad choice is refused and the list stays as it was."""
        form = self._fields(form)
        chosen = {key: form.get(key) if isinstance(form.get(key), str) else ""
                  for key in ("first_day", "last_day", "route", "guard", "status")}
        chosen.update({key: "" for key in ("route", "guard", "status") if chosen[key] == ALL})
        before = (self.first_day, self.last_day, self.route, self.guard, self.status)
        self.first_day, self.last_day, self.route, self.guard, self.status = (
            chosen["first_day"], chosen["last_day"], chosen["route"], chosen["guard"], chosen["status"])
        self.error = ""
        try:
            with session_scope() as session:
                self._refresh(session, self._actor(session))
        except DomainError as error:
            self.first_day, self.last_day, self.route, self.guard, self.status = before
            self.error = self._say(error)

    @rx.event
    def export_csv(self):
        """Download the rounds the filters choose as CSV (checked now, built when the browser opens the link)."""
        self.error = ""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                patrol.day_range(session, actor, self.first_day, self.last_day)
                url = files.download_url(actor, patrol.HISTORY_CSV, first_day=self.first_day,
                                         last_day=self.last_day, route=self.route, guard=self.guard,
                                         status=self.status, lang=self.lang if self.lang in LANGUAGES else "zh")
        except DomainError as error:
            self.error = self._say(error)
            return None
        return rx.download(url=url, filename=f"patrol-rounds-{self.first_day}-{self.last_day}.csv")

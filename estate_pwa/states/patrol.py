"""Patrols on screen: a guard's rounds, scanning a checkpoint's code, the manager's live board and checkpoints."""

import asyncio
import json
from datetime import timedelta
from urllib.parse import urlsplit

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.clock import format_local, to_local, utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.core.qr import qr_data_url
from estate_pwa.models import Role
from estate_pwa.services import accounts, estate, patrol, patrol_sheet, roster
from estate_pwa.services.errors import DomainError, NotAllowed
from estate_pwa.states.session import SessionState

SYNC_BATCH_MAX = 200
"""Queued scans recorded per call; the rest go with the phone's next send (next scan, page opened, back online)."""
RECENT_MAX = 10
UID_MAX = 64
HISTORY_DEFAULT_SPAN = timedelta(days=6)
HISTORY_SHOWN = 300
ALL = "all"
"""The value of a filter's "all" choice (a select cannot hold an empty value)."""
LOCATE_SCRIPT = """new Promise((resolve) => navigator.geolocation
  ? navigator.geolocation.getCurrentPosition(
      (p) => resolve({latitude: p.coords.latitude, longitude: p.coords.longitude}),
      () => resolve({}), {enableHighAccuracy: true, timeout: 15000, maximumAge: 0})
  : resolve({}))"""
"""The phone's position as {latitude, longitude}, or {} when it cannot be had (no permission, no fix)."""


def _claim_queue(actor) -> rx.event.EventSpec:
    """Tell the phone's scan queue whose scans it takes from now on (see patrol.queue_owner)."""
    return rx.call_script(f"window.estateScans.setOwner({json.dumps(patrol.queue_owner(actor))})")


def _record_queued(token: str, items: list[dict]) -> list[tuple[object, patrol.ScanResult | DomainError]] | None:
    """Record queued scans for whoever holds `token`, each in its own transaction; (scan id, answer or refusal)
    per item, or None when the token names nobody (then nothing is recorded and the phone keeps its queue).
    Items another guard queued on this phone are left for that guard; someone who is not a guard is refused
    (and audited) once for the whole batch."""
    answers: list[tuple[object, patrol.ScanResult | DomainError]] = []
    actor = None
    for item in items:
        uid = item.get("uid")
        if answers and not actor.has(Role.GUARD):
            answers.append((uid, answers[0][1]))
            continue
        try:
            with session_scope() as session:
                actor = actor or accounts.resolve(session, token)
                if actor is None:
                    return None
                owner = item.get("owner")
                if owner is not None and owner != patrol.queue_owner(actor):
                    continue
                answers.append((uid, patrol.record_scan(session, actor, patrol.token_of(item.get("code")), uid,
                                                        item.get("at"))))
        except DomainError as error:
            answers.append((uid, error))
    return answers


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
            "refused": self._text("patrol.refused_count", count=r.refused) if r.refused else "",
            "startable": "1" if patrol.can_start(r, now) else "",
        } for r in rows]


class RoundDetailView(PatrolView):
    """A manager's screen of rounds that opens one round's checkpoints and scans in a dialog. The board and the
    history share these fields, so each of them opens with no round open."""

    detail_title: str = ""
    detail_stops: list[dict[str, str]] = []
    detail_scans: list[dict[str, str]] = []
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
        detail = patrol.round_detail(session, actor, round_id)
        timezone = estate.estate_of(session, actor).timezone
        row = self._round_rows([detail.row], timezone)[0]
        day = to_local(detail.row.window_start, timezone).date()

        def when(moment) -> str:
            """A time of the round's day, or with its date when on another day (a scan synced the next morning)."""
            return format_local(moment, timezone, "%H:%M:%S" if to_local(moment, timezone).date() == day
                                else "%m-%d %H:%M:%S")

        self.detail_title = f"{row['route']} {day:%m-%d} {row['window']} · {row['guard']}"
        self.detail_stops = [{
            "point": stop.point_name,
            "at": when(stop.counted_at) if stop.counted_at else self._text("patrol.not_counted_yet"),
            "counted": "1" if stop.counted_at else "",
        } for stop in detail.stops]
        self.detail_scans = [{
            "point": line.point_name,
            "at": when(line.server_time),
            "phone": self._text("patrol.phone_time", time=when(line.client_time)) if line.synced_late else "",
            "outcome": line.outcome,
            "what": self._scan_label(line),
        } for line in detail.scans]
        self._detail_round = str(detail.row.round_id)

    def _scan_label(self, line: patrol.ScanLine) -> str:
        """What became of a scan, for the manager (a refused one: the guard's refusal, but a scan kept after its
        round closed is told as such)."""
        if line.reason == "error.scan_after_close":
            return self._text("patrol.scan_after_close")
        return self._text(line.reason or f"patrol.scan_{line.outcome}")

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
        self.detail_title = self._detail_round = ""
        self.detail_stops = []
        self.detail_scans = []


class GuardRoundsState(PatrolView):
    """A guard's current and next rounds."""

    rounds: list[dict[str, str]] = []
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
        return _claim_queue(actor)

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
    """Recording scans: opening a checkpoint's URL (the phone's own camera), and the in-app scanner, whose scans
    wait in the phone's queue (assets/scanqueue.js, kept while offline) until `sync` has recorded them."""

    point_name: str = ""
    progress: str = ""
    message: str = ""
    counted: bool = False
    recent: list[dict[str, str]] = []

    def _show_result(self, result: patrol.ScanResult) -> None:
        self.point_name = result.point_name
        self.progress = f"{result.done} / {result.total}"
        self.counted = result.counted
        self.message = self._text(f"patrol.outcome_{result.outcome}")
        if result.round_status in patrol.FINISHED:
            self.message += " · " + self._text("patrol.round_finished", status=self._text(
                f"patrol.status_{result.round_status}"))

    def _show_message(self, message: str) -> None:
        """A message and no scan result."""
        self.point_name = self.progress = ""
        self.counted = False
        self.message = message

    def _show_refusal(self, error: DomainError) -> None:
        self._show_message(self._say(error))

    @rx.event
    def load(self):
        """A checkpoint's URL opened with the phone's own camera: the phone queues the scan (assets/scanqueue.js,
        openCheckpoint) and sends its queue to `sync`, so it is recorded like one from the in-app scanner, and
        reloading the page gets the same answer again instead of a second scan."""
        self._show_message("")
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
        return rx.call_script(f"window.estateScans.openCheckpoint({json.dumps(patrol.queue_owner(actor))})",
                              callback=ScanState.sync)

    @rx.event
    def open_scanner(self):
        """The in-app scanner is a guard's screen."""
        self._show_message("")
        with session_scope() as session:
            actor = self._enter(session, Role.GUARD)
            if actor is None:
                return self._send_away(session)
        return _claim_queue(actor)

    @rx.event
    def camera_failed(self):
        """The camera could not start (no permission or no camera): say so, and how else to scan."""
        self._show_message(self._text("patrol.camera_failed"))

    @rx.event
    async def sync(self, items: list):
        """Record the scans waiting in the phone's queue, each exactly once, and tell the phone which to drop.

        Every item gets its answer from the core (a refusal is an answer too, kept and audited there); only a
        scan that got no answer (not logged in, a failure) stays queued to be sent again. The database work runs
        off the event loop, so a worker keeps serving other phones meanwhile.
        """
        if not isinstance(items, list) or not items:
            return
        answers = await asyncio.to_thread(_record_queued, self.token, [self._fields(i) for i in items[:SYNC_BATCH_MAX]])
        if answers is None:
            self._show_refusal(NotAllowed("error.login_required"))
            return
        for _, result in answers:
            if isinstance(result, DomainError):
                self._show_refusal(result)
                self.recent = [self._recent_row("", self.message, False), *self.recent][:RECENT_MAX]
            else:
                self._show_result(result)
                if not result.replayed:
                    self.recent = [self._recent_row(result.point_name, self.message, result.counted),
                                   *self.recent][:RECENT_MAX]
        answered = [uid for uid, _ in answers if isinstance(uid, str) and len(uid) <= UID_MAX]
        return rx.call_script(f"window.estateScans.ack({json.dumps(answered)})")

    def _recent_row(self, point_name: str, message: str, counted: bool) -> dict[str, str]:
        return {"point": point_name or "—", "message": message, "counted": "1" if counted else "",
                "progress": self.progress if counted else ""}


class PatrolBoardState(RoundDetailView):
    """The manager's live board: today's rounds and each guard's last scan, re-read every few seconds."""

    rounds: list[dict[str, str]] = []
    last_scans: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Show today's board."""
        self._close_detail()
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor) -> None:
        self._reshow_detail(session, actor)
        timezone = estate.estate_of(session, actor).timezone
        today = patrol.board(session, actor)
        self.rounds = self._round_rows(today.rounds, timezone)
        self.last_scans = [{"guard": s.guard_name, "point": s.point_name or "—",
                            "at": format_local(s.at, timezone, "%H:%M")} for s in today.last_scans]

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
    checkpoints: list[dict[str, str]] = []
    routes: list[dict[str, str]] = []
    areas: list[dict[str, str]] = []
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
        areas = estate.areas(session, actor)
        self.areas = [{"id": str(a.id), "name": a.name} for a in areas]
        names = {a.id: a.name for a in areas}
        base = self._base_url()
        points = patrol.points(session, actor)
        self.checkpoints = [{"id": str(p.id), "name": p.name, "area": names.get(p.area_id, ""),
                             "qr": qr_data_url(patrol.point_url(base, p), box_size=4), "short": f"P{p.id:03d}"}
                            for p in points if p.active]
        point_names = {p.id: p.name for p in points}
        self.routes = [{
            "name": r.name,
            "schedule": self._text("patrol.route_schedule", starts=f"{r.starts:%H:%M}", ends=f"{r.ends:%H:%M}",
                                   every=r.every_minutes, expected=r.expected_minutes, grace=r.grace_minutes),
            "stops": " → ".join(point_names.get(p.id, "") for p in patrol.route_points(session, r.id)),
            "order": self._text("patrol.strict_order" if r.strict_order else "patrol.free_order"),
        } for r in patrol.routes(session, actor) if r.active]

    def _base_url(self) -> str:
        """Where this app answers, as the manager's browser reached it (printed into checkpoint codes)."""
        parts = urlsplit(str(self.router.url))
        return f"{parts.scheme}://{parts.netloc}"

    @rx.var
    def stop_labels(self) -> list[dict[str, str]]:
        """The checkpoints to tap for a new route, each with its place in the route ("" when not in it)."""
        return [{**p, "place": str(self.route_stops.index(p["id"]) + 1) if p["id"] in self.route_stops else ""}
                for p in self.checkpoints]

    @rx.event
    def toggle_stop(self, point_id: str):
        """Add a checkpoint to the end of the new route, or take it out."""
        if point_id in self.route_stops:
            self.route_stops = [p for p in self.route_stops if p != point_id]
        elif any(p["id"] == point_id for p in self.checkpoints):
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

    @rx.event
    def download_sheet(self):
        """Download every active checkpoint's code as a printable A4 PDF."""
        try:
            with session_scope() as session:
                pdf = patrol_sheet.sheet_pdf(session, self._actor(session), self._base_url())
        except DomainError as error:
            self.error = self._say(error)
            return
        return rx.download(data=pdf, filename="patrol-codes.pdf")

    @rx.event
    def download_png(self, point_id: str):
        """Download one checkpoint's labelled code as a PNG."""
        try:
            with session_scope() as session:
                png = patrol_sheet.point_png(session, self._actor(session), self._base_url(), point_id)
        except DomainError as error:
            self.error = self._say(error)
            return
        return rx.download(data=png, filename="patrol-code.png")


class PatrolHistoryState(RoundDetailView):
    """Past rounds filtered by days, route, guard and status, and the same selection as CSV."""

    rows: list[dict[str, str]] = []
    route_options: list[dict[str, str]] = []
    guard_options: list[dict[str, str]] = []
    first_day: str = ""
    last_day: str = ""
    route: str = ""
    guard: str = ""
    status: str = ""
    shown: str = ""

    @rx.event
    def load(self):
        """The last 7 days, every route, guard and status."""
        self.error = ""
        self._close_detail()
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            today = roster.local_today(session, actor.estate_id, utcnow())
            self.first_day, self.last_day = (today - HISTORY_DEFAULT_SPAN).isoformat(), today.isoformat()
            self.route = self.guard = self.status = ""
            self.route_options = [{"id": str(r.id), "name": r.name} for r in patrol.routes(session, actor)]
            self.guard_options = [{"id": str(user.id), "name": user.name}
                                  for user, roles in accounts.staff_of_estate(session, actor) if Role.GUARD in roles]
            self._refresh(session, actor)

    def _selection(self) -> tuple:
        return self.route or None, self.guard or None, self.status or None

    def _refresh(self, session: Session, actor) -> None:
        start, end = patrol.day_range(session, actor, self.first_day, self.last_day)
        timezone = estate.estate_of(session, actor).timezone
        found = patrol.history(session, actor, start, end, *self._selection())
        self.rows = [{**row, "day": format_local(r.window_start, timezone, "%m-%d")}
                     for r, row in zip(found[:HISTORY_SHOWN], self._round_rows(found[:HISTORY_SHOWN], timezone))]
        self.shown = self._text("patrol.history_count", shown=len(self.rows), total=len(found))

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
        """Download the rounds the filters choose as CSV."""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                start, end = patrol.day_range(session, actor, self.first_day, self.last_day)
                text = patrol.csv_export(session, actor, start, end, *self._selection(), language=self.lang)
        except DomainError as error:
            self.error = self._say(error)
            return
        return rx.download(data=text, filename=f"patrol-rounds-{self.first_day}-{self.last_day}.csv")

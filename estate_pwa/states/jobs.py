"""Repair jobs and requests on screen: residents report and rate, the office dispatches, technicians work."""

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import reflex as rx
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.core.media import BadImage, data_url_of, photo_data_url, save_png_data_url, thumbnail_data_url
from estate_pwa.models import Area, Building, RequestKind, RequestStatus, Role, ServiceRequest, Unit, User
from estate_pwa.services import estate, jobs
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.validation import positive_id
from estate_pwa.states.session import SessionState

WATCH_SECONDS = 5
PHOTOS_PER_UPLOAD = 3
HOME = "home"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


class JobsView(SessionState):
    """Shared by the job screens: rows for display, a photo opened at full size, and running one service call."""

    server_now: str = ""
    error: str = ""
    full_photo: str = ""

    @rx.event
    def open_photo(self, photo_id: str):
        """Show one request photo at full size, only to someone who may see that request."""
        self.error = ""
        try:
            with session_scope() as session:
                name = jobs.photo_file(session, self._actor(session), photo_id)
        except DomainError as error:
            self.error = self._say(error)
            return
        self.full_photo = photo_data_url(name)
        if not self.full_photo:
            self.error = self._text("error.not_found")

    @rx.event
    def close_photo(self):
        """Close the full-size photo."""
        self.full_photo = ""

    def _rows(self, session: Session, requests: list[ServiceRequest], timezone: str,
              actor=None) -> list[dict[str, str]]:
        """Display rows; with a staff `actor`, each row also carries the reporter's contact."""
        now = utcnow()
        self.server_now = now.isoformat()
        people = {r.technician_id for r in requests} | {r.first_receiver_id for r in requests}
        names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(people - {None}))).all())
        places = self._places(session, requests)
        photos = jobs.photo_files(session, requests)
        rows = []
        for request in requests:
            clock = jobs.clocks(request, now)
            shown = [(str(p.id), src) for p in photos[request.id] if (src := thumbnail_data_url(p.file))]
            waiting_dispatch = request.kind == RequestKind.REPAIR and request.accepted_at is None \
                and request.status in (RequestStatus.RECEIVED, RequestStatus.DISPATCHED)
            deadline = clock.dispatch_deadline if waiting_dispatch else (clock.finish_deadline or
                                                                          clock.feedback_deadline)
            finished = request.status in (RequestStatus.COMPLETED, RequestStatus.CLOSED)
            rows.append({
                "id": str(request.id),
                "title": self._text(f"kind.{request.kind}") + (
                    f" · {self._text(f'category.{request.category}')}" if request.kind == RequestKind.REPAIR else ""),
                "urgency": request.urgency,
                "urgency_label": self._text(f"urgency.{request.urgency}"),
                "status": request.status,
                "status_label": self._text(f"status.{request.status}"),
                "place": places.get(request.id, ""),
                "description": request.description,
                "received": format_local(request.received_at, timezone, "%m-%d %H:%M"),
                "deadline": "" if finished else _iso(deadline),
                "clock_label": self._text("jobs.dispatch_clock" if waiting_dispatch else "jobs.finish_clock"),
                "promised": format_local(request.promised_at, timezone, "%m-%d %H:%M"),
                "postponed": "1" if request.postponements else "",
                "technician": names.get(request.technician_id, ""),
                "first_receiver": names.get(request.first_receiver_id, ""),
                "overdue": "1" if clock.overdue else "",
                "on_time": "" if request.on_time is None else ("1" if request.on_time else "0"),
                "dispatch_met": "" if clock.dispatch_met is None else ("1" if clock.dispatch_met else "0"),
                "reply": request.reply or "",
                "work_done": request.work_done or "",
                "satisfied": "" if request.satisfied is None else ("1" if request.satisfied else "0"),
                "breaches": str(request.breaches) if request.breaches else "",
                "is_repair": "1" if request.kind == RequestKind.REPAIR else "",
                "contact": jobs.contact_of(session, actor, request) if actor is not None else "",
                "late_excused": "1" if clock.dispatch_excused else "",
                "photos": "|".join(src for _, src in shown),
                "photo_ids": "|".join(photo_id for photo_id, _ in shown),
            })
        return rows

    def _local_time(self, session: Session, raw: object) -> datetime:
        """A `datetime-local` input value read in the estate's timezone."""
        actor = self._actor(session)
        if actor is None or not isinstance(raw, str) or len(raw) > 20:
            raise InvalidInput("error.bad_time")
        try:
            naive = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput("error.bad_time") from None
        return naive.replace(tzinfo=ZoneInfo(estate.estate_of(session, actor).timezone))

    @staticmethod
    def _places(session: Session, requests: list[ServiceRequest]) -> dict[int, str]:
        """Where each request is: its unit ('1栋 101'), its common area's name, or both."""
        unit_ids = {r.unit_id for r in requests if r.unit_id}
        area_ids = {r.area_id for r in requests if r.area_id}
        units = {u.id: f"{b.name} {u.number}" for u, b in session.exec(
            select(Unit, Building).join(Building, col(Building.id) == Unit.building_id)
            .where(col(Unit.id).in_(unit_ids)))} if unit_ids else {}
        areas = dict(session.exec(select(Area.id, Area.name).where(col(Area.id).in_(area_ids))).all()) \
            if area_ids else {}
        return {r.id: " ".join(filter(None, (units.get(r.unit_id), areas.get(r.area_id)))) for r in requests}


class ResidentRequestsState(JobsView):
    """A resident's requests: report a new one, follow it, confirm and rate it."""

    requests: list[dict[str, str]] = []
    places: list[dict[str, str]] = []
    previews: list[str] = []
    form_key: int = 0
    _pending: list[str] = []
    _comments: dict[str, str] = {}

    @rx.event
    def load(self):
        """Show the resident's requests."""
        with session_scope() as session:
            actor = self._enter(session, Role.RESIDENT)
            if actor is None:
                return self._send_away(session)
            self._refresh(session, actor)
            self.places = self._home_place(session, actor) + [
                {"value": str(area.id), "label": area.name} for area in jobs.common_areas(session, actor)]
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        self.requests = self._rows(session, jobs.for_resident(session, actor), timezone)

    def _home_place(self, session: Session, actor) -> list[dict[str, str]]:
        """The resident's own unit as the first place to report about (none for a resident without one)."""
        if actor.unit_id is None:
            return []
        home = estate.household(session, actor)
        unit = f"{home.building_name} {home.unit_number}"
        return [{"value": HOME, "label": self._text("jobs.place_home", unit=unit)}]

    @rx.event
    def submit(self, form: dict):
        """Report a repair, complaint or suggestion about the resident's home or a chosen common area."""
        form = self._fields(form)
        photos = list(self._pending)
        area_id = None if form.get("place") == HOME else form.get("place")
        if self._act(lambda session, actor: jobs.submit(
                session, actor, form.get("kind"), form.get("description"), form.get("category") or "other",
                "emergency" if form.get("emergency") == "on" else "routine", area_id, photos=photos)):
            self.form_key += 1
            self._pending, self.previews = [], []
            return rx.toast.success(self._text("jobs.submitted"))

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]):
        """Keep photos for the request being written (shown as thumbnails until it is sent)."""
        self.error = ""
        stored = await self._store_photos(files, "requests", Role.RESIDENT, PHOTOS_PER_UPLOAD - len(self._pending))
        self._pending = self._pending + stored
        self.previews = self.previews + [thumbnail_data_url(name) for name in stored]

    @rx.event
    def note_comment(self, request_id: str, text: str):
        """Keep the comment typed for one request until the resident rates it."""
        if isinstance(request_id, str) and isinstance(text, str) and len(self._comments) < 50:
            self._comments = {**self._comments, request_id[:12]: text[:500]}

    @rx.event
    def rate(self, request_id: str, satisfied: bool):
        """Confirm a finished request as satisfied, or reopen it, with the comment typed for it."""
        comment = self._comments.get(request_id) if isinstance(request_id, str) else None
        if self._act(jobs.rate, request_id, satisfied is True, comment or None):
            self._comments = {}


class TechnicianJobsState(JobsView):
    """A technician's jobs and the pool to claim from; new jobs appear without reloading."""

    my_jobs: list[dict[str, str]] = []
    pool: list[dict[str, str]] = []
    finishing: str = ""
    postponing: str = ""
    excusing: str = ""
    work_previews: list[str] = []
    _pending_work: list[str] = []
    watching: bool = False
    _work: dict[str, str] = {}
    _seen: tuple = ()

    @rx.event
    def load(self):
        """Show the technician's jobs and start watching for new ones."""
        redirect = self._open(Role.TECHNICIAN)
        if redirect is None and not self.watching:
            return TechnicianJobsState.watch
        return redirect

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        mine = jobs.for_technician(session, actor)
        free = jobs.pool(session, actor)
        self._seen = tuple((r.id, r.status) for r in mine + free)
        self.my_jobs = self._rows(session, mine, timezone, actor)
        self.pool = self._rows(session, free, timezone)

    def _snapshot(self) -> tuple | None:
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(Role.TECHNICIAN):
                return None
            mine, free = jobs.for_technician(session, actor), jobs.pool(session, actor)
            return tuple((r.id, r.status) for r in mine + free)

    @rx.event(background=True)
    async def watch(self):
        """Poll the database every few seconds; push the lists only when something changed."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            while True:
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    if self.router.url.path.rstrip("/") != "/technician":
                        return
                    snapshot = self._snapshot()
                    if snapshot is None:
                        return
                    if snapshot != self._seen:
                        with session_scope() as session:
                            self._refresh(session, self._actor(session))
        finally:
            async with self:
                self.watching = False

    @rx.event
    def accept(self, request_id: str):
        """Accept a job (on the way) with the default promise for its category."""
        self._act(jobs.accept, request_id)

    @rx.event
    def claim(self, request_id: str):
        """Take a job from the pool."""
        self._act(jobs.claim, request_id)

    @rx.event
    def pause(self, request_id: str, reason: str):
        """Stop the clock for a resident-caused reason."""
        self._act(jobs.pause, request_id, reason)

    @rx.event
    def resume(self, request_id: str):
        """Restart the clock."""
        self._act(jobs.resume, request_id)

    @rx.event
    def open_postpone(self, request_id: str):
        """Show the postponement form for one job."""
        self.postponing = request_id if isinstance(request_id, str) else ""
        self.finishing = ""

    @rx.event
    def postpone(self, form: dict):
        """Postpone the open job once, to a later local date and time, with a reason."""
        form = self._fields(form)
        try:
            with session_scope() as session:
                when = self._local_time(session, form.get("new_time"))
        except DomainError as error:
            self.error = self._say(error)
            return
        if self._act(jobs.postpone, self.postponing, when, form.get("reason")):
            self.postponing = ""

    @rx.event
    def open_excuse(self, request_id: str):
        """Show the form for a late arrival agreed with the resident."""
        self.excusing = request_id if isinstance(request_id, str) else ""

    @rx.event
    def excuse(self, form: dict):
        """Record why the 3-minute promise cannot be kept and that the resident agreed."""
        form = self._fields(form)
        if self._act(jobs.excuse_late_arrival, self.excusing, form.get("reason"), form.get("consent") == "on"):
            self.excusing = ""

    @rx.event
    async def add_work_photos(self, files: list[rx.UploadFile]):
        """Keep photos of the work for the job being closed."""
        self.error = ""
        stored = await self._store_photos(files, "work", Role.TECHNICIAN,
                                          PHOTOS_PER_UPLOAD - len(self._pending_work))
        self._pending_work = self._pending_work + stored
        self.work_previews = self.work_previews + [thumbnail_data_url(name) for name in stored]

    @rx.event
    def open_finish(self, request_id: str):
        """Show the completion form (work, parts, resident's signature) for one job."""
        self.finishing = request_id if isinstance(request_id, str) else ""
        self.postponing = ""

    @rx.event
    def finish(self, form: dict):
        """Keep the work description, then ask the page for the drawn signature."""
        form = self._fields(form)
        self._work = {"work_done": form.get("work_done"), "parts": form.get("parts")}
        return rx.call_script("window.estateSignature.dataUrl()", callback=TechnicianJobsState.finish_with_signature)

    @rx.event
    def finish_with_signature(self, signature: str):
        """Store the resident's signature (if drawn) and close the job."""
        self.error = ""
        with session_scope() as session:
            actor = self._actor(session)
        if actor is None or not actor.has(Role.TECHNICIAN) or not self.finishing:
            self.error = self._text("error.not_allowed")
            return
        name = None
        if signature:
            try:
                name = save_png_data_url(signature, "signatures")
            except BadImage:
                self.error = self._text("error.bad_signature")
                return
        photos = list(self._pending_work)
        if self._act(lambda session, actor: jobs.complete(
                session, actor, self.finishing, self._work.get("work_done"), self._work.get("parts"), name,
                photos=photos)):
            self.finishing = ""
            self._pending_work, self.work_previews = [], []
            return [rx.call_script("window.estateSignature.clear()"), rx.toast.success(self._text("jobs.closed"))]


class OfficeState(JobsView):
    """The office board: live dispatch countdowns, dispatching, load, overdue work, follow-ups and history."""

    board: list[dict[str, str]] = []
    technicians: list[dict[str, str]] = []
    follow_ups: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    history_title: str = ""
    history_signature: str = ""
    auto_dispatch: bool = False
    show: str = "all"

    @rx.event
    def load(self):
        """Show the board."""
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        rows = self._rows(session, jobs.office_board(session, actor), timezone, actor)
        keep = {"overdue": lambda r: r["overdue"] == "1", "breaches": lambda r: r["breaches"] != "",
                "postponed": lambda r: r["postponed"] == "1"}.get(self.show, lambda r: True)
        self.board = [r for r in rows if keep(r)]
        self.auto_dispatch = estate.estate_of(session, actor).auto_dispatch
        self.technicians = [{"id": str(t.id), "name": t.name, "open": str(n)}
                            for t, n in jobs.technician_load(session, actor)]
        places = self._places(session, [r for _, r in jobs.pending_follow_ups(session, actor)])
        self.follow_ups = [{"id": str(f.id), "request": str(r.id), "place": places.get(r.id, ""),
                            "reason": self._text(f"followup.{f.reason}"), "description": r.description}
                           for f, r in jobs.pending_follow_ups(session, actor)]

    @rx.event
    def refresh(self):
        """Reload the board (the page also calls this every few seconds)."""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                if actor is None or not actor.has(Role.MANAGER):
                    return
                self._refresh(session, actor)
        except DomainError as error:
            self.error = self._say(error)

    @rx.event
    def dispatch(self, request_id: str, technician_id: str):
        """Assign a repair to a technician."""
        self._act(jobs.dispatch, request_id, technician_id)

    @rx.event
    def reply(self, form: dict):
        """Answer a complaint or suggestion."""
        form = self._fields(form)
        self._act(jobs.reply, form.get("request"), form.get("text"))

    @rx.event
    def reschedule(self, form: dict):
        """Move a job's promise (recorded as a breach after its one postponement)."""
        form = self._fields(form)
        try:
            with session_scope() as session:
                when = self._local_time(session, form.get("new_time"))
        except DomainError as error:
            self.error = self._say(error)
            return
        self._act(jobs.reschedule_by_manager, form.get("request"), when, form.get("reason"))

    @rx.event
    def set_show(self, show: str | list[str]):
        """Show all requests, or only the overdue, breached or postponed ones."""
        self.show = show if show in ("all", "overdue", "breaches", "postponed") else "all"
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None and actor.has(Role.MANAGER):
                self._refresh(session, actor)

    @rx.event
    def set_auto_dispatch(self, enabled: bool):
        """Turn automatic dispatch on or off for the estate."""
        self._act(jobs.set_auto_dispatch, enabled is True)

    @rx.event
    def mark_quality(self, request_id: str, passed: bool):
        """Mark a repair's quality pass or fail."""
        self._act(jobs.mark_quality, request_id, passed is True)

    @rx.event
    def record_follow_up(self, form: dict):
        """Record a follow-up visit's outcome."""
        form = self._fields(form)
        self._act(jobs.record_follow_up, form.get("follow_up"), form.get("outcome"),
                  form.get("satisfied") == "yes")

    @rx.event
    def show_history(self, request_id: str):
        """Open one request's full history (from the audit log)."""
        self.error = ""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                entries = jobs.history(session, actor, request_id)
                request = session.get(ServiceRequest, positive_id(request_id))
                timezone = estate.estate_of(session, actor).timezone
                names = dict(session.exec(select(User.id, User.name).where(User.estate_id == actor.estate_id)).all())
                self.history_signature = data_url_of(request.signature_file) if actor.has(Role.MANAGER) else ""
        except DomainError as error:
            self.error = self._say(error)
            return
        self.history_title = f"#{request.id} {request.description[:30]}"
        self.history = [{"when": format_local(e.created_at, timezone, "%m-%d %H:%M"),
                         "who": names.get(e.actor_id, self._text("audit.system")),
                         "what": self._text(f"audit.{e.action}")} for e in entries]

    @rx.event
    def close_history(self):
        """Close the history dialog."""
        self.history = []
        self.history_title = self.history_signature = ""


class FirstReceiverState(JobsView):
    """A staff member's own received requests (首按责任制) and recording a request on a resident's behalf."""

    owned: list[dict[str, str]] = []
    buildings: list[str] = []
    form_key: int = 0

    @rx.event
    def load(self):
        """Show the requests this staff member received first (nothing for residents)."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN):
                self.owned = []
                return
            self._refresh(session, actor)
            self.buildings = [b.name for b in session.exec(
                select(Building).where(Building.estate_id == actor.estate_id).order_by(Building.name))]
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        timezone = estate.estate_of(session, actor).timezone
        self.owned = self._rows(session, jobs.owned_by(session, actor), timezone, actor)

    @rx.event
    def record(self, form: dict):
        """Record a request a resident made in person or by phone; the recorder becomes its first receiver."""
        form = self._fields(form)
        if self._act(jobs.record_for_unit, form.get("building"), form.get("unit"), form.get("kind") or "repair",
                     form.get("description"), "emergency" if form.get("emergency") == "on" else "routine"):
            self.form_key += 1
            return rx.toast.success(self._text("jobs.recorded"))

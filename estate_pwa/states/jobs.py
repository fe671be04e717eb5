"""Repair jobs and requests on screen: residents report and rate, the office dispatches, technicians work.

Thin: each handler resolves the actor, calls services.jobs, and holds the rows it returns (typed, with the
actions the viewer may take). A refresh that finds the same rows assigns nothing, so an idle screen sends nothing.
"""

import asyncio
import hashlib
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.core.media import BadImage, save_png_data_url
from estate_pwa.models import Estate, Role
from estate_pwa.services import jobs, photos
from estate_pwa.services.errors import DomainError, NotAllowed
from estate_pwa.services.jobs import (
    HOME,
    FollowUpRow,
    HistoryEntry,
    Place,
    RequestRow,
    TechnicianChoice,
)
from estate_pwa.services.photos import PhotoLink
from estate_pwa.services.validation import local_time
from estate_pwa.states.session import SessionState

WATCH_SECONDS = 5
PHOTOS_PER_UPLOAD = photos.UPLOAD_LIMIT

__all__ = ["HOME", "FirstReceiverState", "JobsView", "OfficeState", "ResidentRequestsState", "TechnicianJobsState"]


class JobsView(SessionState):
    """Shared by the job screens: the server's time the rows were read at, a message, and holding rows."""

    server_now: str = ""
    error: str = ""

    _held: dict[str, str] = {}
    """A digest of what each held var was last given (a var read back from the state is not the rows given)."""

    def _hold(self, **values) -> bool:
        """Assign the vars whose rows changed (an unchanged var is not sent again); stamp the server's time for
        the countdowns when anything did. Returns whether anything changed."""
        digests = {name: hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()
                   for name, value in values.items()}
        changed = [name for name, digest in digests.items() if self._held.get(name) != digest]
        for name in changed:
            setattr(self, name, values[name])
        if changed:
            self._held = {**self._held, **{name: digests[name] for name in changed}}
            self.server_now = utcnow().isoformat()
        return bool(changed)

    def _local_time(self, raw: object) -> datetime:
        """A `datetime-local` input value read in the estate's timezone (the service checks the actor)."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None:
                raise NotAllowed("error.login_required")
            return local_time(raw, session.get(Estate, actor.estate_id).timezone)


class ResidentRequestsState(JobsView):
    """A resident's requests: report a new one, follow it, confirm and rate it."""

    requests: list[RequestRow] = []
    places: list[Place] = []
    previews: list[PhotoLink] = []
    form_key: int = 0
    _pending: list[str] = []
    _comments: dict[str, str] = {}

    @rx.event
    def load(self):
        """Show the resident's requests and the places to report about."""
        with session_scope() as session:
            actor = self._enter(session, Role.RESIDENT)
            if actor is None:
                return self._send_away(session)
            self._refresh(session, actor)
            self._hold(places=jobs.report_places(session, actor))
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        self._hold(requests=jobs.resident_rows(session, actor))

    @rx.event
    def submit(self, form: dict):
        """Report a repair, complaint or suggestion about the resident's home or a chosen common area."""
        form = self._fields(form)
        photo_names = list(self._pending)
        area_id = None if form.get("place") == HOME else form.get("place")
        if self._act(lambda session, actor: jobs.submit(
                session, actor, form.get("kind"), form.get("description"), form.get("category") or "other",
                "emergency" if form.get("emergency") == "on" else "routine", area_id, photos=photo_names)):
            self.form_key += 1
            self._pending, self.previews = [], []
            return rx.toast.success(self._text("jobs.submitted"))

    @rx.event
    async def add_photos(self, files: list[rx.UploadFile]):
        """Keep photos for the request being written (shown as thumbnails until it is sent)."""
        self.error = ""
        stored = await self._store_photos(files, "requests", Role.RESIDENT, PHOTOS_PER_UPLOAD - len(self._pending))
        self._pending = self._pending + stored
        self.previews = self.previews + photos.links(stored)

    @rx.event
    def note_comment(self, request_id: str, text: str):
        """Keep the comment typed for one request until the resident rates it."""
        if isinstance(request_id, (str, int)) and isinstance(text, str) and len(self._comments) < 50:
            self._comments = {**self._comments, str(request_id)[:12]: text[:500]}

    @rx.event
    def rate(self, request_id: str, satisfied: bool):
        """Confirm a finished request as satisfied, or reopen it, with the comment typed for it."""
        comment = self._comments.get(str(request_id)) if isinstance(request_id, (str, int)) else None
        if self._act(jobs.rate, request_id, satisfied is True, comment or None):
            self._comments = {}


class TechnicianJobsState(JobsView):
    """A technician's jobs and the pool to claim from; new jobs appear without reloading. A cleaner's booked
    services are the same jobs, worked with the same steps on the cleaner's home (no pool there)."""

    my_jobs: list[RequestRow] = []
    pool: list[RequestRow] = []
    finishing: str = ""
    postponing: str = ""
    excusing: str = ""
    work_previews: list[PhotoLink] = []
    _pending_work: list[str] = []
    watching: bool = False
    _work: dict[str, str] = {}

    @rx.event
    def load(self):
        """Show the technician's jobs and start watching for new ones."""
        return self._load(Role.TECHNICIAN)

    @rx.event
    def load_cleaner(self):
        """Show the cleaner's booked jobs and start watching for new ones."""
        return self._load(Role.CLEANER)

    def _load(self, role: Role):
        redirect = self._open(role)
        if redirect is None and not self.watching:
            return TechnicianJobsState.watch
        return redirect

    def _refresh(self, session: Session, actor) -> None:
        mine, free = jobs.technician_rows(session, actor)
        self._hold(my_jobs=mine, pool=free)

    @rx.event(background=True)
    async def watch(self):
        """Re-read the lists every few seconds; only what changed is sent."""
        async with self:
            if self.watching:
                return
            self.watching = True
        try:
            while True:
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    if self.router.url.path.rstrip("/") not in ("/technician", "/cleaner"):
                        return
                    with session_scope() as session:
                        actor = self._actor(session)
                        if actor is None or not actor.has(*jobs.WORKERS):
                            return
                        self._refresh(session, actor)
        finally:
            async with self:
                self.watching = False

    @staticmethod
    def _id(request_id: object) -> str:
        return str(request_id) if isinstance(request_id, (str, int)) and not isinstance(request_id, bool) else ""

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
        self.postponing = self._id(request_id)
        self.finishing = ""

    @rx.event
    def postpone(self, form: dict):
        """Postpone the open job once, to a later local date and time, with a reason."""
        form = self._fields(form)
        try:
            when = self._local_time(form.get("new_time"))
        except DomainError as error:
            self.error = self._say(error)
            return
        if self._act(jobs.postpone, self.postponing, when, form.get("reason")):
            self.postponing = ""

    @rx.event
    def open_excuse(self, request_id: str):
        """Show the form for a late arrival agreed with the resident."""
        self.excusing = self._id(request_id)

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
        stored = await self._store_photos(files, "work", self._worker_role(),
                                          PHOTOS_PER_UPLOAD - len(self._pending_work))
        self._pending_work = self._pending_work + stored
        self.work_previews = self.work_previews + photos.links(stored)

    def _worker_role(self) -> Role:
        """The role in which this person works jobs (technician first)."""
        with session_scope() as session:
            actor = self._actor(session)
        return next((r for r in jobs.WORKERS if actor is not None and actor.has(r)), Role.TECHNICIAN)

    @rx.event
    def open_finish(self, request_id: str):
        """Show the completion form (work, parts, resident's signature) for one job."""
        self.finishing = self._id(request_id)
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
        if actor is None or not actor.has(*jobs.WORKERS) or not self.finishing:
            self.error = self._text("error.not_allowed")
            return
        name = None
        if signature:
            try:
                name = save_png_data_url(signature, "signatures")
            except BadImage:
                self.error = self._text("error.bad_signature")
                return
        work_photos = list(self._pending_work)
        if self._act(lambda session, actor: jobs.complete(
                session, actor, self.finishing, self._work.get("work_done"), self._work.get("parts"), name,
                photos=work_photos)):
            self.finishing = ""
            self._pending_work, self.work_previews = [], []
            return [rx.call_script("window.estateSignature.clear()"), rx.toast.success(self._text("jobs.closed"))]


class OfficeState(JobsView):
    """The office board: live dispatch countdowns, dispatching, load, overdue work, follow-ups and history."""

    board: list[RequestRow] = []
    technicians: list[TechnicianChoice] = []
    follow_ups: list[FollowUpRow] = []
    history: list[HistoryEntry] = []
    history_title: str = ""
    history_signature: str = ""
    auto_dispatch: bool = False
    show: str = "all"

    @rx.event
    def load(self):
        """Show the board; `?request=<id>` (an indicator's drill-down) also opens that request's history."""
        away = self._open(Role.MANAGER)
        wanted = self.router.url.query_parameters.get("request", "")
        if away is None and wanted:
            self._open_history(wanted)
        return away

    def _refresh(self, session: Session, actor) -> None:
        self._hold(board=jobs.office_rows(session, actor, self.show),
                   auto_dispatch=session.get(Estate, actor.estate_id).auto_dispatch,
                   technicians=jobs.technician_choices(session, actor),
                   follow_ups=jobs.follow_up_rows(session, actor))

    @rx.event
    def refresh(self):
        """Re-read the board (the page asks every few seconds); nothing is sent when nothing changed."""
        self._reload()

    def _reload(self) -> None:
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
            when = self._local_time(form.get("new_time"))
        except DomainError as error:
            self.error = self._say(error)
            return
        self._act(jobs.reschedule_by_manager, form.get("request"), when, form.get("reason"))

    @rx.event
    def set_show(self, show: str | list[str]):
        """Show all requests, or only the overdue, breached or postponed ones."""
        self.show = show if show in jobs.BOARD_FILTERS else "all"
        self._reload()

    @rx.event
    def set_auto_dispatch(self, enabled: bool):
        """Turn automatic dispatch on or off for the estate."""
        self._act(jobs.set_auto_dispatch, enabled is True)

    @rx.event
    def mark_quality(self, request_id: str, passed: bool):
        """Mark a repair's quality pass or fail."""
        self._act(jobs.mark_quality, request_id, passed is True)

    @rx.event
    def confirm_complaint(self, request_id: str, effective: bool):
        """Confirm whether a complaint was the service's fault (有效投诉)."""
        self._act(jobs.confirm_complaint, request_id, effective is True)

    @rx.event
    def record_follow_up(self, form: dict):
        """Record a follow-up visit's outcome."""
        form = self._fields(form)
        self._act(jobs.record_follow_up, form.get("follow_up"), form.get("outcome"),
                  form.get("satisfied") == "yes")

    @rx.event
    def show_history(self, request_id: str):
        """Open one request's full history (from the audit log)."""
        self._open_history(request_id)

    def _open_history(self, request_id: object) -> None:
        self.error = ""
        try:
            with session_scope() as session:
                opened = jobs.history_view(session, self._actor(session), request_id)
        except DomainError as error:
            self.error = self._say(error)
            return
        self.history_title, self.history, self.history_signature = opened.title, opened.entries, opened.signature

    @rx.event
    def close_history(self):
        """Close the history dialog."""
        self.history = []
        self.history_title = self.history_signature = ""


class FirstReceiverState(JobsView):
    """A staff member's own received requests (首按责任制) and recording a request on a resident's behalf."""

    owned: list[RequestRow] = []
    buildings: list[str] = []
    form_key: int = 0

    @rx.event
    def load(self):
        """Show the requests this staff member received first (nothing for residents)."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(*jobs.STAFF):
                self._hold(owned=[])
                return
            self._refresh(session, actor)
            self._hold(buildings=jobs.buildings(session, actor))
        self.error = ""

    def _refresh(self, session: Session, actor) -> None:
        self._hold(owned=jobs.owned_rows(session, actor))

    @rx.event
    def record(self, form: dict):
        """Record a request a resident made in person or by phone; the recorder becomes its first receiver."""
        form = self._fields(form)
        if self._act(jobs.record_for_unit, form.get("building"), form.get("unit"), form.get("kind") or "repair",
                     form.get("description"), "emergency" if form.get("emergency") == "on" else "routine"):
            self.form_key += 1
            return rx.toast.success(self._text("jobs.recorded"))

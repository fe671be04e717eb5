"""Thin states of cleaning: the cleaner's day and their scan of an area's code, inspections (an inspector's or a
manager's phone) and the manager's coverage, templates and inspector rights. Field actions (ticks with their
photos, scans, inspections) are queued in the phone's outbox (assets/outbox.js) and recorded by OutboxState.sync,
which tells these screens (`@listens`) what came back; rows come from services.cleaning, which checks every
action."""

from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import cleaning
from estate_pwa.services.cleaning import (
    AreaCard,
    AreaSheet,
    Choice,
    CoverageRow,
    ItemRow,
    PresenceRow,
    ReworkRow,
    StaffRight,
)
from estate_pwa.services.outbox import Outcome
from estate_pwa.services.permissions import Actor
from estate_pwa.states.outbox import claim_outbox, listens
from estate_pwa.states.session import SessionState


@listens
class CleanerState(SessionState):
    """The cleaner's areas of today in walking order; ticks go through the phone's outbox."""

    error: str = ""
    areas: list[AreaCard] = []
    inspector: bool = False
    loaded: bool = False

    @rx.event
    def load(self):
        """Open the cleaner's day; actions this phone queues from now on are theirs."""
        with session_scope() as session:
            actor = self._enter(session, Role.CLEANER)
            if actor is None:
                return self._send_away(session)
            self._refresh(session, actor)
        self.error = ""
        self.loaded = True
        return claim_outbox(actor)

    def _refresh(self, session: Session, actor: Actor) -> None:
        self.areas = cleaning.cleaner_today(session, actor)
        self.inspector = actor.has(*cleaning.INSPECTORS)

    def _outbox_refused(self) -> None:
        self.error = self._text("error.login_required")

    def _synced(self, outcomes: list[Outcome]) -> None:
        """Re-read the day (ticks recorded) and say why any action was refused."""
        outcomes = [o for o in outcomes if o.kind in (cleaning.TICK, cleaning.VISIT, "")]
        if not outcomes:
            return
        refused = [o for o in outcomes if not o.ok]
        self.error = self._say(refused[-1].refusal()) if refused else ""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None and actor.has(Role.CLEANER):
                self._refresh(session, actor)


@listens
class CleaningScanState(SessionState):
    """The cleaner's scanner: scanning an area's posted code marks them there (queued like any field action)."""

    error: str = ""
    seen: str = ""

    @rx.event
    def open_scanner(self):
        """A camera failure the page reported before this (it can reach the server first) stays in sight."""
        camera_failed = self._text("cleaning.camera_failed")
        self.seen, self.error = "", camera_failed if self.error == camera_failed else ""
        with session_scope() as session:
            actor = self._enter(session, Role.CLEANER)
            if actor is None:
                return self._send_away(session)
        return claim_outbox(actor)

    @rx.event
    def camera_failed(self):
        self.error = self._text("cleaning.camera_failed")

    def _outbox_refused(self) -> None:
        self.error = self._text("error.login_required")

    def _synced(self, outcomes: list[Outcome]) -> None:
        visits = [o for o in outcomes if o.kind in (cleaning.VISIT, "")]
        if not visits:
            return
        last = visits[-1]
        if not last.ok:
            self.seen, self.error = "", self._say(last.refusal())
            return
        with session_scope() as session:
            actor = self._actor(session)
            self.seen = cleaning.area_name(session, actor, last.answer.get("area_id")) if actor else ""
        self.error = ""


@listens
class InspectState(SessionState):
    """An inspector's phone (a manager, or staff given the right): every area with its checklist, each a plain form
    that assets/outbox.js queues in the phone's outbox (pass / fail / damage per item, notes, photos), offline too;
    the list is kept on the phone for an offline reload. OutboxState.sync says here what was recorded."""

    error: str = ""
    notice: str = ""
    sheets: list[AreaSheet] = []
    loaded: bool = False

    @rx.event
    def load(self):
        self.notice = ""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is None or not actor.has(*cleaning.INSPECTORS):
                return self._send_away(session)
            self._enter(session, None)
            self.sheets = cleaning.inspection_sheets(session, actor)
        self.error = ""
        self.loaded = True
        return claim_outbox(actor)

    def _outbox_refused(self) -> None:
        self.error = self._text("error.login_required")

    def _synced(self, outcomes: list[Outcome]) -> None:
        """Say whether the inspections sent were recorded (failed items became rework) or why one was refused."""
        done = [o for o in outcomes if o.kind in (cleaning.INSPECTION, "")]
        if not done:
            return
        refused = [o for o in done if not o.ok]
        self.error = self._say(refused[-1].refusal()) if refused else ""
        self.notice = "" if refused else self._text("cleaning.inspected")


class CleaningBoardState(SessionState):
    """The manager's cleaning page: coverage today, rework, presence flags, inspections over time, assigning,
    checklist templates and inspector rights (inspecting is on the inspector's phone, InspectState)."""

    error: str = ""
    rows: list[CoverageRow] = []
    cleaners: list[Choice] = []
    by_cleaner: list[CoverageRow] = []
    rework: list[ReworkRow] = []
    presence: list[PresenceRow] = []
    results: list[dict[str, int | str]] = []
    """Inspection results per day, for the chart (a chart takes plain records)."""
    templates: list[ItemRow] = []
    rights: list[StaffRight] = []
    item_form: int = 0

    @rx.event
    def load(self):
        """Open the page."""
        return self._open(Role.MANAGER)

    def _refresh(self, session: Session, actor: Actor) -> None:
        board = cleaning.board(session, actor)
        self.rows, self.by_cleaner, self.rework = board.areas, board.cleaners, board.rework
        self.presence, self.results = board.presence, [asdict(point) for point in board.results]
        self.cleaners = cleaning.cleaner_choices(session, actor)
        self.templates = cleaning.item_rows(session, actor, active_only=False)
        self.rights = cleaning.staff_rights(session, actor)

    @rx.event
    def assign(self, area_id: int, cleaner_id: str):
        """Make a cleaner responsible for an area from now."""
        self._act(cleaning.assign, area_id, cleaner_id)

    @rx.event
    def add_item(self, form: dict):
        """Add an item to a kind of area's checklist: how often, whether it needs a photo."""
        form = self._fields(form)
        if self._act(cleaning.add_item, form.get("kind"), form.get("text"), form.get("frequency"),
                     form.get("weekdays") or "", form.get("photo") == "on", form.get("rework_hours") or 2):
            self.item_form += 1

    @rx.event
    def set_item_active(self, item_id: int, active: bool):
        """Retire an item from its checklist, or bring it back."""
        self._act(cleaning.set_item_active, item_id, active)

    @rx.event
    def set_inspector(self, user_id: int, on: bool):
        """Give a staff member the inspector right, or take it back."""
        self._act(cleaning.set_inspector, user_id, on)

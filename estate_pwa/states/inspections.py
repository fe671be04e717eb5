"""Thin states of inspections: the inspector's list of today (each task a plain form — intact or defective per
item, notes, photos — that assets/outbox.js queues in the phone's outbox, offline too; the list is kept on the
phone for an offline reload), the scanner of an asset's posted code that opens its due task, and for managers the
plans, overdue tasks and fire equipment nearing expiry. Rows come from services.inspections, which checks every
action; OutboxState.sync records the queued inspections once each (the action's uid is the client id) and tells
these screens (`@listens`) what came back."""

import reflex as rx
from sqlmodel import Session

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import inspections
from estate_pwa.services.errors import DomainError
from estate_pwa.services.inspections import ExpiryRow, PlanRow, TaskRow
from estate_pwa.services.inspections.outbox import ASSET_SCAN, INSPECTION
from estate_pwa.services.outbox import Outcome
from estate_pwa.services.permissions import Actor
from estate_pwa.states.outbox import claim_outbox, listens
from estate_pwa.states.session import SessionState


def _inspector_role(actor: Actor | None) -> Role:
    """The staff role a screen of inspections opens as (residents and strangers are sent away)."""
    return next((r for r in (Role.MANAGER, Role.TECHNICIAN, Role.GUARD, Role.CLEANER)
                 if actor is not None and actor.has(r)), Role.TECHNICIAN)


def _recorded(outcomes: list[Outcome], say, text) -> tuple[str, str] | None:
    """(notice, error) for the inspections a sync answered (None: it answered none)."""
    done = [o for o in outcomes if o.kind in (INSPECTION, "")]
    if not done:
        return None
    last = done[-1]
    if not last.ok:
        return "", say(last.refusal())
    return text("inspections.found_defect" if last.answer.get("defective") else "inspections.all_intact"), ""


@listens
class InspectionsState(SessionState):
    """The inspections page of a technician, guard, cleaner or manager."""

    error: str = ""
    notice: str = ""
    tasks: list[TaskRow] = []
    later: list[TaskRow] = []
    """Open tasks due after today (weekly, monthly), listed apart below today's."""
    loaded: bool = False
    is_manager: bool = False
    plans: list[PlanRow] = []
    overdue: list[TaskRow] = []
    expiring: list[ExpiryRow] = []
    plan_form_key: int = 0

    @rx.event
    def load(self):
        """Open the page for any staff member; what this phone queues from now on is theirs."""
        self.notice = ""
        with session_scope() as session:
            actor = self._actor(session)
            role = _inspector_role(actor)
        refused = self._open(role)
        if refused is not None:
            return refused
        self.loaded = True
        return claim_outbox(actor)

    def _refresh(self, session: Session, actor: Actor) -> None:
        rows = inspections.today_rows(session, actor)
        self.tasks = [row for row in rows if not row.later]
        self.later = [row for row in rows if row.later]
        self.is_manager = inspections.can_plan(actor)
        if self.is_manager:
            self.plans = inspections.plan_rows(session, actor)
            self.overdue = inspections.overdue_rows(session, actor)
            self.expiring = inspections.expiring_rows(session, actor)

    def _outbox_refused(self) -> None:
        self.error = self._text("error.login_required")

    def _synced(self, outcomes: list[Outcome]) -> None:
        """Say what the inspections sent found (a defect raised a repair job) and re-read the list."""
        said = _recorded(outcomes, self._say, self._text)
        if said is None:
            return
        self.notice, self.error = said
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None and actor.has(*inspections.INSPECTORS):
                self._refresh(session, actor)

    @rx.event
    def save_plan(self, form: dict):
        """A manager adds a plan from the form (checklist one item a line, weekdays ticked)."""
        fields = self._fields(form)
        plan = {key: fields.get(key) for key in ("name", "category", "frequency", "items", "role")}
        plan["weekdays"] = [str(d) for d in range(7) if fields.get(f"weekday_{d}") in ("on", True, "true")]
        self.notice = ""
        if self._act(inspections.save_plan, plan):
            self.plan_form_key += 1
            self.notice = self._text("inspections.plan_saved")

    @rx.event
    def toggle_plan(self, plan_id: int, active: bool):
        """Pause or resume a plan."""
        self._act(inspections.set_active, plan_id, active)


@listens
class InspectionScanState(SessionState):
    """The scanner of an asset's posted code: the server checks the code and answers the asset's due task, shown
    here with its form (queued in the phone's outbox like the list's)."""

    error: str = ""
    notice: str = ""
    scanned: list[TaskRow] = []

    @rx.event
    def open_scanner(self):
        """A camera failure the page reported before this (it can reach the server first) stays in sight."""
        camera_failed = self._text("inspections.camera_failed")
        self.error, self.notice, self.scanned = camera_failed if self.error == camera_failed else "", "", []
        with session_scope() as session:
            actor = self._actor(session)
            actor = self._enter(session, _inspector_role(actor))
            if actor is None:
                return self._send_away(session)
        return claim_outbox(actor)

    @rx.event
    def camera_failed(self):
        self.error = self._text("inspections.camera_failed")

    def _outbox_refused(self) -> None:
        self.error = self._text("error.login_required")

    def _synced(self, outcomes: list[Outcome]) -> None:
        """A scan answered: show the asset's due task (re-read for this person) or why the code was refused; an
        inspection answered: say what it found."""
        said = _recorded(outcomes, self._say, self._text)
        if said is not None:
            self.notice, self.error = said
            self.scanned = []
        scans = [o for o in outcomes if o.kind == ASSET_SCAN]
        if not scans:
            return
        last = scans[-1]
        if not last.ok:
            self.scanned, self.notice, self.error = [], "", self._say(last.refusal())
            return
        try:
            with session_scope() as session:
                self.scanned = [inspections.task_row(session, self._actor(session), last.answer.get("task_id"))]
            self.error, self.notice = "", ""
        except DomainError as error:
            self.scanned, self.error = [], self._say(error)

"""Manager screens: overview, staff accounts, units and invites, duty roster. Thin: the services build the rows
(with the actions the manager may take) and enforce every rule."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import reflex as rx

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import STAFF_ROLES, Role
from estate_pwa.services import accounts, estate, oncall, roster
from estate_pwa.services.accounts import StaffRow
from estate_pwa.services.errors import DomainError
from estate_pwa.services.estate import AuditRow, BuildingRow, Stat, UnitRow
from estate_pwa.services.oncall import GapRow
from estate_pwa.services.roster import DutyRow, OnDutyRow, Option
from estate_pwa.states.session import SessionState


class ManagerHomeState(SessionState):
    """Counts, who is on duty now, and the latest audit entries."""

    stats: list[Stat] = []
    on_duty: list[OnDutyRow] = []
    recent: list[AuditRow] = []
    error: str = ""

    @rx.event
    def load(self):
        """Read the overview of the manager's estate."""
        return self._open(Role.MANAGER)

    def _refresh(self, session, actor) -> None:
        home = estate.overview(session, actor, utcnow())
        self.stats, self.on_duty, self.recent = home.stats, home.on_duty, home.recent


class StaffAdminState(SessionState):
    """Staff accounts of the estate: create, disable/enable, reset password."""

    staff: list[StaffRow] = []
    error: str = ""
    reset_name: str = ""
    reset_password_shown: str = ""
    form_key: int = 0

    def _clear_reset(self) -> None:
        self.reset_name = self.reset_password_shown = ""

    @rx.event
    def load(self):
        """List the estate's staff."""
        self._clear_reset()
        return self._open(Role.MANAGER)

    def _refresh(self, session, actor) -> None:
        self.staff = accounts.staff_rows(session, actor)

    @rx.event
    def create(self, form: dict):
        """Create a staff account from the form (roles are the ticked checkboxes)."""
        form = self._fields(form)
        self._clear_reset()
        roles = [r.value for r in STAFF_ROLES if form.get(f"role_{r.value}") in ("on", True, "true")]
        if self._act(accounts.create_staff, form.get("name"), form.get("phone"), roles, form.get("password")):
            self.form_key += 1
            return rx.toast.success(self._text("staff.created"))

    @rx.event
    def set_active(self, user_id: int | str, active: bool):
        """Disable or re-enable one account."""
        self._clear_reset()
        self._act(accounts.set_active, user_id, active is True)

    @rx.event
    def reset_password(self, user_id: int | str):
        """Reset one account's password and show the temporary one to the manager."""
        self._clear_reset()
        self._act(self._reset_password, user_id)

    def _reset_password(self, session, actor, user_id: int | str) -> None:
        reset = accounts.reset_password_of(session, actor, user_id)
        self.reset_name, self.reset_password_shown = reset.name, reset.password


class UnitsState(SessionState):
    """Buildings and units, with a printable invite QR code per unit (an image served by link)."""

    buildings: list[BuildingRow] = []
    building: str = "all"
    search: str = ""
    units: list[UnitRow] = []
    page: int = 0
    has_more: bool = False
    invite_unit: str = ""
    invite_code: str = ""
    invite_qr: str = ""
    invite_expiry: str = ""
    invite_open: bool = False
    error: str = ""

    @rx.event
    def load(self):
        """List buildings and the first page of units."""
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            self.buildings = estate.building_rows(session, actor)
        self.page = 0
        self._fill(replace=True)

    def _fill(self, replace: bool) -> None:
        building_id = int(self.building) if self.building.isdigit() else None
        try:
            with session_scope() as session:
                rows = estate.unit_rows(session, self._actor(session), building_id, self.search, self.page)
        except DomainError as error:
            self.error = self._say(error)
            return
        self.units = rows if replace else self.units + rows
        self.has_more = len(rows) == estate.UNIT_PAGE

    @rx.event
    def set_filter(self, building: str):
        """Show one building (or all)."""
        valid = isinstance(building, str) and (building == "all" or (building.isascii() and building.isdigit()
                                                                    and len(building) <= 9))
        self.building = building if valid else "all"
        self.page = 0
        self._fill(replace=True)

    @rx.event
    def set_search(self, text: str):
        """Filter by unit number as the manager types."""
        self.search = text[:20] if isinstance(text, str) else ""
        self.page = 0
        self._fill(replace=True)

    @rx.event
    def more(self):
        """Load the next page of units."""
        self.page += 1
        self._fill(replace=False)

    @rx.event
    def invite(self, unit_id: int | str):
        """Issue a fresh invite code for a unit and show it as a QR code to print."""
        self._act(self._show_invite, unit_id)

    def _refresh(self, session, actor) -> None:
        """Issuing an invite changes nothing the list of units shows."""

    def _show_invite(self, session, actor, unit_id: int | str) -> None:
        parts = urlsplit(str(self.router.url))
        card = accounts.issue_invite_card(session, actor, unit_id, f"{parts.scheme}://{parts.netloc}")
        self.invite_unit, self.invite_code, self.invite_qr = card.unit, card.code, card.qr_url
        self.invite_expiry = card.expires_on
        self.invite_open = True

    @rx.event
    def close_invite(self):
        """Hide the invite dialog."""
        self.invite_open = False
        self.invite_code = self.invite_qr = ""


class RosterState(SessionState):
    """One day of the duty roster, with adding and removing assignments, and the technicians' on-call cover
    (adding on-call shifts, putting a technician on one for a run of days)."""

    day: str = ""
    weekday: str = ""
    duties: list[DutyRow] = []
    people: list[Option] = []
    shift_options: list[Option] = []
    cover_gaps: list[GapRow] = []
    on_call_now: list[str] = []
    technicians: list[Option] = []
    on_call_shifts: list[Option] = []
    oncall_notice: str = ""
    oncall_error: str = ""
    oncall_key: int = 0
    error: str = ""
    _day: date | None = None

    @rx.event
    def load(self):
        """Show today's roster in the estate's timezone."""
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            self._day = roster.local_today(session, actor.estate_id, utcnow())
        self.oncall_notice = self.oncall_error = ""
        self._fill()

    def _fill(self) -> None:
        """Read the day shown."""
        try:
            with session_scope() as session:
                self._refresh(session, self._actor(session))
        except DomainError as error:
            self.error = self._say(error)

    def _refresh(self, session, actor) -> None:
        self.duties = roster.day_rows(session, actor, self._day)
        cover = oncall.cover_card(session, actor)
        self.cover_gaps, self.on_call_now = cover.gaps, cover.on_call_now
        options, on_call = roster.choices(session, actor), oncall.on_call_choices(session, actor)
        self.people, self.shift_options = options.people, options.shifts
        self.technicians, self.on_call_shifts = on_call.technicians, on_call.shifts
        self.day = self._day.isoformat()
        self.weekday = f"weekday.{self._day.weekday()}"

    @rx.event
    def shift_day(self, days: int):
        """Move the view by a number of days (at most a year either way)."""
        if self._day is None or not isinstance(days, int) or abs(days) > 366:
            return
        self._day += timedelta(days=days)
        self._fill()

    def _loaded(self) -> bool:
        """Whether a day is shown. A change sent before the page's own load (a quick tap while a slow phone is still
        connecting) loads today's roster first, the day the page opens on, rather than losing the form."""
        if self._day is None:
            self.load()
        if self._day is None:  # not a manager: refused
            self.error = self._text("error.bad_request")
        return self._day is not None

    @rx.event
    def add(self, form: dict):
        """Assign a person to a shift in a role on the day shown."""
        form = self._fields(form)
        if self._loaded():
            self._act(roster.assign, form.get("user"), form.get("shift"), self._day, form.get("role"))

    @rx.event
    def remove(self, assignment_id: int | str):
        """Remove one assignment."""
        if self._loaded():
            self._act(roster.unassign, assignment_id)

    def _on_call(self, done_key: str, action, *args, **params: object) -> None:
        """`_act` for the on-call forms: the message shows under them; a done change clears the forms."""
        if not self._loaded():
            return
        self.oncall_notice = ""
        done = self._act(action, *args)
        self.oncall_error, self.error = ("", self.error) if done else (self.error, "")
        if done:
            self.oncall_notice = self._text(done_key, **params)
            self.oncall_key += 1

    @rx.event
    def add_on_call_shift(self, form: dict):
        """Add an on-call shift (值班) from its name and times."""
        form = self._fields(form)
        self._on_call("oncall.shift_added", oncall.add_on_call_shift, form.get("name"), form.get("starts"),
                      form.get("ends"))

    @rx.event
    def remove_on_call_shift(self, shift_id: int | str):
        """Remove an on-call shift nobody was ever put on."""
        self._on_call("oncall.shift_removed", oncall.remove_on_call_shift, shift_id)

    @rx.event
    def put_on_call(self, form: dict):
        """Put a technician on an on-call shift for a run of days from the first day chosen."""
        form = self._fields(form)
        days = form.get("days")
        self._on_call("oncall.put_done", oncall.put_on_call, form.get("user"), form.get("shift"),
                      form.get("first_day"), days, days=str(days).strip())

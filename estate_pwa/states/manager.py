"""Manager screens: overview, staff accounts, units and invites, duty roster."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import reflex as rx
from sqlmodel import select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.core.qr import qr_data_url
from estate_pwa.models import STAFF_ROLES, Role, User
from estate_pwa.routes import JOIN
from estate_pwa.services import accounts, audit, estate, roster
from estate_pwa.services.errors import DomainError
from estate_pwa.services.validation import positive_id
from estate_pwa.states.session import SessionState


class ManagerHomeState(SessionState):
    """Counts, who is on duty now, and the latest audit entries."""

    stats: list[dict[str, str]] = []
    on_duty: list[dict[str, str]] = []
    recent: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Read the overview of the manager's estate."""
        now = utcnow()
        with session_scope() as session:
            actor = self._enter(session, Role.MANAGER)
            if actor is None:
                return self._send_away(session)
            counts = estate.summary(session, actor)
            timezone = estate.estate_of(session, actor).timezone
            duties = roster.on_duty(session, actor.estate_id, None, now)
            entries = audit.recent(session, actor.estate_id, 10)
            names = dict(session.exec(select(User.id, User.name).where(User.estate_id == actor.estate_id)).all())
        self.stats = [
            {"label": self._text("manager.buildings"), "value": str(counts.buildings)},
            {"label": self._text("manager.units"), "value": str(counts.units)},
            {"label": self._text("manager.occupied"), "value": str(counts.occupied_units)},
            {"label": self._text("manager.residents"), "value": str(counts.residents)},
            {"label": self._text("manager.staff"), "value": str(counts.staff)},
            {"label": self._text("manager.facilities"),
             "value": f"{counts.facilities_in_order}/{counts.facilities}"},
        ]
        self.on_duty = [
            {"name": d.user_name, "role": self._text(f"role.{d.role.value}"),
             "until": self._text("home.shift_until", shift=d.shift_name,
                                 until=format_local(d.ends_at, timezone, "%H:%M"))}
            for d in duties
        ]
        self.recent = [
            {"when": format_local(e.created_at, timezone, "%m-%d %H:%M"),
             "who": names.get(e.actor_id, self._text("audit.system")),
             "what": self._text(f"audit.{e.action}")}
            for e in entries
        ]


class StaffAdminState(SessionState):
    """Staff accounts of the estate: create, disable/enable, reset password."""

    staff: list[dict[str, str]] = []
    error: str = ""
    notice: str = ""
    form_key: int = 0

    @rx.event
    def load(self):
        """List the estate's staff."""
        self.notice = ""
        return self._open(Role.MANAGER)

    def _refresh(self, session, actor) -> None:
        self.staff = [
            {"id": str(user.id), "name": user.name, "phone": user.phone,
             "roles": "、".join(self._text(f"role.{r.value}") for r in sorted(roles)),
             "active": "1" if user.is_active else "", "is_self": "1" if user.id == actor.id else ""}
            for user, roles in accounts.staff_of_estate(session, actor)
        ]

    @rx.event
    def create(self, form: dict):
        """Create a staff account from the form (roles are the ticked checkboxes)."""
        form = self._fields(form)
        self.notice = ""
        roles = [r.value for r in STAFF_ROLES if form.get(f"role_{r.value}") in ("on", True, "true")]
        if self._act(accounts.create_staff, form.get("name"), form.get("phone"), roles, form.get("password")):
            self.form_key += 1
            return rx.toast.success(self._text("staff.created"))

    @rx.event
    def set_active(self, user_id: str, active: bool):
        """Disable or re-enable one account."""
        self.notice = ""
        self._act(accounts.set_active, user_id, active is True)

    @rx.event
    def reset_password(self, user_id: str):
        """Reset one account's password and show the temporary one to the manager."""
        self.notice = ""
        self._act(self._reset_password, user_id)

    def _reset_password(self, session, actor, user_id: str) -> None:
        password = accounts.reset_password(session, actor, user_id)
        user = session.get(User, positive_id(user_id))
        self.notice = self._text("staff.reset_done", name=user.name, password=password)


class UnitsState(SessionState):
    """Buildings and units, with a printable invite QR code per unit."""

    buildings: list[dict[str, str]] = []
    building: str = "all"
    search: str = ""
    units: list[dict[str, str]] = []
    page: int = 0
    has_more: bool = False
    invite_title: str = ""
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
            self.buildings = [{"id": str(b.id), "name": b.name} for b in estate.buildings(session, actor)]
        self.page = 0
        self._fill(replace=True)

    def _fill(self, replace: bool) -> None:
        building_id = int(self.building) if self.building.isdigit() else None
        try:
            with session_scope() as session:
                rows = estate.units(session, self._actor(session), building_id, self.search, self.page)
        except DomainError as error:
            self.error = self._say(error)
            return
        found = [
            {"id": str(unit.id), "label": f"{building.name} {unit.number}",
             "area": self._text("units.area", area=f"{unit.area_m2:g}"),
             "residents": self._text("units.residents", count=count) if count else self._text("units.vacant")}
            for unit, building, count in rows
        ]
        self.units = found if replace else self.units + found
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
    def invite(self, unit_id: str):
        """Issue a fresh invite code for a unit and show it as a QR code to print."""
        self._act(self._show_invite, unit_id)

    def _refresh(self, session, actor) -> None:
        """Issuing an invite changes nothing the list of units shows."""

    def _show_invite(self, session, actor, unit_id: str) -> None:
        code = accounts.issue_invite(session, actor, unit_id)
        label = next((u["label"] for u in self.units if u["id"] == str(code.unit_id)), "")
        timezone = estate.estate_of(session, actor).timezone
        parts = urlsplit(str(self.router.url))
        link = f"{parts.scheme}://{parts.netloc}{JOIN}?code={code.code}"
        self.invite_title = self._text("units.invite_for", unit=label)
        self.invite_code = code.code
        self.invite_qr = qr_data_url(link)
        self.invite_expiry = self._text("units.invite_expires", when=format_local(code.expires_at, timezone, "%Y-%m-%d"))
        self.invite_open = True

    @rx.event
    def close_invite(self):
        """Hide the invite dialog."""
        self.invite_open = False
        self.invite_code = self.invite_qr = ""


class RosterState(SessionState):
    """One day of the duty roster, with adding and removing assignments."""

    day_label: str = ""
    duties: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    shift_options: list[dict[str, str]] = []
    role_options: list[dict[str, str]] = []
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
            self.people = [{"id": str(u.id), "name": u.name} for u, _ in accounts.staff_of_estate(session, actor)
                           if u.is_active]
            self.shift_options = [
                {"id": str(s.id), "name": f"{s.name} {s.starts:%H:%M}–{s.ends:%H:%M}"}
                for s in roster.shifts(session, actor.estate_id)
            ]
        self.role_options = [{"id": r.value, "name": self._text(f"role.{r.value}")} for r in STAFF_ROLES]
        self._fill()

    def _fill(self) -> None:
        """Read the day shown."""
        try:
            with session_scope() as session:
                self._refresh(session, self._actor(session))
        except DomainError as error:
            self.error = self._say(error)

    def _refresh(self, session, actor) -> None:
        duties = roster.day_roster(session, actor, self._day)
        timezone = estate.estate_of(session, actor).timezone
        self.day_label = f"{self._day.year}-{self._day_label(self._day)}"
        self.duties = [
            {"id": str(d.assignment_id), "name": d.user_name, "role": self._text(f"role.{d.role.value}"),
             "shift": d.shift_name,
             "hours": f"{format_local(d.starts_at, timezone, '%H:%M')}–{format_local(d.ends_at, timezone, '%H:%M')}"}
            for d in duties
        ]

    @rx.event
    def shift_day(self, days: int):
        """Move the view by a number of days (at most a year either way)."""
        if self._day is None or not isinstance(days, int) or abs(days) > 366:
            return
        self._day += timedelta(days=days)
        self._fill()

    def _loaded(self) -> bool:
        """Whether a day is shown; changes sent before the roster was loaded are refused."""
        if self._day is None:
            self.error = self._text("error.bad_request")
        return self._day is not None

    @rx.event
    def add(self, form: dict):
        """Assign a person to a shift in a role on the day shown."""
        form = self._fields(form)
        if self._loaded():
            self._act(roster.assign, form.get("user"), form.get("shift"), self._day, form.get("role"))

    @rx.event
    def remove(self, assignment_id: str):
        """Remove one assignment."""
        if self._loaded():
            self._act(roster.unassign, assignment_id)

"""Home screens of guards, cleaners and technicians: duty status and upcoming shifts."""

import reflex as rx

from estate_pwa.core.clock import format_local, to_local, utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import estate, roster
from estate_pwa.states.session import SessionState


class StaffHomeState(SessionState):
    """What a staff member sees first: are they on duty, until when, and their next shifts."""

    loaded: bool = False
    on_duty: bool = False
    duty_line: str = ""
    shifts: list[dict[str, str]] = []

    @rx.event
    def load_guard(self):
        """Home of a guard."""
        return self._load(Role.GUARD)

    @rx.event
    def load_cleaner(self):
        """Home of a cleaner."""
        return self._load(Role.CLEANER)

    @rx.event
    def load_technician(self):
        """Home of a technician."""
        return self._load(Role.TECHNICIAN)

    def _load(self, role: Role):
        now = utcnow()
        with session_scope() as session:
            actor = self._enter(session, role)
            if actor is None:
                return self._send_away(session)
            timezone = estate.estate_of(session, actor).timezone
            current = roster.on_duty(session, actor.estate_id, role, now, user_id=actor.id)
            upcoming = [d for d in roster.upcoming_for(session, actor, now) if d.role == role]
        self.loaded = True
        self.on_duty = bool(current)
        self.duty_line = self._text(
            "home.shift_until", shift=current[0].shift_name, until=format_local(current[0].ends_at, timezone, "%H:%M"),
        ) if current else ""
        self.shifts = [
            {
                "day": self._day_label(to_local(d.starts_at, timezone).date()),
                "shift": d.shift_name,
                "hours": f"{format_local(d.starts_at, timezone, '%H:%M')}–{format_local(d.ends_at, timezone, '%H:%M')}",
            }
            for d in upcoming[:7]
        ]

"""Home screens of guards, cleaners and technicians: duty status and upcoming shifts (rows from the roster)."""

import reflex as rx

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import roster
from estate_pwa.services.roster import ShiftRow
from estate_pwa.states.session import SessionState


class StaffHomeState(SessionState):
    """What a staff member sees first: are they on duty, until when, and their next shifts."""

    loaded: bool = False
    on_duty: bool = False
    duty_shift: str = ""
    duty_until: str = ""
    shifts: list[ShiftRow] = []

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
        with session_scope() as session:
            actor = self._enter(session, role)
            if actor is None:
                return self._send_away(session)
            status = roster.duty_status(session, actor, role, utcnow())
        self.loaded = True
        self.on_duty, self.duty_shift, self.duty_until = status.on_duty, status.shift, status.until
        self.shifts = status.shifts

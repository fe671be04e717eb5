"""The resident's home: their unit and household."""

import reflex as rx

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import estate
from estate_pwa.states.session import SessionState


class ResidentHomeState(SessionState):
    """A resident's own unit, nothing else."""

    unit_line: str = ""
    members: list[str] = []

    @rx.event
    def load(self):
        """Show the resident's unit and who lives there."""
        with session_scope() as session:
            actor = self._enter(session, Role.RESIDENT)
            if actor is None:
                return self._send_away(session)
            home = estate.household(session, actor)
        self.unit_line = self._text("resident.unit", building=home.building_name, unit=home.unit_number,
                                    area=f"{home.area_m2:g}")
        self.members = home.members

"""The resident's home: their unit and household."""

import reflex as rx

from estate_pwa.core.db import session_scope
from estate_pwa.models import Role
from estate_pwa.services import estate
from estate_pwa.states.session import SessionState


class ResidentHomeState(SessionState):
    """A resident's own unit, nothing else (the page words it in the device's language)."""

    building: str = ""
    unit: str = ""
    area: str = ""
    members: list[str] = []

    @rx.event
    def load(self):
        """Show the resident's unit and who lives there."""
        with session_scope() as session:
            actor = self._enter(session, Role.RESIDENT)
            if actor is None:
                return self._send_away(session)
            home = estate.household(session, actor)
        self.building, self.unit, self.area = home.building_name, home.unit_number, home.area
        self.members = home.members

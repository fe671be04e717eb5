"""The Me page: profile, language, switching between one's roles, password, logout."""

import asyncio

import reflex as rx

from estate_pwa.core.db import session_scope
from estate_pwa.services import accounts
from estate_pwa.services.errors import DomainError
from estate_pwa.states.session import SessionState


def _change_password(token: str, current: object, new: object) -> None:
    with session_scope() as session:
        accounts.change_password(session, accounts.resolve(session, token), current, new, keep_token=token)


class MeState(SessionState):
    """Profile and password change."""

    password_error: str = ""
    form_key: int = 0

    @rx.event
    def load(self):
        """Show the profile of whoever holds this device's token."""
        with session_scope() as session:
            if self._enter(session, None) is None:
                return self._send_away(session)
        self.password_error = ""

    @rx.event
    async def change_password(self, form: dict):
        """Change one's own password after proving the current one (hashing off the event loop)."""
        form = self._fields(form)
        self.password_error = ""
        token = self.token
        try:
            await asyncio.to_thread(_change_password, token, form.get("current"), form.get("new"))
        except DomainError as error:
            self.password_error = self._say(error)
            return
        self.form_key += 1
        return rx.toast.success(self._text("me.password_saved"))

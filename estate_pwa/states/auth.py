"""Logging in with a phone number, and residents joining with an invite code."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.core.db import session_scope
from estate_pwa.services import accounts
from estate_pwa.services.errors import DomainError
from estate_pwa.states.session import SessionState


class LoginState(SessionState):
    """The login form."""

    error: str = ""

    @rx.event
    def submit(self, form: dict):
        """Check the phone number and password; on success keep the token on the device."""
        form = self._fields(form)
        self.error = ""
        try:
            with session_scope() as session:
                actor, token = accounts.login(session, form.get("phone"), form.get("password"))
        except DomainError as error:
            self.error = self._say(error)
            return
        self.token = token
        return rx.redirect(routes.home_of(actor.roles), replace=True)


class JoinState(SessionState):
    """A resident's sign-up with a one-time invite code (typed, or carried in the QR code's link)."""

    error: str = ""
    code: str = ""

    @rx.event
    def load(self):
        """Prefill the code from `?code=` when the page was opened from a scanned QR code."""
        code = self.router.url.query_parameters.get("code", "")
        self.code = code[:16] if isinstance(code, str) else ""
        self.error = ""

    @rx.event
    def submit(self, form: dict):
        """Create the resident's account in the invited unit and log them in."""
        form = self._fields(form)
        self.error = ""
        try:
            with session_scope() as session:
                actor, token = accounts.redeem_invite(
                    session, form.get("code"), form.get("name"), form.get("phone"), form.get("password"),
                )
        except DomainError as error:
            self.error = self._say(error)
            return
        self.token = token
        return rx.redirect(routes.home_of(actor.roles), replace=True)

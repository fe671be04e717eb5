"""Logging in with a phone number, and residents joining with an invite code."""

import asyncio

import reflex as rx

from estate_pwa import routes
from estate_pwa.core.db import session_scope
from estate_pwa.services import accounts
from estate_pwa.services.errors import DomainError
from estate_pwa.states.session import SessionState


def _login(phone: object, password: object):
    with session_scope() as session:
        return accounts.login(session, phone, password)


def _join(code: object, name: object, phone: object, password: object):
    with session_scope() as session:
        return accounts.redeem_invite(session, code, name, phone, password)


class LoginState(SessionState):
    """The login form."""

    error: str = ""

    @rx.event
    async def submit(self, form: dict):
        """Check the phone number and password (hashing off the event loop); on success keep the token."""
        form = self._fields(form)
        self.error = ""
        try:
            actor, token = await asyncio.to_thread(_login, form.get("phone"), form.get("password"))
        except DomainError as error:
            self.error = self._say(error)
            return
        await self._forget_screens()
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
    async def submit(self, form: dict):
        """Create the resident's account in the invited unit and log them in (hashing off the event loop)."""
        form = self._fields(form)
        self.error = ""
        try:
            actor, token = await asyncio.to_thread(
                _join, form.get("code"), form.get("name"), form.get("phone"), form.get("password"))
        except DomainError as error:
            self.error = self._say(error)
            return
        await self._forget_screens()
        self.token = token
        return rx.redirect(routes.home_of(actor.roles), replace=True)

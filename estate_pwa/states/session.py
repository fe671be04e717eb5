"""The device's session: its token and language, and who is asking, resolved on the server."""

import asyncio
from datetime import date

import reflex as rx
from sqlmodel import Session

from estate_pwa import routes
from estate_pwa.core.db import session_scope
from estate_pwa.core.media import MAX_BYTES, BadImage
from estate_pwa.i18n import LANGUAGES, tr
from estate_pwa.models import Role
from estate_pwa.services import accounts, estate, photos
from estate_pwa.services.errors import DomainError
from estate_pwa.services.permissions import Actor


class SessionState(rx.State):
    """Root of the app's states. The token is the only credential; ids and roles stay on the server."""

    token: str = rx.LocalStorage("", name="estate_token")
    lang: str = rx.LocalStorage("zh", name="estate_lang")
    user_name: str = ""
    estate_name: str = ""
    role_labels: list[str] = []
    view_roles: list[str] = []
    nav_role: str = ""

    def _actor(self, session: Session) -> Actor | None:
        """Who holds this device's token, checked against the database on every call."""
        return accounts.resolve(session, self.token)

    def _say(self, error: DomainError) -> str:
        """A refusal as a sentence in the user's language."""
        return tr(error.key, self.lang, **error.params)

    def _text(self, key: str, **params: object) -> str:
        return tr(key, self.lang, **params)

    @staticmethod
    def _fields(form: object) -> dict:
        """A submitted form as a dict of its fields ({} for anything else a client may send)."""
        return form if isinstance(form, dict) else {}

    def _day_label(self, day: date) -> str:
        """A calendar day with its translated weekday, e.g. '11-25 周三'."""
        return f"{day:%m-%d} {self._text(f'weekday.{day.weekday()}')}"

    def _show(self, session: Session, actor: Actor) -> None:
        """Fill the display-only fields of the header and the Me page."""
        self.user_name = actor.name
        self.estate_name = estate.estate_of(session, actor).name
        ordered = [r for r in routes.HOME_PRIORITY if r in actor.roles]
        self.role_labels = [self._text(f"role.{r.value}") for r in ordered]
        self.view_roles = [r.value for r in ordered]

    def _enter(self, session: Session, role: Role | None) -> Actor | None:
        """Resolve the actor for a page of `role` (None: any logged-in person); None if they may not see it."""
        actor = self._actor(session)
        if actor is None or (role is not None and role not in actor.roles):
            return None
        self._show(session, actor)
        if role is not None:
            self.nav_role = role.value
        elif self.nav_role not in self.view_roles:
            self.nav_role = self.view_roles[0]
        return actor

    def _open(self, role: Role):
        """Open a screen of `role`: re-read it for whoever holds the token and clear its message, or send them
        away (returns the redirect)."""
        with session_scope() as session:
            actor = self._enter(session, role)
            if actor is None:
                return self._send_away(session)
            self._refresh(session, actor)
        self.error = ""

    def _refresh(self, session: Session, actor: Actor) -> None:
        """Re-read what a screen shows; screens that use `_act` say what."""
        raise NotImplementedError

    def _act(self, action, *args) -> bool:
        """Call `action(session, actor, *args)` for whoever holds the token, then re-read the screen.

        A refusal becomes the screen's `error` message; returns whether the action went through.
        """
        self.error = ""
        try:
            with session_scope() as session:
                actor = self._actor(session)
                action(session, actor, *args)
                session.flush()
                self._refresh(session, actor)
        except DomainError as error:
            self.error = self._say(error)
            return False
        return True

    async def _store_photos(self, files: object, folder: str, role: Role, room: int) -> list[str]:
        """Store up to `room` uploaded photos for a logged-in `role` (resized off the event loop, so the worker
        keeps serving others); a bad photo sets `error` and the good ones are kept."""
        with session_scope() as session:
            actor = self._actor(session)
        if actor is None or not actor.has(role) or not isinstance(files, list):
            self.error = self._text("error.not_allowed")
            return []
        stored = []
        for upload in files[:max(0, room)]:
            try:
                stored.append(await asyncio.to_thread(photos.store, await upload.read(MAX_BYTES + 1), folder))
            except (BadImage, AttributeError, TypeError):
                self.error = self._text("error.bad_photo")
        return stored

    async def _forget_screens(self) -> None:
        """Clear what every screen of this tab holds (on logout, and before someone else's session starts)."""
        waiting = list(SessionState.get_substates())
        while waiting:
            screen = waiting.pop()
            waiting.extend(screen.get_substates())
            (await self.get_state(screen)).reset()

    @rx.event
    async def forget(self):
        """Drop the dead session of this tab and everything its screens held. Nothing to do when the tab holds no
        token (already forgotten: each screen of a page may ask, and a late ask must not wipe the login screen's
        message) or a live one (logged in since)."""
        if not self.token:
            return
        with session_scope() as session:
            if accounts.resolve(session, self.token) is not None:
                return
        await self._drop_session()

    async def _drop_session(self) -> None:
        await self._forget_screens()
        self.token = ""
        self.user_name = self.estate_name = self.nav_role = ""
        self.role_labels = []
        self.view_roles = []

    def _send_away(self, session: Session):
        """Redirect someone who may not see a page: to login (forgetting the tab's data), or to their own home."""
        actor = self._actor(session)
        if actor is None:
            return [rx.redirect(routes.LOGIN, replace=True), SessionState.forget]
        return [rx.redirect(routes.home_of(actor.roles), replace=True),
                rx.toast.error(self._text("error.not_allowed"))]

    @rx.event
    def enter_app(self):
        """Root URL and the login page: logged-in devices go straight to their home."""
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None:
                return rx.redirect(routes.home_of(actor.roles), replace=True)
        if self.router.url.path == "/":
            return rx.redirect(routes.LOGIN, replace=True)

    @rx.event
    def switch_language(self):
        """Toggle between Chinese and English; the choice stays on the device."""
        self.lang = LANGUAGES[(LANGUAGES.index(self.lang) + 1) % len(LANGUAGES)] if self.lang in LANGUAGES else "zh"
        with session_scope() as session:
            actor = self._actor(session)
            if actor is not None:
                self._show(session, actor)

    @rx.event
    async def logout(self):
        """Revoke this device's session, forget every screen's data and return to the login page."""
        with session_scope() as session:
            accounts.logout(session, self.token)
        await self._drop_session()
        return rx.redirect(routes.LOGIN, replace=True)

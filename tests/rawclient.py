"""A socket.io client that speaks Reflex's event protocol directly, as any connected client can.

Knowing when the server has answered an event: Reflex 0.10 sends no end-of-event marker (`StateUpdate.final` is
deprecated and never sent), and a handler that changes nothing sends nothing at all. But one client's events run
one after another, in the order they arrive, and their updates come back in that order. So after each event the
client sends a *marker*: Reflex's own `set_is_hydrated` of its on-load substate with a unique number, whose update
echoes that number. When the echo arrives, everything the event sent has arrived. Events the handler chained on
the server are queued behind the first marker, so markers are sent again until two in a row find nothing new in
between. Marker echoes are kept out of `updates`; the flag they set is only read by a browser's frontend.
"""

import asyncio
import itertools
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio
from reflex.state import OnLoadInternalState, State
from sqlmodel import Session, col, func, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import AuditEntry, Role
from estate_pwa.services import accounts
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from estate_pwa.states.session import SessionState

HYDRATE = "reflex___state____state.hydrate_and_load"
MARKER = f"{OnLoadInternalState.get_full_name()}.set_is_hydrated"
ROOT = State.get_full_name()
HYDRATED = "is_hydrated_rx_state_"
MARKER_TIMEOUT = 30.0
QUIET_MARKERS = 2
"""Markers in a row with nothing new before them: the event and whatever it chained are done."""
_markers = itertools.count(uuid.uuid4().int % 10**9 * 1000 + 2)  # never 0 or 1, so never mistaken for a bool


class RawClient:
    """One 'browser tab' that may call any handler of any state with any arguments."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client_token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: list[dict[str, Any]] = []
        self._markers: dict[int, asyncio.Future] = {}
        self.sio.on("event", self._on_update, namespace="/_event")

    async def _on_update(self, data: dict[str, Any]) -> None:
        root = (data.get("delta") or {}).get(ROOT) or {}
        marker = root.get(HYDRATED)
        if type(marker) is int and marker in self._markers:
            self._markers.pop(marker).set_result(None)
            rest = {key: value for key, value in root.items() if key != HYDRATED}
            data = {**data, "delta": {**data["delta"], ROOT: rest}}
            if not rest:
                del data["delta"][ROOT]
            if not data["delta"]:
                del data["delta"]
            if not any(data.values()):
                return
        self.updates.append(data)

    async def _marker(self, page: str) -> None:
        """Send one marker and wait for its echo: everything queued before it has been answered."""
        number = next(_markers)
        echoed = self._markers[number] = asyncio.get_running_loop().create_future()
        await self._emit(MARKER, {"value": number}, page)
        await asyncio.wait_for(echoed, MARKER_TIMEOUT)

    async def _settle(self, page: str) -> None:
        """Wait until the server has answered the last event and everything it set off."""
        quiet = 0
        while quiet < QUIET_MARKERS:
            seen = len(self.updates)
            await self._marker(page)
            quiet = quiet + 1 if len(self.updates) == seen else 0

    async def _emit(self, name: str, payload: dict[str, Any], page: str) -> None:
        await self.sio.emit(
            "event", {"name": name, "payload": payload, "router_data": {"pathname": page, "asPath": page}},
            namespace="/_event",
        )

    async def connect(self, device_token: str = "", page: str = "/login") -> None:
        """Connect and hydrate like a browser whose local storage holds `device_token`."""
        await self.sio.connect(
            f"{self.base_url}?token={self.client_token}", socketio_path="/_event",
            namespaces=["/_event"], transports=["websocket"],
        )
        await self.send(HYDRATE, {"vars": {f"{SessionState.get_full_name()}.token_rx_state_": device_token}}, page)

    async def send(self, name: str, payload: dict[str, Any], page: str = "/login") -> None:
        """Send one event and wait until the server has sent everything it answers."""
        await self._emit(name, payload, page)
        await self._settle(page)

    async def call(self, state: type, handler: str, page: str = "/login", **kwargs: Any) -> None:
        """Call `state.handler(**kwargs)` directly, whatever page the client is on."""
        await self.send(f"{state.get_full_name()}.{handler}", kwargs, page)

    def received(self) -> str:
        """Everything the server has sent so far, as one string to search."""
        return repr(self.updates)

    async def close(self) -> None:
        """Disconnect."""
        await self.sio.disconnect()


def run(coroutine):
    """Run a coroutine to completion on its own thread (Playwright's sync API may own this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def call_all(app_url: str, token: str, calls: list) -> list[tuple[str, str]]:
    """Make every call `(state, handler, page, kwargs)` on one connection; returns, per call, its name and
    everything the server answered it."""
    client = RawClient(app_url)
    answers = []
    try:
        await client.connect(token, page="/login")
        for state, handler, page, kwargs in calls:
            seen = len(client.updates)
            try:
                await client.send(f"{state.get_full_name()}.{handler}", kwargs, page)
            except TimeoutError:
                raise AssertionError(f"no answer to {state.__name__}.{handler}({str(kwargs)[:80]})") from None
            answers.append((f"{state.__name__}.{handler}({str(kwargs)[:60]})", repr(client.updates[seen:])))
        return answers
    finally:
        await client.close()


def login_token(db_url: str, phone: str, password: str) -> str:
    """A device token for a person, as logging in on a phone would give it."""
    with Session(get_engine(db_url)) as session:
        return accounts.login(session, phone, password)[1]


FORGED_TOKEN = "A" * 43
NEW_STAFF = {"guard": Role.GUARD, "technician": Role.TECHNICIAN, "cleaner": Role.CLEANER}


def token_as(db_url: str, who: str, accounts: dict[str, Callable[[str], tuple[str, str]]] | None = None) -> str:
    """A device token for a caller the authorisation tests try: "anonymous" (none), "forged token", the demo's
    "manager" and "resident", a new "guard", "technician" or "cleaner" account, or one of the test's own
    (`accounts`: who → a function of the database URL giving a phone and password)."""
    from tests.e2e.conftest import staff_account

    if accounts and who in accounts:
        return login_token(db_url, *accounts[who](db_url))
    if who == "anonymous":
        return ""
    if who == "forged token":
        return FORGED_TOKEN
    if who == "manager":
        return login_token(db_url, *DEMO_ACCOUNTS[0][:2])
    if who == "resident":
        return login_token(db_url, *DEMO_RESIDENT[:2])
    return login_token(db_url, *staff_account(db_url, NEW_STAFF[who]))


def log_size(app) -> int:
    """Where the running app's log ends now."""
    return app.log.stat().st_size


def log_since(app, since: int) -> str:
    """What the running app logged after `log_size` said `since`."""
    with app.log.open("rb") as log:
        log.seek(since)
        return log.read().decode(errors="replace")


def actions_by_people(session: Session) -> int:
    """How many actions people have had recorded (refusals aside). The system's own entries (the scheduler closing
    patrol rounds, public reports) are left out: they happen while a test runs, whatever its callers do."""
    return session.exec(select(func.count()).select_from(AuditEntry).where(
        col(AuditEntry.actor_id).is_not(None), col(AuditEntry.action).not_like("%_refused"))).one()

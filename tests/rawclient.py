"""A socket.io client that speaks Reflex's event protocol directly, as any connected client can."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio

from estate_pwa.states.session import SessionState

HYDRATE = "reflex___state____state.hydrate_and_load"
FIRST_REPLY = 3.0
QUIET = 0.4


class RawClient:
    """One 'browser tab' that may call any handler of any state with any arguments."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client_token = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.updates: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self.sio.on("event", self._on_update, namespace="/_event")

    async def _on_update(self, data: dict[str, Any]) -> None:
        self.updates.append(data)
        self._arrived.set()

    async def _settle(self) -> None:
        """Wait for a first update (a handler that changes nothing sends none), then for a quiet moment."""
        try:
            await asyncio.wait_for(self._arrived.wait(), FIRST_REPLY)
        except TimeoutError:
            return
        while True:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), QUIET)
            except TimeoutError:
                return

    async def connect(self, device_token: str = "", page: str = "/login") -> None:
        """Connect and hydrate like a browser whose local storage holds `device_token`."""
        await self.sio.connect(
            f"{self.base_url}?token={self.client_token}", socketio_path="/_event",
            namespaces=["/_event"], transports=["websocket"],
        )
        await self.send(HYDRATE, {"vars": {f"{SessionState.get_full_name()}.token_rx_state_": device_token}}, page)

    async def send(self, name: str, payload: dict[str, Any], page: str = "/login") -> None:
        """Send one event and wait until the server has sent everything it answers."""
        self._arrived.clear()
        await self.sio.emit(
            "event", {"name": name, "payload": payload, "router_data": {"pathname": page, "asPath": page}},
            namespace="/_event",
        )
        await self._settle()

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

"""The benchmark's yardstick: a handler doing the least a real one does. It lives outside the shipped package and
is registered only in the app the benchmark runs (bench/app.py), so it never exists in a deployment."""

import asyncio
import json

import reflex as rx

from estate_pwa.core.db import session_scope
from estate_pwa.models import User
from estate_pwa.services import accounts, audit
from estate_pwa.states.patrol import SYNC_BATCH_MAX, UID_MAX
from estate_pwa.states.session import SessionState

ACTION = "bench_insert"


class BenchState(SessionState):
    """Takes the same payload as ScanState.sync, resolves the actor the same way and inserts one row."""

    message: str = ""
    last_uids: str = ""

    @rx.event
    async def insert(self, items: list):
        """Write one audit entry naming the items' uids for whoever holds the token, then acknowledge them (the
        database work off the event loop, as ScanState.sync does it)."""
        if not isinstance(items, list) or not items:
            return
        uids = [uid for uid in (self._fields(item).get("uid") for item in items[:SYNC_BATCH_MAX])
                if isinstance(uid, str) and len(uid) <= UID_MAX]
        if not await asyncio.to_thread(_insert_row, self.token, uids):
            self.message = self._text("error.login_required")
            return
        self.message = self._text("patrol.outcome_counted")
        self.last_uids = " ".join(uids)
        return rx.call_script(f"window.estateOutbox.ack({json.dumps(uids)})")


def _insert_row(token: str, uids: list[str]) -> bool:
    """One audit row for whoever holds `token`; False when the token names nobody."""
    with session_scope() as session:
        actor = accounts.resolve(session, token)
        if actor is None:
            return False
        audit.record(session, actor.estate_id, session.get(User, actor.id), ACTION, "user", actor.id, uids=uids)
    return True

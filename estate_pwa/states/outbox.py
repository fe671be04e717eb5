"""The one sync path of the phone's offline outbox (assets/outbox.js): the outbox component on every field screen
sends the queue to OutboxState.sync, which hands it to services.outbox.dispatch and tells the phone which uids to
drop. A feature's screen state shows what came back by registering with `@listens` and defining
`_synced(outcomes)` (the guard's scanner shows each scan's answer; the cleaner's day re-reads its tasks) and
`_outbox_refused()` (nobody logged in)."""

import asyncio
import json

import reflex as rx

from estate_pwa.core.db import session_scope
from estate_pwa.services import accounts, outbox
from estate_pwa.services.outbox import Outcome
from estate_pwa.states.session import SessionState


def _sync(token: str, items: list) -> tuple[list[Outcome] | None, str]:
    """Dispatch the queue; with the answers, a fresh photo ticket for a field worker ("" for anyone else)."""
    outcomes = outbox.dispatch(token, items)
    if outcomes is None:
        return None, ""
    with session_scope() as session:
        actor = accounts.resolve(session, token)
        ticket = outbox.photo_ticket(actor) if actor is not None and actor.has(*outbox.FIELD_ROLES) else ""
    return outcomes, ticket


def claim_outbox(actor) -> rx.event.EventSpec:
    """Tell the phone's outbox whose actions it takes from now on (a shared duty phone keeps each person's apart)."""
    return rx.call_script(f"window.estateOutbox.setOwner({json.dumps(outbox.owner_tag(actor))})")


_listeners: list[type] = []


def listens(state: type) -> type:
    """Class decorator: `state` is told what every sync answered (its `_synced`, `_outbox_refused`)."""
    _listeners.append(state)
    return state


class OutboxState(SessionState):
    """The outbox of whichever field screen is open: every sync comes here."""

    @rx.event
    async def sync(self, items: list):
        """Record what waits in the phone's outbox, each action exactly once, and tell the phone which to drop.

        Every item gets its answer from its feature (a refusal is an answer too, kept and audited there); an item
        that got no answer (not logged in, another person's on a shared phone, a failure) stays queued. The
        database work runs off the event loop, so the worker keeps serving other phones meanwhile."""
        if not isinstance(items, list):
            return None
        outcomes, ticket = await asyncio.to_thread(_sync, self.token, items)
        for state in _listeners:
            screen = await self.get_state(state)
            if outcomes is None:
                screen._outbox_refused()
            elif outcomes:
                screen._synced(outcomes)
        if outcomes is None:  # nothing taken: the phone may send it again at the next trigger
            return rx.call_script("window.estateOutbox.ack([], null)")
        return rx.call_script(
            f"window.estateOutbox.ack({json.dumps(outbox.answered(outcomes))}, {json.dumps(ticket)})")

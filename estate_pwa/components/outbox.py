"""The phone's offline outbox on screen: how many actions wait (filled in by assets/outbox.js) and the hidden
trigger that sends them to OutboxState.sync when the page opens, after each action and when the
connection returns. The notice is shown by outbox.js's rule on <html data-outbox-waiting>, never by the page's
own render, so it stays visible whatever the page does, offline reloads included."""

import reflex as rx

from estate_pwa.components.i18n import t
from estate_pwa.components.layout import card
from estate_pwa.states.outbox import OutboxState


def outbox() -> rx.Component:
    """The "N actions saved on this phone, will send when online" notice (hidden when none wait) and the sender
    (OutboxState.sync, the one sync path)."""
    send = rx.call_script("window.estateOutbox.pending()", callback=OutboxState.sync)
    return rx.fragment(
        rx.box(
            rx.hstack(
                rx.icon("cloud-upload", size=16),
                rx.text(rx.el.span(data_outbox_count="", data_testid="outbox-count"), " ",
                        t("outbox.waiting"), size="2"),
                align="center", spacing="2",
            ),
            data_outbox_box="",
            data_testid="outbox-notice",
            role="status",
            style={"display": "none"},
            padding="8px 12px",
            border_radius="8px",
            background="var(--amber-3)",
            width="100%",
        ),
        rx.el.button(id="outbox-sync", on_click=send, on_mount=send, hidden=True, aria_hidden="true", tab_index=-1),
    )


def kept_on_phone(name: str, loaded: rx.Var, *children: rx.Component) -> rx.Component:
    """A person's list of today kept on the phone for offline use (assets/outbox.js keeps its copy for the
    outbox's owner whenever it changes): once the server has answered (`loaded`) the live list; before that — an
    offline reload — the last copy kept, whose buttons and forms queue actions like the live ones, or "loading"."""
    return rx.cond(
        loaded,
        rx.vstack(*children, data_outbox_keep=name, width="100%", spacing="3"),
        rx.fragment(
            rx.box(data_outbox_kept=name, width="100%"),
            card(rx.text(t("common.loading"), size="2", color="var(--gray-11)"), data_outbox_fallback=""),
        ),
    )

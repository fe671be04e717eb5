"""The phone's queue of patrol scans on screen: how many wait (filled in by assets/scanqueue.js) and the hidden
trigger that sends them to ScanState.sync when the page opens, after each scan and when the connection returns."""

import reflex as rx

from estate_pwa.components.i18n import t
from estate_pwa.states.patrol import ScanState


def scan_queue() -> rx.Component:
    """The "N scans saved on this phone" notice (hidden when none wait) and the sender."""
    send = rx.call_script("window.estateScans.pending()", callback=ScanState.sync)
    return rx.fragment(
        rx.box(
            rx.hstack(
                rx.icon("cloud-upload", size=16),
                rx.text(rx.el.span(data_scan_queue="", data_testid="scan-queue-count"), " ",
                        t("patrol.queue_waiting"), size="2"),
                align="center", spacing="2",
            ),
            data_scan_queue_box="",
            style={"display": "none"},
            padding="8px 12px",
            border_radius="8px",
            background="var(--amber-3)",
            width="100%",
        ),
        rx.el.button(id="scan-sync", on_click=send, on_mount=send, hidden=True, aria_hidden="true", tab_index=-1),
    )

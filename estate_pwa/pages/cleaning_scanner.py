"""The cleaner's scanner of an area's posted code: its own module, so no other page carries the scanner's weight."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import app_page, card, form_error
from estate_pwa.components.outbox import outbox
from estate_pwa.components.qr_scanner import qr_scanner
from estate_pwa.models import Role
from estate_pwa.services.cleaning import VISIT
from estate_pwa.states.cleaning import CleaningScanState


@rx.page(route=routes.CLEANER_SCAN, title=page_title("title.cleaning_scan"), on_load=CleaningScanState.open_scanner)
def cleaner_scan() -> rx.Component:
    """Camera view: the area's code scanned marks the cleaner there (queued offline like every field action)."""
    return app_page(
        Role.CLEANER,
        routes.CLEANER,
        "cleaning.scan_title",
        outbox(),
        rx.text(t("cleaning.scan_hint"), size="2", color="var(--gray-11)"),
        rx.box(qr_scanner(kind=VISIT, on_error=CleaningScanState.camera_failed), width="100%", max_width="340px",
               margin="0 auto"),
        form_error(CleaningScanState.error),
        rx.cond(CleaningScanState.seen != "", card(rx.hstack(
            rx.icon("map-pin-check", size=32, color="var(--green-9)"),
            rx.vstack(rx.text(CleaningScanState.seen, size="4", weight="bold", data_testid="seen-area"),
                      rx.text(t("cleaning.presence_recorded"), size="2"), spacing="1"),
            align="center",
        ))),
        rx.link(t("cleaning.back_to_day"), href=routes.CLEANER, size="2"),
    )

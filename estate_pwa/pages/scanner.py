"""The guard's in-app scanner: its own module, so no other page carries the scanner's weight."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import app_page, card, section_title
from estate_pwa.components.qr_scanner import qr_scanner
from estate_pwa.components.outbox import outbox
from estate_pwa.models import Role
from estate_pwa.pages.patrol import scan_message
from estate_pwa.states.patrol import ScanState


def _result() -> rx.Component:
    answer = ScanState.answer
    return rx.cond(
        answer.message != "",
        card(rx.hstack(
            rx.cond(answer.counted, rx.icon("circle-check", size=48, color="var(--green-9)"),
                    rx.icon("circle-alert", size=48, color="var(--amber-9)")),
            rx.vstack(
                rx.text(answer.point, size="5", weight="bold"),
                rx.text(scan_message(answer), size="2", data_testid="scan-message"),
                spacing="1",
            ),
            rx.spacer(),
            rx.text(answer.progress, size="7", weight="bold", data_testid="scan-progress"),
            align="center", width="100%",
        )),
    )


def _recent() -> rx.Component:
    return rx.cond(ScanState.recent.length() > 0, rx.vstack(
        section_title("patrol.recent_scans"),
        card(rx.foreach(ScanState.recent, lambda row: rx.hstack(
            rx.cond(row.counted, rx.icon("check", size=16, color="var(--green-9)"),
                    rx.icon("x", size=16, color="var(--amber-9)")),
            rx.text(rx.cond(row.point != "", row.point, "—"), size="2", weight="medium"),
            rx.spacer(),
            rx.text(scan_message(row), size="1", color="var(--gray-11)"),
            rx.text(rx.cond(row.counted, row.progress, ""), size="2", weight="bold"),
            align="center", width="100%", data_testid="recent-scan",
        ))),
        width="100%", spacing="2",
    ))


@rx.page(route=routes.GUARD_SCAN, title=page_title("title.scanner"), on_load=ScanState.open_scanner)
def guard_scan() -> rx.Component:
    """Camera view, the last scan's result and progress, the scans of this session and the offline queue."""
    return app_page(
        Role.GUARD,
        routes.GUARD_SCAN,
        "patrol.scan_title",
        outbox(),
        rx.text(t("patrol.scan_aim"), size="2", color="var(--gray-11)"),
        rx.box(qr_scanner(on_error=ScanState.camera_failed), width="100%", max_width="340px", margin="0 auto"),
        _result(),
        _recent(),
        rx.text(t("patrol.scan_hint"), size="1", color="var(--gray-11)"),
    )

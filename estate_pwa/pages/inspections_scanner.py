"""The inspector's scanner of an asset's posted code: its own module, so no other page carries the scanner's
weight. The code read is queued in the phone's outbox; the server checks it and answers the asset's due task,
shown here with its form."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.layout import app_page, form_error
from estate_pwa.components.outbox import outbox
from estate_pwa.components.qr_scanner import qr_scanner
from estate_pwa.pages.inspections import task_card
from estate_pwa.services.inspections.outbox import ASSET_SCAN
from estate_pwa.states.inspections import InspectionScanState


@rx.page(route=routes.INSPECTIONS_SCAN, title=page_title("title.inspections_scan"),
         on_load=InspectionScanState.open_scanner)
def inspections_scan() -> rx.Component:
    """Camera view: the asset's code scanned opens its due inspection (refused: another estate's or a revoked code)."""
    return app_page(
        None,
        routes.INSPECTIONS,
        "inspections.scan",
        outbox(),
        rx.text(t("inspections.scan_hint"), size="2", color="var(--gray-11)"),
        rx.box(qr_scanner(kind=ASSET_SCAN, on_error=InspectionScanState.camera_failed), width="100%",
               max_width="340px", margin="0 auto"),
        rx.cond(InspectionScanState.notice != "", rx.callout(InspectionScanState.notice, color_scheme="green",
                                                            role="status")),
        form_error(InspectionScanState.error),
        rx.foreach(InspectionScanState.scanned, task_card),
        rx.link(t("inspections.back_to_list"), href=routes.INSPECTIONS, size="2"),
    )

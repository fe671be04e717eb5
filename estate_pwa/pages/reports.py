"""Public reports on staff screens (widgets, no page of their own): the cleaner's open reports on their home, and
the managers' list with handling times, the area code sheet and revoking a code on the cleaning page. The public
form itself is plain HTML served by estate_pwa/http_reports.py."""

import reflex as rx

from estate_pwa.components.i18n import t, t_fill, t_key
from estate_pwa.components.layout import card, form_error, section_title
from estate_pwa.components.photos import thumbnails
from estate_pwa.models import ReportCategory
from estate_pwa.services.reports import STATES, ReportRow
from estate_pwa.states.reports import (
    AssetCodesState,
    CleanerReportsState,
    ReportsBoardState,
)

CATEGORY_KEYS = [f"reports.category_{c.value}" for c in ReportCategory]
STATE_KEYS = [f"reports.state_{s}" for s in STATES]
STATE_COLOURS = {"handled": "green", "with_cleaner": "amber", "with_office": "amber", "repair_waiting": "red",
                 "repair_working": "blue", "received": "gray"}


def _download(label: rx.Var, href: rx.Var) -> rx.Component:
    """A code sheet's download link (a signed /files/ link, fetched as a document, not by the app's router)."""
    return rx.link(rx.hstack(rx.icon("printer", size=14), label, align="center", spacing="1"),
                   href=href, reload_document=True, download=True, size="2", white_space="nowrap")


def _head(row: ReportRow) -> rx.Component:
    return rx.hstack(
        rx.badge(t_key("reports.category_" + row.category, CATEGORY_KEYS), color_scheme="red", size="2"),
        rx.text(row.place, size="3", weight="bold"),
        rx.spacer(),
        rx.text(row.received, size="1", color="var(--gray-11)"),
        width="100%", align="center", wrap="wrap",
    )


def _cleaner_row(row: ReportRow) -> rx.Component:
    return card(
        _head(row),
        rx.cond(row.description != "", rx.text(row.description, size="2")),
        rx.cond(row.photos.length() > 0, thumbnails(row.photos)),
        rx.cond(row.actions.contains("handle"),
                rx.button(rx.icon("check", size=16), t("reports.handle"), size="3", width="100%",
                          on_click=CleanerReportsState.handle(row.id))),
    )


def cleaner_reports() -> rx.Component:
    """Widget: problems reported from the cleaner's areas' codes, each a task until handled."""
    return rx.vstack(
        rx.cond(
            CleanerReportsState.reports.length() > 0,
            rx.vstack(
                section_title("reports.cleaner_title"),
                form_error(CleanerReportsState.error),
                rx.foreach(CleanerReportsState.reports, _cleaner_row),
                width="100%", spacing="3",
            ),
        ),
        on_mount=CleanerReportsState.load, width="100%", spacing="0",
    )


def _manager_row(row: ReportRow) -> rx.Component:
    return card(
        _head(row),
        rx.cond(row.description != "", rx.text(row.description, size="2")),
        rx.cond(row.photos.length() > 0, thumbnails(row.photos)),
        rx.hstack(
            rx.badge(t_key("reports.state_" + row.state, STATE_KEYS),
                     color_scheme=rx.match(row.state, *STATE_COLOURS.items(), "gray")),
            rx.cond(row.minutes != "", rx.text(t_fill("reports.minutes", minutes=row.minutes), size="1")),
            rx.cond(row.contact != "", rx.text(t_fill("reports.contact_is", contact=row.contact), size="1")),
            rx.spacer(),
            rx.cond(row.actions.contains("handle"),
                    rx.button(t("reports.handle"), size="2", variant="soft",
                              on_click=ReportsBoardState.handle(row.id))),
            width="100%", align="center", wrap="wrap",
        ),
    )


def manager_reports() -> rx.Component:
    """Widget: the last 30 days' public reports, how fast they were handled, the area code sheet, revoking."""
    return rx.vstack(
        section_title("reports.manager_title"),
        card(
            rx.text(t_fill("reports.summary", total=ReportsBoardState.total.to(str),
                           open=ReportsBoardState.open.to(str)), size="2"),
            rx.cond(ReportsBoardState.median_minutes != "",
                    rx.text(t_fill("reports.speed", median=ReportsBoardState.median_minutes,
                                   slowest=ReportsBoardState.slowest_minutes), size="2")),
            rx.text(t("reports.speed_definition"), size="1", color="var(--gray-11)"),
            rx.hstack(
                _download(t("reports.print_area_codes"), ReportsBoardState.sheet_url),
                rx.spacer(),
                rx.select.root(
                    rx.select.trigger(placeholder=t("reports.choose_area"), aria_label=t("reports.choose_area")),
                    rx.select.content(rx.foreach(ReportsBoardState.areas,
                                                 lambda a: rx.select.item(a.name, value=a.id))),
                    value=ReportsBoardState.revoke_area, on_change=ReportsBoardState.choose_area, size="2",
                ),
                rx.button(t("reports.revoke_code"), size="2", variant="soft", color_scheme="red",
                          on_click=ReportsBoardState.revoke, disabled=ReportsBoardState.revoke_area == ""),
                width="100%", align="center", wrap="wrap",
            ),
            rx.cond(ReportsBoardState.notice != "", rx.callout(ReportsBoardState.notice, color_scheme="green",
                                                               size="1")),
            form_error(ReportsBoardState.error),
        ),
        rx.foreach(ReportsBoardState.reports, _manager_row),
        rx.box(on_mount=ReportsBoardState.load),
        width="100%", spacing="3",
    )


def asset_codes() -> rx.Component:
    """Widget: the printable sheet of every asset's code (anyone scanning one can report a problem with it)."""
    return card(
        rx.text(t("reports.asset_codes_title"), weight="bold", size="3"),
        rx.text(t("reports.asset_codes_hint"), size="1", color="var(--gray-11)"),
        _download(t("reports.print_asset_codes"), AssetCodesState.sheet_url),
        on_mount=AssetCodesState.load,
    )

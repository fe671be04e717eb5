"""Incidents and SOS on screen: guards' SOS alerts (on every manager screen), incident cards and the managers'
open incidents panel."""

import reflex as rx

from estate_pwa.components.i18n import t
from estate_pwa.components.photos import thumbnails
from estate_pwa.models import IncidentCategory, IncidentStatus
from estate_pwa.states.incidents import OpenIncidentsState, SosAlertsState

POLL_MS = 3000
CATEGORY_COLOURS = {"security": "red", "fire_alarm": "orange", "violation": "amber", "facility_damage": "blue",
                    "other": "gray"}


def _poller(handler) -> rx.Component:
    """Calls `handler` when the screen opens and every POLL_MS after (each call is one indexed query)."""
    return rx.moment(interval=POLL_MS, on_change=handler, display="none")


def _sos_row(alert) -> rx.Component:
    """A waiting SOS alert (an incidents.SosRow) with its acknowledge button when the viewer may."""
    return rx.hstack(
        rx.icon("siren", size=22),
        rx.vstack(
            rx.text(t("sos.banner"), " · ", alert.guard, weight="bold", size="3"),
            rx.text(rx.cond(alert.point != "", alert.point, t("sos.no_point")), " · ", alert.at, size="2"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(alert.actions.contains("acknowledge"),
                rx.button(t("sos.acknowledge"), on_click=SosAlertsState.acknowledge(alert.id), size="2",
                          color_scheme="gray", variant="surface", high_contrast=True)),
        align="center",
        width="100%",
        data_testid="sos-alert",
    )


def sos_banner() -> rx.Component:
    """Unacknowledged SOS alerts (guard, checkpoint, time) with an acknowledge button; appears within a few seconds
    on every open manager screen."""
    return rx.fragment(
        _poller(SosAlertsState.poll),
        rx.cond(
            SosAlertsState.alerts.length() > 0,
            rx.vstack(
                rx.foreach(SosAlertsState.alerts, _sos_row),
                role="alert",
                spacing="3",
                padding="12px 16px",
                background="var(--red-9)",
                color="white",
                position="sticky",
                top="0",
                z_index="15",
                width="100%",
            ),
        ),
    )


def category_badge(row) -> rx.Component:
    """An incident's category (a key of the row) in its colour and the device's language."""
    return rx.match(
        row.category,
        *[(category, rx.badge(t(f"incident.category_{category}"), color_scheme=colour))
          for category, colour in CATEGORY_COLOURS.items()],
        rx.badge(row.category),
    )


def incident_status(row) -> rx.Component:
    """An incident's status (a key of the row) in the device's language."""
    return rx.match(row.status, *[(s.value, t(f"incident.status_{s.value}")) for s in IncidentStatus], row.status)


def incident_card(row, *actions: rx.Component) -> rx.Component:
    """One incident (an incidents.IncidentRow): category, text, photos, reporter, checkpoint and time."""
    return rx.card(
        rx.vstack(
            rx.hstack(category_badge(row), rx.spacer(), rx.text("#", row.id, size="1", color="var(--gray-11)"),
                      width="100%", align="center"),
            rx.text(row.text, size="2"),
            rx.cond(row.photos.length() > 0, thumbnails(row.photos)),
            rx.text(row.reporter, " · ", rx.cond(row.point != "", row.point + " · ", ""), row.at,
                    size="1", color="var(--gray-11)"),
            *actions,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid="incident-card",
    )


def _close_form(row) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="incident", value=row.id),
            rx.input(name="note", placeholder=t("incident.close_note"), aria_label=t("incident.close_note"),
                     max_length=500, flex="1"),
            rx.button(t("incident.close"), type="submit", size="2", color_scheme="green"),
            spacing="2", width="100%",
        ),
        rx.match(row.category, *[(category.value, rx.el.label(
            rx.checkbox(name="serious", size="1", aria_label=t(f"incident.serious_{category.value}")),
            rx.text(t(f"incident.serious_{category.value}"), size="1"),
            display="flex", gap="6px", align_items="center", margin_top="6px"))
            for category in (IncidentCategory.SECURITY, IncidentCategory.FIRE_ALARM)], rx.fragment()),
        on_submit=OpenIncidentsState.close,
        reset_on_submit=True,
        width="100%",
    )


def open_incidents_panel() -> rx.Component:
    """The estate's open incidents, newest first, each closable with a note; new ones appear without reloading
    (put `section_title("incident.open_title")` above it)."""
    return rx.vstack(
        _poller(OpenIncidentsState.poll),
        rx.foreach(OpenIncidentsState.open_incidents, lambda row: incident_card(
            row, rx.cond(row.actions.contains("close"), _close_form(row)))),
        rx.cond(
            OpenIncidentsState.open_incidents.length() == 0,
            rx.card(rx.text(t("incident.none_open"), size="2", color="var(--gray-11)"), width="100%"),
        ),
        spacing="3",
        width="100%",
    )

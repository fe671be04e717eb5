"""Incident screens: the guard's report form with its SOS button, and the manager's list of open incidents."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.alerts import incident_card, incident_status
from estate_pwa.components.i18n import page_title, t
from estate_pwa.components.photos import photo_picker
from estate_pwa.components.layout import app_page, card, form_error, section_title
from estate_pwa.models import IncidentCategory, Role
from estate_pwa.services.incidents import MAX_PHOTOS, TEXT_MAX
from estate_pwa.states.incidents import NO_POINT, GuardIncidentState

PHOTO_UPLOAD = "incident-photos"
POINT_CHOOSER = "incident-point"


def _sos_card() -> rx.Component:
    """A big red button that asks once more before calling every manager."""
    return card(
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button(
                rx.icon("siren", size=28), t("sos.button"), type="button", color_scheme="red", size="4",
                width="100%", height="88px", style={"font-size": "24px"},
            )),
            rx.alert_dialog.content(
                rx.alert_dialog.title(t("sos.confirm_title")),
                rx.alert_dialog.description(t("sos.confirm_text")),
                rx.flex(
                    rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                     size="3")),
                    rx.alert_dialog.action(rx.button(t("sos.confirm"), color_scheme="red", size="3",
                                                     on_click=GuardIncidentState.raise_sos)),
                    gap="3", justify="end", margin_top="16px",
                ),
                max_width="360px",
            ),
        ),
        rx.cond(GuardIncidentState.sos_status != "",
                rx.callout(GuardIncidentState.sos_status, icon="siren", color_scheme="red", size="2", role="status",
                           width="100%", data_testid="sos-status")),
    )


def _where_card() -> rx.Component:
    return card(
        rx.el.label(rx.text(t("incident.where"), size="2", weight="bold"), html_for=POINT_CHOOSER),
        rx.select.root(
            rx.select.trigger(id=POINT_CHOOSER, width="100%"),
            rx.select.content(
                rx.select.item(t("incident.no_point"), value=NO_POINT),
                rx.foreach(GuardIncidentState.points, lambda p: rx.select.item(p.name, value=p.id)),
            ),
            value=GuardIncidentState.point,
            on_change=GuardIncidentState.choose_point,
        ),
    )


def _report_card() -> rx.Component:
    return card(rx.form(
        rx.vstack(
            rx.text(t("incident.category"), size="2", weight="bold"),
            rx.radio_cards.root(
                *[rx.radio_cards.item(t(f"incident.category_{c.value}"), value=c.value) for c in IncidentCategory],
                name="category", default_value=IncidentCategory.SECURITY.value, columns="3", size="1", width="100%",
            ),
            rx.text_area(name="text", placeholder=t("incident.text"), max_length=TEXT_MAX, width="100%", rows="4"),
            photo_picker(PHOTO_UPLOAD, GuardIncidentState.add_photos, GuardIncidentState.previews, MAX_PHOTOS),
            form_error(GuardIncidentState.error),
            rx.cond(GuardIncidentState.notice != "",
                    rx.callout(GuardIncidentState.notice, icon="circle-check", color_scheme="green", size="1",
                               role="status", width="100%", data_testid="incident-notice")),
            rx.button(t("incident.submit"), type="submit", size="3", width="100%"),
            spacing="3", width="100%",
        ),
        on_submit=GuardIncidentState.report,
        key=GuardIncidentState.form_key,
    ))


@rx.page(route=routes.GUARD_INCIDENT, title=page_title("title.incident"), on_load=GuardIncidentState.load)
def guard_incident() -> rx.Component:
    """A guard calls for help or reports what they found, at or after a checkpoint, with photos."""
    return app_page(
        Role.GUARD,
        routes.GUARD_INCIDENT,
        "incident.title",
        _sos_card(),
        _where_card(),
        _report_card(),
        section_title("incident.mine"),
        rx.foreach(GuardIncidentState.mine, lambda row: incident_card(
            row, rx.badge(incident_status(row), color_scheme=rx.cond(row.status == "open", "amber", "green"),
                          variant="soft"))),
        rx.cond(GuardIncidentState.mine.length() == 0,
                card(rx.text(t("incident.none_mine"), size="2", color="var(--gray-11)"))),
    )

"""The resident's home screen."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill
from estate_pwa.components.layout import app_page, card, section_title
from estate_pwa.models import Role
from estate_pwa.pages.survey import survey_card
from estate_pwa.states.resident import ResidentHomeState
from estate_pwa.states.survey import ResidentSurveyState
from estate_pwa.states.session import SessionState


def _service_tile(icon: str, key: str, soon: bool = True) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=28, color="var(--accent-9)"),
            rx.text(t(key), size="2", weight="medium"),
            rx.badge(t("common.soon"), variant="outline", size="1") if soon else rx.fragment(),
            align="center",
            spacing="2",
        ),
        width="100%",
    )


@rx.page(route=routes.RESIDENT, title=page_title("title.resident"),
         on_load=[ResidentHomeState.load, ResidentSurveyState.load])
def resident_home() -> rx.Component:
    """Unit, household and the service entry points."""
    return app_page(
        Role.RESIDENT,
        routes.RESIDENT,
        "resident.title",
        card(
            rx.hstack(
                rx.icon("house", size=32, color="var(--accent-9)"),
                rx.vstack(
                    rx.text(SessionState.user_name, size="5", weight="bold"),
                    rx.text(t_fill("resident.unit", building=ResidentHomeState.building,
                                   unit=ResidentHomeState.unit, area=ResidentHomeState.area),
                            size="2", color="var(--gray-11)"),
                    spacing="1",
                ),
                align="center",
                spacing="3",
            ),
        ),
        survey_card(),
        section_title("resident.services"),
        rx.grid(
            rx.link(_service_tile("hammer", "resident.repair", soon=False), href=routes.RESIDENT_REQUESTS,
                    underline="none"),
            rx.link(_service_tile("concierge-bell", "resident.menu", soon=False), href=routes.RESIDENT_SERVICES,
                    underline="none"),
            columns="2", spacing="3", width="100%",
        ),
        section_title("resident.members"),
        card(rx.foreach(ResidentHomeState.members, lambda name: rx.hstack(
            rx.icon("user", size=16), rx.text(name, size="2"), align="center"))),
        card(rx.hstack(rx.icon("phone", size=18), rx.text(t("resident.hotline"), size="2"), align="center")),
    )

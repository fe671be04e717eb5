"""The satisfaction survey: the manager's survey periods, and the card a resident answers on the home screen."""

import reflex as rx

from estate_pwa import routes
from estate_pwa.components.i18n import page_title, t, t_fill
from estate_pwa.components.layout import app_page, card, field_label, form_error, list_card, section_title
from estate_pwa.models import Rating, Role
from estate_pwa.services.survey import ASPECTS, SurveyRow
from estate_pwa.states.survey import ManagerSurveysState, ResidentSurveyState


def _survey_row(row: SurveyRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(rx.text(row.title, size="3", weight="medium"),
                      rx.badge(rx.cond(row.closed_at, t("survey.state_closed"), t("survey.state_open")),
                               color_scheme=rx.cond(row.closed_at, "gray", "green"), variant="soft"),
                      align="center", spacing="2"),
            rx.text(t_fill("survey.answers", answered=row.answered, households=row.households,
                           satisfied=row.satisfied), size="1", color="var(--gray-11)"),
            spacing="1",
        ),
        rx.spacer(),
        rx.cond(row.actions.contains("close"),
                rx.button(t("survey.close"), size="1", variant="soft", color_scheme="red",
                          on_click=ManagerSurveysState.close_survey(row.survey_id))),
        align="center", width="100%",
    )


@rx.page(route=routes.MANAGER_SURVEYS, title=page_title("title.surveys"), on_load=ManagerSurveysState.load)
def surveys_page() -> rx.Component:
    """Open a survey period, follow the response, close it."""
    return app_page(
        Role.MANAGER,
        routes.MANAGER,
        "title.surveys",
        form_error(ManagerSurveysState.error),
        section_title("survey.open_new"),
        card(rx.form(
            rx.hstack(
                rx.vstack(
                    field_label(t("survey.name"), "survey-title", size="1"),
                    rx.input(id="survey-title", name="title", placeholder=t("survey.name_hint"), width="100%"),
                    spacing="1", flex="1", min_width="220px",
                ),
                rx.button(t("survey.open"), type="submit"),
                align="end", spacing="3", wrap="wrap", width="100%",
            ),
            on_submit=ManagerSurveysState.open_survey, reset_on_submit=True, key=ManagerSurveysState.form_key,
        )),
        section_title("survey.title"),
        list_card(ManagerSurveysState.rows, _survey_row, "survey.none"),
    )


def _question(aspect: str) -> rx.Component:
    return rx.vstack(
        rx.text(t(f"survey.aspect.{aspect}"), size="2", weight="medium", id=f"survey-q-{aspect}"),
        rx.radio_group.root(
            rx.hstack(*[rx.radio_group.item(t(f"survey.rating.{r.value}"), value=r.value) for r in Rating],
                      spacing="3", wrap="wrap"),
            value=ResidentSurveyState.ratings.get(aspect, ""),
            on_change=lambda value: ResidentSurveyState.rate(aspect, value),
            aria_labelledby=f"survey-q-{aspect}", size="2",
        ),
        spacing="1", width="100%",
    )


def survey_card() -> rx.Component:
    """The open survey on a resident's home screen: the questions, or thanks once the household has answered."""
    return rx.cond(
        ResidentSurveyState.open,
        card(
            rx.text(ResidentSurveyState.survey_title, size="3", weight="bold"),
            rx.cond(
                ResidentSurveyState.answered,
                rx.callout(t("survey.thanks"), icon="circle-check", color_scheme="green", size="1"),
                rx.form(
                    rx.vstack(
                        rx.text(t("survey.invite"), size="2", color="var(--gray-11)"),
                        *[_question(a) for a in ASPECTS],
                        field_label(t("survey.comment"), "survey-comment", size="2"),
                        rx.text_area(id="survey-comment", name="comment", max_length=500, width="100%"),
                        form_error(ResidentSurveyState.error),
                        rx.button(t("survey.submit"), type="submit", width="100%"),
                        spacing="3", width="100%",
                    ),
                    on_submit=ResidentSurveyState.submit,
                ),
            ),
        ),
    )

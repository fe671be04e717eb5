"""The satisfaction survey on screen: the manager opens and closes survey periods; a resident answers for their
household from the home screen."""

import reflex as rx

from estate_pwa.models import Role
from estate_pwa.services import survey
from estate_pwa.services.survey import ASPECTS, SurveyRow
from estate_pwa.states.session import SessionState


class ManagerSurveysState(SessionState):
    """The estate's surveys, newest first, with their response so far."""

    rows: list[SurveyRow] = []
    error: str = ""
    form_key: int = 0

    @rx.event
    def load(self):
        """List the surveys."""
        return self._open(Role.MANAGER)

    def _refresh(self, session, actor) -> None:
        self.rows = survey.surveys(session, actor)

    @rx.event
    def open_survey(self, form: dict):
        """Open a new survey period."""
        if self._act(survey.open_survey, self._fields(form).get("title")):
            self.form_key += 1

    @rx.event
    def close_survey(self, survey_id: int):
        """Close a survey; answers stop."""
        self._act(survey.close_survey, survey_id)


class ResidentSurveyState(SessionState):
    """The open survey on a resident's home screen, and their household's answer."""

    survey_title: str = ""
    open: bool = False
    answered: bool = False
    ratings: dict[str, str] = {}
    error: str = ""
    _survey_id: int = 0

    @rx.event
    def load(self):
        """Show the open survey, if any."""
        return self._open(Role.RESIDENT)

    def _refresh(self, session, actor) -> None:
        current = survey.for_resident(session, actor)
        self.open = current is not None
        self._survey_id = current.survey_id if current else 0
        self.survey_title = current.title if current else ""
        self.answered = bool(current and current.answered)

    @rx.event
    def rate(self, aspect: str, rating: str):
        """Remember one choice on this screen (checked when submitted)."""
        if aspect in ASPECTS and isinstance(rating, str) and len(rating) <= 20:
            self.ratings = {**self.ratings, aspect: rating}

    @rx.event
    def submit(self, form: dict):
        """Send the household's answer."""
        if self._act(survey.answer, self._survey_id, self.ratings, self._fields(form).get("comment", "")):
            self.ratings = {}

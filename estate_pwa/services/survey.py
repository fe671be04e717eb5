"""The owners' satisfaction survey: a manager opens a survey period (usually every six months) and closes it;
each household answers once, overall and on five aspects (满意 / 基本满意 / 不满意) with a comment."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Rating, Role, Survey, SurveyAnswer, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.indicators.registry import Base, Context
from estate_pwa.services.indicators.sql import count_if, population
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refuse, refusing, require
from estate_pwa.services.validation import choice, positive_id, text

REFUSAL = Refusal("survey_refused", "survey")
ASPECTS = ("overall", "security", "cleaning", "repairs", "greenery", "attitude")
TITLE_MAX = 100
COMMENT_MAX = 500


@dataclass(frozen=True)
class OpenSurvey:
    """The survey a resident's household may answer now, and whether it already has."""

    survey_id: int
    title: str
    answered: bool


@dataclass(frozen=True)
class SurveyRow:
    """A survey as the manager's list shows it: answers, response rate and satisfaction so far."""

    survey_id: int
    title: str
    opened_at: datetime
    closed_at: datetime | None
    answered: int
    households: int
    satisfied: int
    actions: list[str]


def _open(session: Session, estate_id: int) -> Survey | None:
    return session.exec(select(Survey).where(Survey.estate_id == estate_id, col(Survey.closed_at).is_(None))
                        .order_by(col(Survey.id).desc())).first()


def open_survey(session: Session, actor: Actor | None, title: object, now: datetime | None = None) -> Survey:
    """A manager opens a survey period; only one is open at a time."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    with refusing(session, actor, REFUSAL):
        title = text(title, "error.survey_title_required", TITLE_MAX)
        if _open(session, actor.estate_id) is not None:
            raise InvalidInput("error.survey_already_open")
    survey = Survey(estate_id=actor.estate_id, title=title, opened_at=now or utcnow(), opened_by_id=actor.id)
    session.add(survey)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "survey_opened", "survey", survey.id,
                 title=title)
    return survey


def close_survey(session: Session, actor: Actor | None, survey_id: object, now: datetime | None = None) -> Survey:
    """A manager closes the open survey; answers stop."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    with refusing(session, actor, REFUSAL):
        survey = in_estate(session, actor, Survey, positive_id(survey_id))
        if survey.closed_at is not None:
            raise InvalidInput("error.survey_closed")
    survey.closed_at = now or utcnow()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "survey_closed", "survey", survey.id)
    return survey


def answer(session: Session, actor: Actor | None, survey_id: object, ratings: object, comment: object = "",
           now: datetime | None = None) -> SurveyAnswer:
    """A resident answers the open survey for their household, once; a second answer from the household (by
    anyone living there, even at the same moment) is refused."""
    actor = require(session, actor, REFUSAL, Role.RESIDENT)
    with refusing(session, actor, REFUSAL):
        survey = in_estate(session, actor, Survey, positive_id(survey_id))
        if survey.closed_at is not None:
            raise InvalidInput("error.survey_closed")
        if actor.unit_id is None:
            raise InvalidInput("error.place_required")
        if not isinstance(ratings, dict):
            raise InvalidInput("error.survey_incomplete")
        chosen = {aspect: choice(ratings.get(aspect), Rating, "error.survey_incomplete") for aspect in ASPECTS}
        note = text(comment, "error.bad_request", COMMENT_MAX, required=False, multiline=True)
        if _answered(session, survey.id, actor.unit_id):
            raise InvalidInput("error.survey_already_answered")
    target = survey.id
    row = SurveyAnswer(estate_id=actor.estate_id, survey_id=target, unit_id=actor.unit_id, resident_id=actor.id,
                       comment=note, answered_at=now or utcnow(), **chosen)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        refuse(session, actor, REFUSAL, InvalidInput("error.survey_already_answered"), target)
    audit.record(session, actor.estate_id, session.get(User, actor.id), "survey_answered", "survey", target,
                 overall=chosen["overall"])
    return row


def _answered(session: Session, survey_id: int, unit_id: int) -> bool:
    return session.exec(select(SurveyAnswer.id).where(SurveyAnswer.survey_id == survey_id,
                                                      SurveyAnswer.unit_id == unit_id)).first() is not None


def for_resident(session: Session, actor: Actor | None) -> OpenSurvey | None:
    """The open survey of the resident's estate, if any, and whether their household has answered it."""
    actor = require(session, actor, REFUSAL, Role.RESIDENT)
    survey = _open(session, actor.estate_id)
    if survey is None or actor.unit_id is None:
        return None
    return OpenSurvey(survey.id, survey.title, _answered(session, survey.id, actor.unit_id))


def surveys(session: Session, actor: Actor | None, limit: int = 20) -> list[SurveyRow]:
    """The estate's surveys, newest first, with answers, occupied households and satisfied answers."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    households = population(session, Context(actor.estate_id, utcnow(), Base.HOUSEHOLDS))
    content = count_if(col(SurveyAnswer.overall).in_((Rating.SATISFIED, Rating.FAIRLY_SATISFIED)))
    rows = session.exec(
        select(Survey, func.count(col(SurveyAnswer.id)), content)
        .outerjoin(SurveyAnswer, col(SurveyAnswer.survey_id) == Survey.id)
        .where(Survey.estate_id == actor.estate_id).group_by(col(Survey.id))
        .order_by(col(Survey.id).desc()).limit(limit)).all()
    return [SurveyRow(s.id, s.title, s.opened_at, s.closed_at, int(n), households, int(ok or 0),
                      [] if s.closed_at else ["close"]) for s, n, ok in rows]


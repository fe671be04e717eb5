"""Overall satisfaction (综合满意率), measured from households' survey answers."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Rating, SurveyAnswer, Unit, Building
from estate_pwa.services.indicators.registry import Base, Context, DrillRow, Reading, Window, measured_by
from estate_pwa.services.indicators.sql import inside, per_window, population

CONTENT = col(SurveyAnswer.overall).in_((Rating.SATISFIED, Rating.FAIRLY_SATISFIED))


def _satisfaction(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    pairs = per_window(session, SurveyAnswer, [SurveyAnswer.estate_id == context.estate_id],
                       col(SurveyAnswer.answered_at), windows, CONTENT)
    if context.base == Base.HOUSEHOLDS:
        households = population(session, context)
        return [Reading(n, households if d else 0, "" if d else "indicator.why.no_answers") for n, d in pairs]
    return [Reading(n, d, "" if d else "indicator.why.no_answers") for n, d in pairs]


def _over_households(counted):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        households = population(session, Context(context.estate_id, context.now, Base.HOUSEHOLDS))
        pairs = per_window(session, SurveyAnswer, [SurveyAnswer.estate_id == context.estate_id],
                           col(SurveyAnswer.answered_at), windows, CONTENT)
        return [Reading(counted(n, d), households if d else 0, "" if d else "indicator.why.no_answers")
                for n, d in pairs]
    return measure


def _answers(session: Session, context: Context, window: Window, offset: int, limit: int):
    where = [SurveyAnswer.estate_id == context.estate_id, inside(col(SurveyAnswer.answered_at), window)]
    total = session.exec(select(func.count()).select_from(SurveyAnswer).where(*where)).one()
    rows = session.exec(select(SurveyAnswer, Unit.number, Building.name)
                        .join(Unit, col(Unit.id) == SurveyAnswer.unit_id)
                        .join(Building, col(Building.id) == Unit.building_id).where(*where)
                        .order_by(SurveyAnswer.overall != Rating.DISSATISFIED, col(SurveyAnswer.answered_at))
                        .offset(offset).limit(limit))
    return [DrillRow(a.id, f"{building} {number}", a.answered_at, a.overall != Rating.DISSATISFIED,
                     a.comment) for a, number, building in rows], int(total)


measured_by("satisfaction", _satisfaction, _answers)
measured_by("satisfaction_strict", _over_households(lambda content, answered: content), _answers)
measured_by("survey_response", _over_households(lambda content, answered: answered), _answers)

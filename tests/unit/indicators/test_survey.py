"""The satisfaction survey: one open at a time, one answer per household (also at the same moment), complete and
valid answers only, and closed surveys take no answers."""

import threading

import pytest
from sqlmodel import Session, func, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import AuditEntry, Rating, Role, SurveyAnswer
from estate_pwa.services import survey
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound

ALL_SATISFIED = {aspect: Rating.SATISFIED.value for aspect in survey.ASPECTS}


@pytest.fixture
def household(factory, estate):
    unit = factory.units(estate)[0]
    return [factory.actor(factory.user(estate, Role.RESIDENT, unit=unit)) for _ in range(2)]


def test_a_household_answers_once_whoever_in_it_answers(session, boss, household):
    opened = survey.open_survey(session, boss, "2026 上半年")
    session.commit()
    first, second = household
    assert survey.for_resident(session, first).answered is False
    survey.answer(session, first, opened.id, ALL_SATISFIED, "很好")
    session.commit()
    assert survey.for_resident(session, second).answered is True
    with pytest.raises(InvalidInput) as refused:
        survey.answer(session, second, opened.id, ALL_SATISFIED)
    assert refused.value.key == "error.survey_already_answered"
    [row] = survey.surveys(session, boss)
    assert (row.answered, row.households, row.satisfied, row.actions) == (1, 1, 1, ["close"])


def test_two_members_answering_at_the_same_moment_store_one_answer(db_url, session, boss, household):
    opened = survey.open_survey(session, boss, "同时作答")
    session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def answer(actor):
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            barrier.wait()
            try:
                survey.answer(own, actor, opened.id, ALL_SATISFIED)
                own.commit()
                outcomes.append("ok")
            except InvalidInput as error:
                outcomes.append(error.key)

    threads = [threading.Thread(target=answer, args=(person,)) for person in household]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["error.survey_already_answered", "ok"]
    assert session.exec(select(func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.survey_id == opened.id)).one() == 1


def test_incomplete_hostile_or_late_answers_are_refused_and_audited(session, fresh_session, boss, household, estate):
    opened = survey.open_survey(session, boss, "检查")
    session.commit()
    resident = household[0]
    for ratings in (None, {}, {**ALL_SATISFIED, "overall": "great"}, {**ALL_SATISFIED, "security": ["x"]}, "all"):
        with pytest.raises(InvalidInput):
            survey.answer(session, resident, opened.id, ratings)
    with pytest.raises(InvalidInput):
        survey.answer(session, resident, opened.id, ALL_SATISFIED, "x" * 501)
    with pytest.raises(NotFound):
        survey.answer(session, resident, 10**9, ALL_SATISFIED)
    with pytest.raises(InvalidInput) as second:
        survey.open_survey(session, boss, "第二个")
    assert second.value.key == "error.survey_already_open"
    survey.close_survey(session, boss, opened.id)
    session.commit()
    with pytest.raises(InvalidInput) as closed:
        survey.answer(session, resident, opened.id, ALL_SATISFIED)
    assert closed.value.key == "error.survey_closed"
    assert survey.for_resident(session, resident) is None
    refusals = fresh_session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.estate_id == estate.id, AuditEntry.action == "survey_refused")).one()
    assert refusals == 9


def test_only_managers_open_and_close_and_only_residents_answer(session, factory, estate, boss, household):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    with pytest.raises(NotAllowed):
        survey.open_survey(session, guard, "x")
    opened = survey.open_survey(session, boss, "权限")
    session.commit()
    with pytest.raises(NotAllowed):
        survey.answer(session, boss, opened.id, ALL_SATISFIED)
    with pytest.raises(NotAllowed):
        survey.close_survey(session, household[0], opened.id)
    other = factory.estate()
    stranger = factory.actor(factory.user(other, Role.MANAGER))
    with pytest.raises(NotFound):
        survey.close_survey(session, stranger, opened.id)

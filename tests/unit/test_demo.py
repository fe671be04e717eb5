"""The demo estate's generated history: made once through the services (a second load adds nothing), every state a
newcomer should see is there, and the current period's live indicators show values."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, func, select

from estate_pwa.core.db import get_engine
from estate_pwa.core.security import verify_password
from estate_pwa.models import (
    AreaKind, ChecklistItem, CleaningAssignment, CleaningResult, CleaningTask, CleaningTick, Incident, IncidentCategory, PatrolRound, PatrolScan, RequestKind, RequestStatus, RoundStatus, ScanOutcome,
    ServiceRequest, Survey, SurveyAnswer, User,
)
from estate_pwa.services.indicators import certification
from estate_pwa.services import cleaning, demo, indicators, jobs, patrol
from estate_pwa.services.permissions import actor_for

NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
"""12:00 in Asia/Shanghai: the current month holds 20 days of history, the quarter the survey."""
LIVE_EVERY_MONTH = ("repair_timeliness", "repair_quality", "repair_follow_up", "effective_complaint_rate",
                    "major_crimes", "public_order_cases", "fire_alarm_rate", "fire_rate", "violation_rate",
                    "violation_handling", "effective_complaint_handling", "cleaning_rate")


@pytest.fixture(scope="module")
def loaded(db_url, tmp_path_factory):
    """The demo loaded twice into the test database: the estate and the row counts after each load."""
    with pytest.MonkeyPatch.context() as patch, Session(get_engine(db_url), expire_on_commit=False) as session:
        patch.setenv("ESTATE_MEDIA_DIR", str(tmp_path_factory.mktemp("media")))  # the demo's cleaning photos
        estate, first = demo.load_with_summary(session, now=NOW)
        _, second = demo.load_with_summary(session, now=NOW)
        return estate, first, second, demo.history.counts(session, estate)


@pytest.fixture
def manager(session, loaded):
    return actor_for(session, session.exec(select(User).where(User.phone == demo.DEMO_ACCOUNTS[0][0])).one())


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_second_load_adds_nothing(loaded):
    estate, first, second, after = loaded
    assert first.generated and not second.generated
    assert after == first.rows
    assert first.rows["requests"] > 100 and first.rows["scans"] > 1000 and first.rows["residents"] > 300


def test_demo_passwords_are_unchanged(session, loaded):
    for phone, password, *_ in (*demo.DEMO_ACCOUNTS, demo.DEMO_RESIDENT):
        assert verify_password(session.exec(select(User).where(User.phone == phone)).one().password_hash, password)


def test_repairs_in_every_state(session, loaded):
    estate = loaded[0]
    repairs = (ServiceRequest.estate_id == estate.id, ServiceRequest.kind == RequestKind.REPAIR)
    statuses = set(session.exec(select(ServiceRequest.status).where(*repairs).distinct()))
    assert statuses == set(RequestStatus)
    assert _count(session, ServiceRequest, *repairs, col(ServiceRequest.on_time).is_(False)) > 0  # late
    assert _count(session, ServiceRequest, *repairs, ServiceRequest.postponements > 0) > 0
    assert _count(session, ServiceRequest, *repairs, ServiceRequest.reopen_count > 0) > 0
    assert _count(session, ServiceRequest, *repairs, ServiceRequest.paused_seconds > 0) > 0
    assert _count(session, ServiceRequest, *repairs, col(ServiceRequest.satisfied).is_(True)) > 0
    assert _count(session, ServiceRequest, *repairs, col(ServiceRequest.quality_pass).is_not(None)) > 0
    feedback = (ServiceRequest.estate_id == estate.id, ServiceRequest.kind != RequestKind.REPAIR)
    assert _count(session, ServiceRequest, *feedback, col(ServiceRequest.reply).is_not(None)) > 10


def test_history_is_dated_in_the_past(session, loaded, manager):
    estate = loaded[0]
    oldest = session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)
                          .order_by(ServiceRequest.received_at)).first()
    assert (NOW - oldest.received_at.replace(tzinfo=UTC)).days >= 85
    steps = jobs.history(session, manager, oldest.id)
    assert len(steps) >= 3
    assert all((NOW - step.created_at.replace(tzinfo=UTC)).days >= 80 for step in steps)


def test_patrols_incidents_and_the_survey(session, loaded):
    estate = loaded[0]
    statuses = set(session.exec(select(PatrolRound.status).where(PatrolRound.estate_id == estate.id).distinct()))
    assert {RoundStatus.ON_TIME, RoundStatus.LATE, RoundStatus.MISSED, RoundStatus.INCOMPLETE} <= statuses
    assert _count(session, PatrolScan, PatrolScan.estate_id == estate.id, PatrolScan.outcome == ScanOutcome.COUNTED,
                  col(PatrolScan.synced_late).is_(True)) > 0
    categories = set(session.exec(select(Incident.category).where(Incident.estate_id == estate.id).distinct()))
    assert categories == set(IncidentCategory)
    survey = session.exec(select(Survey).where(Survey.estate_id == estate.id)).one()
    assert survey.closed_at is not None and "满意度" in survey.title
    assert _count(session, SurveyAnswer, SurveyAnswer.survey_id == survey.id) >= 200


def test_the_live_part(session, loaded):
    estate = loaded[0]
    technician = actor_for(session, session.exec(select(User).where(User.phone == demo.DEMO_ACCOUNTS[4][0])).one())
    open_jobs = jobs.for_technician(session, technician)
    assert len(open_jobs) >= 3
    assert jobs.open_jobs(session, technician.id) < estate.open_jobs_cap  # he can still claim from the pool
    guard = actor_for(session, session.exec(select(User).where(User.phone == demo.DEMO_ACCOUNTS[1][0])).one())
    assert patrol.my_rounds(session, guard, NOW)


def test_the_overview_shows_values(session, loaded, manager):
    _, tiles = indicators.overview(session, manager, "month", now=NOW)
    shown = {t.key: t for t in tiles}
    for key in LIVE_EVERY_MONTH:
        assert shown[key].value, (key, shown[key].why)
    for kind in ("quarter", "rolling12"):
        _, tiles = indicators.overview(session, manager, kind, now=NOW)
        assert {t.key: t for t in tiles}["satisfaction"].value
    readiness = certification.readiness(session, manager, now=NOW)
    assert readiness.founded_on and [level.state for level in readiness.levels][0] == "open"


def test_cleaning(session, loaded):
    """Every area has a responsible cleaner and a checklist; 90 days of tasks, mostly ticked on time, some late,
    some missed; about 3% of inspected items failed, each with rework, most of it redone."""
    estate = loaded[0]
    assert loaded[1].rows["cleaning_tasks"] > 4000 and loaded[1].rows["cleaning_results"] > 500
    kinds = set(session.exec(select(ChecklistItem.area_kind).where(ChecklistItem.estate_id == estate.id)))
    assert {AreaKind.LOBBY, AreaKind.LIFT, AreaKind.STAIRWELL, AreaKind.BIN_ROOM, AreaKind.PLAYGROUND} <= kinds
    assert _count(session, CleaningAssignment, CleaningAssignment.estate_id == estate.id,
                  col(CleaningAssignment.ends_at).is_not(None)) >= 1  # one area was handed over
    routine = (CleaningTask.estate_id == estate.id, CleaningTask.kind == "routine", CleaningTask.due_at < NOW)
    due, done = _count(session, CleaningTask, *routine), _count(session, CleaningTask, *routine,
                                                                col(CleaningTask.done_at).is_not(None))
    late = _count(session, CleaningTick, CleaningTick.estate_id == estate.id, col(CleaningTick.late).is_(True))
    assert 0.9 < done / due < 0.99 and 0.02 < late / done < 0.15
    inspected = _count(session, CleaningResult, CleaningResult.estate_id == estate.id)
    failed = _count(session, CleaningResult, CleaningResult.estate_id == estate.id,
                    col(CleaningResult.passed).is_(False), col(CleaningResult.rework_task_id).is_not(None))
    assert 0.01 < failed / inspected < 0.06
    rework = (CleaningTask.estate_id == estate.id, CleaningTask.kind == "rework")
    assert _count(session, CleaningTask, *rework, col(CleaningTask.done_at).is_not(None)) > 0.8 * failed


def test_the_cleaner_has_tasks_today(session, loaded):
    cleaner = actor_for(session, session.exec(select(User).where(User.phone == demo.DEMO_ACCOUNTS[3][0])).one())
    cards = cleaning.cleaner_today(session, cleaner, NOW)
    assert len(cards) >= 10
    rows = [task for card in cards for task in card.tasks]
    assert any(task.done for task in rows) and any("tick" in task.actions for task in rows)
    assert any(task.done and task.photos for task in rows)  # photo items were ticked with photos


def test_the_asset_register_and_its_rates(session, loaded, manager):
    """A full register in every category, a few extinguishers about to expire, defects over the 90 days, and the
    intact rates measured in the current quarter."""
    from estate_pwa.models import Asset, AssetCategory, AssetDefect
    from estate_pwa.services import facilities
    estate = loaded[0]
    counts = {c.category: c.assets for c in facilities.counts(session, estate.id)}
    assert set(counts) == {c.value for c in AssetCategory} and all(counts.values()) and sum(counts.values()) > 300
    expiring = facilities.expiring(session, estate.id, NOW)
    assert len(expiring) >= 3 and all(row.subkind == "extinguisher" for row in expiring)
    defects = session.exec(select(AssetDefect).join(Asset).where(Asset.estate_id == estate.id)).all()
    assert len(defects) > 10 and any(d.closed_at is None for d in defects)
    _, tiles = indicators.overview(session, manager, "quarter", now=NOW)
    rates = {t.key: t for t in tiles if t.feature == "facilities"}
    assert rates["fire_equipment_intact"].value and rates["street_lights_intact"].value

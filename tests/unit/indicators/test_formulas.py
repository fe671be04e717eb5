"""Each indicator's formula against a small hand-computed dataset, with the edges: no data, zero denominators,
a period crossing a year end, and a repair due at 23:59 versus 00:01 Asia/Shanghai."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from estate_pwa.models import (
    FollowUp, Incident, IncidentCategory, IncidentStatus, Rating, RequestKind, RequestStatus, Role, ServiceRequest,
    Survey, SurveyAnswer, Urgency,
)
from estate_pwa.services import indicators
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def households(factory, estate):
    """Three occupied households (one with two residents), one empty unit."""
    units = factory.units(estate)
    people = [factory.user(estate, Role.RESIDENT, unit=units[i]) for i in (0, 0, 1, 2)]
    return units, people


def repair(session, estate, promised, on_time, urgency=Urgency.ROUTINE, completed=None, quality=None, **more):
    request = ServiceRequest(estate_id=estate.id, kind=RequestKind.REPAIR, description="漏水", urgency=urgency,
                             received_at=promised - timedelta(hours=4), promised_at=promised, on_time=on_time,
                             completed_at=completed, quality_pass=quality,
                             status=RequestStatus.CLOSED if completed else RequestStatus.ACCEPTED, **more)
    session.add(request)
    session.flush()
    return request


def tiles(session, boss, kind="month", now=NOW):
    label, shown = indicators.overview(session, boss, kind, now=now)
    return label, {t.key: t for t in shown}


def test_every_plan_indicator_has_a_tile_and_unbuilt_ones_say_why(session, boss):
    label, shown = tiles(session, boss)
    assert label == "2026-03"
    assert {t.number for t in shown.values() if t.number} == set(range(1, 26))
    assert len(shown) == 28
    fees = shown["fee_collection"]
    assert (fees.status, fees.value, fees.why) == ("no_data", "", "indicator.why.no_bills")
    activities = shown["community_activities"]
    assert (activities.status, activities.value, activities.why) == ("no_data", "", "indicator.why.feature.activities")
    timeliness = shown["repair_timeliness"]
    assert (timeliness.status, timeliness.value, timeliness.why) == ("no_data", "", "indicator.why.no_repairs_due")
    assert shown["major_crimes"].status == "met" and shown["major_crimes"].value == "0"


def test_timeliness_counts_repairs_due_in_the_period_late_and_unfinished_ones_failing(session, estate, boss):
    repair(session, estate, local(2026, 3, 2, 10), True, completed=local(2026, 3, 2, 9))
    repair(session, estate, local(2026, 3, 3, 10), True, Urgency.EMERGENCY, completed=local(2026, 3, 3, 9))
    repair(session, estate, local(2026, 3, 4, 10), False, Urgency.EMERGENCY, completed=local(2026, 3, 5, 9))
    repair(session, estate, local(2026, 3, 10, 10), None)  # due, not finished: late
    repair(session, estate, local(2026, 3, 25, 10), None)  # not due yet: not counted
    repair(session, estate, local(2026, 2, 10, 10), True, completed=local(2026, 2, 10, 9))  # February
    session.commit()
    _, shown = tiles(session, boss)
    tile = shown["repair_timeliness"]
    assert (tile.numerator, tile.denominator, tile.value, tile.status) == ("2", "4", "50.0%", "not_met")
    assert tile.trend == "down"  # February: 1 of 1
    detail = indicators.detail(session, boss, "repair_timeliness", "month", now=NOW)
    parts = {p.key: p for p in detail.parts}
    assert parts["repair_timeliness_emergency"].value == "50.0%"
    assert (parts["repair_timeliness_routine"].numerator, parts["repair_timeliness_routine"].denominator) == ("1", "2")
    assert [line.counts for line in detail.lines] == [False, False, True, True]
    assert detail.total == 4 and detail.lines[0].link.startswith("/manager/jobs?request=")
    assert [p.label for p in detail.trend][-2:] == ["2026-02", "2026-03"]
    assert [p.value for p in detail.trend][-2:] == [100.0, 50.0]
    assert detail.trend[0].value is None


def test_a_repair_due_at_2359_belongs_to_that_month_and_one_at_0001_to_the_next(session, estate, boss):
    repair(session, estate, local(2026, 1, 31, 23, 59), True, completed=local(2026, 1, 31, 23, 0))
    repair(session, estate, local(2026, 2, 1, 0, 1), False, completed=local(2026, 2, 1, 3, 0))
    session.commit()
    _, january = tiles(session, boss, now=local(2026, 1, 31, 23, 59, 30))
    assert january["repair_timeliness"].value == "100.0%"
    _, february = tiles(session, boss, now=local(2026, 2, 20))
    assert (february["repair_timeliness"].value, february["repair_timeliness"].trend) == ("0.0%", "down")


def test_a_quarter_and_the_rolling_year_cross_the_year_end(session, estate, boss):
    repair(session, estate, local(2025, 12, 31, 23, 0), False, completed=local(2026, 1, 1, 2))
    repair(session, estate, local(2026, 1, 1, 1, 0), True, completed=local(2026, 1, 1, 0, 30))
    session.commit()
    label, quarter = tiles(session, boss, "quarter", now=local(2026, 1, 15))
    assert label == "2026 Q1" and quarter["repair_timeliness"].value == "100.0%"
    assert quarter["repair_timeliness"].trend == "up"  # 2025 Q4: 0 of 1
    label, rolling = tiles(session, boss, "rolling12", now=local(2026, 1, 15))
    assert label == "2025-02 – 2026-01" and rolling["repair_timeliness"].denominator == "2"
    label, year = tiles(session, boss, "year", now=local(2026, 1, 15))
    assert label == "2026" and year["repair_timeliness"].denominator == "1"


def test_quality_and_follow_up_rates(session, estate, boss, factory):
    done = [repair(session, estate, local(2026, 3, d, 10), True, completed=local(2026, 3, d, 9), quality=q)
            for d, q in ((2, True), (3, True), (4, False), (5, None))]
    session.add(FollowUp(estate_id=estate.id, request_id=done[0].id, reason="sample", done_at=local(2026, 3, 6)))
    session.add(FollowUp(estate_id=estate.id, request_id=done[1].id, reason="sample"))  # not made yet
    session.commit()
    _, shown = tiles(session, boss)
    assert (shown["repair_quality"].numerator, shown["repair_quality"].denominator) == ("2", "3")
    assert shown["repair_quality"].value == "66.7%"
    assert (shown["repair_follow_up"].numerator, shown["repair_follow_up"].denominator) == ("1", "4")
    assert shown["repair_follow_up"].status == "not_met"


def test_effective_complaints_over_households_or_residents_and_their_handling(session, estate, boss, households):
    for effective, closed in ((True, True), (True, False), (False, True), (None, False)):
        session.add(ServiceRequest(estate_id=estate.id, kind=RequestKind.COMPLAINT, description="噪音",
                                   received_at=local(2026, 3, 5), effective=effective,
                                   status=RequestStatus.CLOSED if closed else RequestStatus.RECEIVED,
                                   reply="已处理" if closed else None))
    session.commit()
    _, shown = tiles(session, boss)
    rate = shown["effective_complaint_rate"]
    assert (rate.numerator, rate.denominator, rate.value, rate.status) == ("2", "3", "66.7%", "not_met")
    handling = shown["effective_complaint_handling"]
    assert (handling.numerator, handling.denominator) == ("1", "2")
    indicators.set_target(session, boss, "effective_complaint_rate", "<=", "70", "residents")
    session.commit()
    _, shown = tiles(session, boss)
    rate = shown["effective_complaint_rate"]
    assert (rate.denominator, rate.value, rate.target, rate.status) == ("4", "50.0%", "≤ 70%", "met")


def test_security_counts_and_rates(session, estate, boss, households, factory):
    guard = factory.user(estate, Role.GUARD)

    def incident(category, **more):
        session.add(Incident(estate_id=estate.id, reporter_id=guard.id, category=category, text="x",
                             created_at=local(2026, 3, 3), **more))
    incident(IncidentCategory.SECURITY)
    incident(IncidentCategory.SECURITY, major_crime=True)
    incident(IncidentCategory.FIRE_ALARM)
    incident(IncidentCategory.FIRE_ALARM, actual_fire=True)
    incident(IncidentCategory.VIOLATION, status=IncidentStatus.CLOSED)
    incident(IncidentCategory.VIOLATION)
    session.commit()
    _, shown = tiles(session, boss)
    assert (shown["major_crimes"].value, shown["major_crimes"].status) == ("1", "not_met")
    assert (shown["public_order_cases"].value, shown["public_order_cases"].status) == ("1", "met")
    assert (shown["public_order_cases"].target, shown["public_order_cases"].per_year) == ("≤ 1", True)
    assert (shown["fire_alarm_rate"].numerator, shown["fire_alarm_rate"].denominator) == ("2", "3")
    assert (shown["fire_rate"].value, shown["fire_rate"].status) == ("33.3%", "not_met")
    assert shown["violation_rate"].value == "66.7%"
    assert (shown["violation_handling"].value, shown["violation_handling"].status) == ("50.0%", "not_met")


def test_rates_over_households_with_no_households_say_so(session, boss, factory, estate):
    guard = factory.user(estate, Role.GUARD)
    session.add(Incident(estate_id=estate.id, reporter_id=guard.id, category=IncidentCategory.FIRE_ALARM, text="x",
                         created_at=local(2026, 3, 3)))
    session.commit()
    _, shown = tiles(session, boss)
    assert (shown["fire_alarm_rate"].status, shown["fire_alarm_rate"].why) == ("no_data", "indicator.why.no_households")


def test_satisfaction_over_answers_and_stricter_over_households(session, estate, boss, households):
    units, people = households
    survey = Survey(estate_id=estate.id, title="2026 上半年", opened_at=local(2026, 3, 1), opened_by_id=boss.id)
    session.add(survey)
    session.flush()
    for unit, person, overall in ((units[0], people[0], Rating.SATISFIED), (units[1], people[2], Rating.DISSATISFIED)):
        session.add(SurveyAnswer(estate_id=estate.id, survey_id=survey.id, unit_id=unit.id, resident_id=person.id,
                                 overall=overall, security=overall, cleaning=overall, repairs=overall,
                                 greenery=overall, attitude=overall, answered_at=local(2026, 3, 2)))
    session.commit()
    _, shown = tiles(session, boss)
    assert (shown["satisfaction"].numerator, shown["satisfaction"].denominator) == ("1", "2")
    indicators.set_target(session, boss, "satisfaction", ">=", 98, "households")
    session.commit()
    _, shown = tiles(session, boss)
    assert (shown["satisfaction"].denominator, shown["satisfaction"].value) == ("3", "33.3%")


def test_records_of_other_estates_never_count(session, factory, boss):
    other = factory.estate()
    repair(session, other, local(2026, 3, 2, 10), False, completed=local(2026, 3, 3))
    session.commit()
    _, shown = tiles(session, boss)
    assert shown["repair_timeliness"].status == "no_data"


def test_only_managers_see_indicators_and_set_targets_with_valid_values(session, factory, estate, boss):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    with pytest.raises(NotAllowed):
        indicators.overview(session, guard)
    with pytest.raises(NotAllowed):
        indicators.overview(session, None)
    with pytest.raises(NotFound):
        indicators.detail(session, boss, "no_such_indicator")
    for bad in ("month'", ["month"], None):
        with pytest.raises(InvalidInput):
            indicators.overview(session, boss, bad)
    for key, op, target, base in (("repair_timeliness", "=", 99, None), ("repair_timeliness", ">=", 101, None),
                                  ("repair_timeliness", ">=", "nan", None), ("repair_timeliness", ">=", -1, None),
                                  ("fire_rate", "<=", 0, "planets"), ("repair_timeliness", ">=", True, None)):
        with pytest.raises(InvalidInput):
            indicators.set_target(session, boss, key, op, target, base)
    with pytest.raises(InvalidInput):
        indicators.detail(session, boss, "repair_timeliness", "month", page=0)


def test_satisfaction_shows_the_stricter_rate_and_the_response_rate_apart(session, estate, boss, households):
    units, people = households
    survey = Survey(estate_id=estate.id, title="回收率", opened_at=local(2026, 3, 1), opened_by_id=boss.id)
    session.add(survey)
    session.flush()
    for unit, person, overall in ((units[0], people[0], Rating.FAIRLY_SATISFIED), (units[1], people[2], Rating.SATISFIED)):
        session.add(SurveyAnswer(estate_id=estate.id, survey_id=survey.id, unit_id=unit.id, resident_id=person.id,
                                 overall=overall, security=overall, cleaning=overall, repairs=overall,
                                 greenery=overall, attitude=overall, answered_at=local(2026, 3, 2)))
    session.commit()
    detail = indicators.detail(session, boss, "satisfaction", "month", now=NOW)
    assert detail.tile.value == "100.0%"
    parts = {p.key: (p.numerator, p.denominator, p.value) for p in detail.parts}
    assert parts == {"satisfaction_strict": ("2", "3", "66.7%"), "survey_response": ("2", "3", "66.7%")}

"""The clock's tasks: one per asset per period in the estate's timezone (a day, a week from Monday, a month from
the 1st, given weekdays), across midnight, week and month boundaries, made once however often the clock runs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from estate_pwa.models import InspectionTask
from estate_pwa.services import inspections
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import at
from tests.unit.inspections.conftest import make_asset, plan


def tasks(session, estate):
    session.expire_all()
    return list(session.exec(select(InspectionTask).where(InspectionTask.estate_id == estate.id)
                             .order_by(InspectionTask.day, InspectionTask.asset_id)))


def test_daily_tasks_follow_the_local_day_across_midnight(session, estate, boss, extinguishers):
    plan(session, boss, "daily")
    # 23:30 on the 10th local is 15:30 UTC on the 10th; 00:30 on the 11th local is still the 10th in UTC
    assert inspections.keep_tasks_current(session, estate.id, at(23, 30)) == 2
    assert inspections.keep_tasks_current(session, estate.id, at(0, 30, day=11)) == 2
    made = tasks(session, estate)
    assert sorted({t.day for t in made}) == [date(2026, 3, 10), date(2026, 3, 11)]
    first = next(t for t in made if t.day == date(2026, 3, 10))
    assert (first.starts_at, first.due_at) == (at(0), at(0, day=11))
    assert first.starts_at == datetime(2026, 3, 9, 16, tzinfo=UTC)  # local midnight, UTC+8


def test_the_clock_running_again_makes_nothing_new(session, estate, boss, extinguishers):
    plan(session, boss, "daily")
    assert inspections.keep_tasks_current(session, estate.id, at(9)) == 2
    for hour in (9, 10, 23):
        assert inspections.keep_tasks_current(session, estate.id, at(hour)) == 0
    assert len(tasks(session, estate)) == 2


def test_weekly_tasks_run_from_monday_to_monday(session, estate, boss, extinguishers):
    plan(session, boss, "weekly")
    # 2026-03-15 is a Sunday, 2026-03-16 a Monday
    inspections.keep_tasks_current(session, estate.id, at(23, 59, day=15))
    inspections.keep_tasks_current(session, estate.id, at(8, day=10))  # the same week: nothing new
    inspections.keep_tasks_current(session, estate.id, at(0, 1, day=16))
    made = tasks(session, estate)
    assert sorted({t.day for t in made}) == [date(2026, 3, 9), date(2026, 3, 16)]
    week = next(t for t in made if t.day == date(2026, 3, 9))
    assert (week.starts_at, week.due_at) == (at(0, day=9), at(0, day=16))


def test_monthly_tasks_run_from_the_first_and_cross_the_year(session, estate, boss, extinguishers):
    made = plan(session, boss, "monthly")
    zone = "Asia/Shanghai"
    first, starts, due = inspections.period(made, date(2026, 3, 31), zone)
    assert (first, starts, due) == (date(2026, 3, 1), at(0, day=1), at(0, day=1) + timedelta(days=31))
    assert inspections.period(made, date(2026, 4, 1), zone)[0] == date(2026, 4, 1)
    december = inspections.period(made, date(2026, 12, 31), zone)
    assert december[0] == date(2026, 12, 1)
    assert december[2] == datetime(2026, 12, 31, 16, tzinfo=UTC)  # 2027-01-01 00:00 local
    inspections.keep_tasks_current(session, estate.id, at(23, 59, day=31))
    assert {t.day for t in tasks(session, estate)} == {date(2026, 3, 1)}


def test_given_weekdays_only(session, estate, boss, extinguishers):
    plan(session, boss, "weekdays", weekdays=["0", "3"])  # Monday and Thursday
    for day in range(9, 16):  # Monday 9th … Sunday 15th
        inspections.keep_tasks_current(session, estate.id, at(10, day=day))
    assert sorted({t.day for t in tasks(session, estate)}) == [date(2026, 3, 9), date(2026, 3, 12)]


def test_a_plan_by_kind_covers_only_that_kind_and_not_retired_assets(session, estate, boss, extinguishers, light):
    hydrant = make_asset(session, estate, "XF-001", subkind="hydrant")
    gone = make_asset(session, estate, "MH-009")
    gone.retired_at = at(8)
    session.add(gone)
    session.commit()
    plan(session, boss, "daily", subkind="extinguisher")
    inspections.keep_tasks_current(session, estate.id, at(10))
    assert {t.asset_id for t in tasks(session, estate)} == {a.id for a in extinguishers}
    assert hydrant.id not in {t.asset_id for t in tasks(session, estate)}


def test_a_paused_plan_makes_no_tasks(session, estate, boss, extinguishers):
    made = plan(session, boss, "daily")
    inspections.set_active(session, boss, made.id, False)
    session.commit()
    assert inspections.keep_tasks_current(session, estate.id, at(10)) == 0


def test_overdue_tasks_are_flagged_for_the_manager(session, estate, boss, tech, extinguishers):
    plan(session, boss, "daily")
    inspections.keep_tasks_current(session, estate.id, at(10, day=9))
    inspections.keep_tasks_current(session, estate.id, at(10))
    overdue = inspections.overdue_rows(session, boss, at(10))
    assert sorted(r.code for r in overdue) == ["MH-001", "MH-002"] and all(r.overdue for r in overdue)
    mine = inspections.today_rows(session, tech, at(10))
    assert len(mine) == 4 and [r.overdue for r in mine[:2]] == [True, True]
    with pytest.raises(NotAllowed):
        inspections.overdue_rows(session, tech, at(10))


def test_walking_order_by_location_then_code(session, estate, boss, tech, extinguishers, light):
    plan(session, boss, "daily")
    plan(session, boss, "daily", category="street_light", items=["灯亮", "灯杆无倾斜"])
    inspections.keep_tasks_current(session, estate.id, at(10))
    rows = inspections.today_rows(session, tech, at(10))
    assert [r.location for r in rows] == sorted(r.location for r in rows)
    assert [r.actions for r in rows] == [["record"]] * 3


def test_what_is_due_later_follows_what_is_due_today(session, estate, boss, tech, extinguishers, light):
    plan(session, boss, "monthly")  # on the 1st every monthly task is open, due at the month's end
    plan(session, boss, "daily", category="street_light", items=["灯亮"])
    inspections.keep_tasks_current(session, estate.id, at(10, day=1))
    rows = inspections.today_rows(session, tech, at(10, day=1))
    assert [(r.code, r.later) for r in rows] == [("LD-001", False), ("MH-001", True), ("MH-002", True)]
    assert [r.actions for r in rows] == [["record"]] * 3  # a task due later may be done today


def test_hostile_plans_are_refused(session, estate, boss, tech):
    bad = [
        ({"name": "", "category": "fire_equipment", "frequency": "daily", "items": ["a"]}, "error.plan_name_required"),
        ({"name": "x", "category": "nuclear", "frequency": "daily", "items": ["a"]}, "error.category_required"),
        ({"name": "x", "category": "fire_equipment", "subkind": "lift", "frequency": "daily", "items": ["a"]},
         "error.bad_request"),
        ({"name": "x", "category": "fire_equipment", "frequency": "hourly", "items": ["a"]}, "error.bad_request"),
        ({"name": "x", "category": "fire_equipment", "frequency": "weekdays", "weekdays": ["7"], "items": ["a"]},
         "error.weekdays_required"),
        ({"name": "x", "category": "fire_equipment", "frequency": "daily", "items": []}, "error.checklist_required"),
        ({"name": "x", "category": "fire_equipment", "frequency": "daily", "items": [{"a": 1}]},
         "error.checklist_required"),
        ({"name": "x", "category": "fire_equipment", "frequency": "daily", "items": ["a"] * 13},
         "error.checklist_too_long"),
        ({"name": "x", "category": "fire_equipment", "frequency": "daily", "items": ["a"], "role": "resident"},
         "error.bad_request"),
        ("not a dict", "error.bad_request"),
    ]
    for form, key in bad:
        with pytest.raises(InvalidInput) as info:
            inspections.save_plan(session, boss, form)
        assert info.value.key == key, form
    with pytest.raises(NotAllowed):
        inspections.save_plan(session, tech, {"name": "x", "category": "fire_equipment", "frequency": "daily",
                                              "items": ["a"]})
    assert inspections.plans_of(session, estate.id) == []

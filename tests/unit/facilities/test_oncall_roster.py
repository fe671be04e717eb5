"""Managers set up the 24-hour on-call cover on the roster: an on-call shift added (name unique, times that make a
shift), a technician put on it for a run of days from the estate's today (all days or none, each through the
roster's assign), and the gaps it closes; every refusal audited with nothing written."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from estate_pwa.models import DutyAssignment, Role, Shift
from estate_pwa.services import oncall
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import at, audit_entries, expect_refused

TODAY = date(2026, 3, 10)
"""The local day of `at(...)` (Asia/Shanghai)."""


@pytest.fixture
def plumber(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="水电甲"))


@pytest.fixture
def night(session, boss):
    shift = oncall.add_on_call_shift(session, boss, "值班", "18:00", "08:00")
    session.commit()
    return shift


def rows(fresh, estate) -> tuple[int, int]:
    """How many shifts and assignments the estate has (committed)."""
    fresh.expire_all()
    count = lambda model: fresh.exec(select(func.count()).select_from(model).where(  # noqa: E731
        model.estate_id == estate.id)).one()
    return count(Shift), count(DutyAssignment)


def test_an_on_call_shift_is_added_and_audited(session, fresh_session, estate, boss, night):
    assert (night.name, night.starts, night.ends, night.on_call) == ("值班", time(18), time(8), True)
    [entry] = audit_entries(fresh_session, estate.id, "oncall_shift_added")
    assert entry.detail == {"name": "值班", "starts": "18:00", "ends": "08:00"}


@pytest.mark.parametrize(("name", "starts", "ends", "key"), [
    ("", "18:00", "08:00", "error.oncall_shift_name"),
    (None, "18:00", "08:00", "error.oncall_shift_name"),
    ("夜" * 21, "18:00", "08:00", "error.text_too_long"),
    ("白班", "18:00", "08:00", "error.oncall_shift_taken"),  # the factory's day shift
    ("周末值班", "8:00", "20:00", "error.oncall_time"),
    ("周末值班", "25:00", "08:00", "error.oncall_time"),
    ("周末值班", "08:00", "08:00", "error.oncall_time"),  # no start-to-start "shift"
    ("周末值班", ["08:00"], "20:00", "error.oncall_time"),
])
def test_bad_shifts_are_refused(session, fresh_session, estate, boss, name, starts, ends, key):
    expect_refused(fresh_session, estate.id, "oncall_refused", InvalidInput, key,
                   lambda: oncall.add_on_call_shift(session, boss, name, starts, ends),
                   unchanged=lambda: rows(fresh_session, estate))


def test_a_run_of_nights_closes_the_gaps_across_midnight(session, fresh_session, estate, boss, plumber, night):
    assert oncall.cover_gaps(session, estate.id, at(12), days=3)[0].starts_at == at(12)
    made = oncall.put_on_call(session, boss, plumber.id, night.id, "2026-03-10", "3", now=at(12))
    session.commit()
    assert [(a.user_id, a.day, a.role) for a in made] == [
        (plumber.id, TODAY + timedelta(days=n), "technician") for n in range(3)]
    # on call 18:00–08:00 each night: only the days (08:00–18:00) remain uncovered
    assert [(g.starts_at, g.ends_at) for g in oncall.cover_gaps(session, estate.id, at(12), days=3)] == [
        (at(12), at(18)), (at(8, day=11), at(18, day=11)), (at(8, day=12), at(18, day=12))]
    assert oncall.on_call(session, estate.id, at(2, day=11)) == [plumber.id]
    again = oncall.put_on_call(session, boss, plumber.id, night.id, "2026-03-11", 2, now=at(12))
    session.commit()
    assert [a.id for a in again] == [a.id for a in made[1:]]  # the roster's assign is idempotent
    assert len(audit_entries(fresh_session, estate.id, "duty_assigned")) == 3


def test_bad_runs_are_refused_and_nothing_is_assigned(session, fresh_session, estate, boss, plumber, night, factory):
    guard = factory.user(estate, Role.GUARD, name="保安")
    day_shift = session.exec(select(Shift).where(Shift.estate_id == estate.id, Shift.name == "白班")).one()
    elsewhere = factory.shifts(factory.estate())["夜班"]
    cases = [
        ((guard.id, night.id, "2026-03-10", 1), InvalidInput, "error.role_not_held"),
        ((plumber.id, day_shift.id, "2026-03-10", 1), InvalidInput, "error.oncall_shift_not_on_call"),
        ((plumber.id, elsewhere.id, "2026-03-10", 1), NotFound, "error.not_found"),
        ((plumber.id, "x", "2026-03-10", 1), InvalidInput, "error.bad_request"),
        ((plumber.id, night.id, "2026-03-09", 1), InvalidInput, "error.oncall_day"),  # yesterday
        ((plumber.id, night.id, "2027-03-12", 1), InvalidInput, "error.oncall_day"),  # over a year ahead
        ((plumber.id, night.id, "2026-3-10", 1), InvalidInput, "error.oncall_day"),
        ((plumber.id, night.id, None, 1), InvalidInput, "error.oncall_day"),
        ((plumber.id, night.id, "2026-03-10", 0), InvalidInput, "error.oncall_days"),
        ((plumber.id, night.id, "2026-03-10", 32), InvalidInput, "error.oncall_days"),
        ((plumber.id, night.id, "2026-03-10", True), InvalidInput, "error.oncall_days"),
        ((10**6, night.id, "2026-03-10", 2), NotFound, "error.not_found"),
    ]
    for args, error, key in cases:
        expect_refused(fresh_session, estate.id, "oncall_refused", error, key,
                       lambda args=args: oncall.put_on_call(session, boss, *args, now=at(12)),
                       unchanged=lambda: rows(fresh_session, estate))


def test_only_managers_set_up_on_call(session, fresh_session, estate, boss, plumber, night):
    for call in (lambda: oncall.add_on_call_shift(session, plumber, "值班二", "20:00", "08:00"),
                 lambda: oncall.put_on_call(session, plumber, plumber.id, night.id, "2026-03-10", 1, now=at(12))):
        expect_refused(fresh_session, estate.id, "oncall_refused", NotAllowed, "error.not_allowed", call,
                       unchanged=lambda: rows(fresh_session, estate))
    with pytest.raises(NotAllowed):
        oncall.on_call_choices(session, plumber)
    choices = oncall.on_call_choices(session, boss)
    assert [(o.id, o.name) for o in choices.technicians] == [(plumber.id, "水电甲")]
    assert [o.name for o in choices.shifts] == ["值班 18:00–08:00"]  # on-call shifts only


def test_a_shift_added_by_mistake_is_removed_one_with_duties_stays(session, fresh_session, estate, boss, plumber,
                                                                    night, factory):
    mistake = oncall.add_on_call_shift(session, boss, "值班错", "08:00", "18:00")
    session.commit()
    oncall.remove_on_call_shift(session, boss, mistake.id)
    session.commit()
    assert [o.name for o in oncall.on_call_choices(session, boss).shifts] == ["值班 18:00–08:00"]
    [entry] = audit_entries(fresh_session, estate.id, "oncall_shift_removed")
    assert entry.detail == {"name": "值班错", "starts": "08:00", "ends": "18:00"}

    oncall.put_on_call(session, boss, plumber.id, night.id, "2026-03-10", 1, now=at(12))
    session.commit()
    day_shift = fresh_session.exec(select(Shift).where(Shift.estate_id == estate.id, Shift.name == "白班")).one()
    elsewhere = factory.estate("别的小区")
    far = oncall.add_on_call_shift(session, factory.actor(factory.user(elsewhere, Role.MANAGER)), "值班", "18:00",
                                   "08:00")
    session.commit()
    cases = [
        ((night.id,), InvalidInput, "error.oncall_shift_in_use"),  # the roster's history keeps its shift
        ((day_shift.id,), InvalidInput, "error.oncall_shift_not_on_call"),
        ((far.id,), NotFound, "error.not_found"),
        ((mistake.id,), NotFound, "error.not_found"),  # already gone
        (("1; DROP TABLE shift",), InvalidInput, "error.bad_request"),
        ((None,), InvalidInput, "error.bad_request"),
    ]
    for args, error, key in cases:
        expect_refused(fresh_session, estate.id, "oncall_refused", error, key,
                       lambda args=args: oncall.remove_on_call_shift(session, boss, *args),
                       unchanged=lambda: rows(fresh_session, estate))
    expect_refused(fresh_session, estate.id, "oncall_refused", NotAllowed, "error.not_allowed",
                   lambda: oncall.remove_on_call_shift(session, plumber, night.id),
                   unchanged=lambda: rows(fresh_session, estate))

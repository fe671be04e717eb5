"""Patrol schedules: windows of a route's day, rounds made ahead and shared out to the guards on duty, starting
a round, and closing overdue rounds."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from estate_pwa.models import DutyAssignment, PatrolRound, PatrolRoute, Role, RoundStatus, User
from estate_pwa.services import patrol, roster
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import at, audit_entries
from tests.unit.patrol.conftest import (
    DAY, MIN, make_points, make_route, put_on_duty, refused, round_at, scan, stored_round,
)


# Schedule windows

def test_windows_every_two_hours_cross_midnight():
    night = PatrolRoute(estate_id=1, name="夜巡", expected_minutes=30, grace_minutes=10, starts=time(20),
                        ends=time(6), every_minutes=120)
    windows = patrol.schedule_windows(night, DAY, "Asia/Shanghai")
    assert [s for s, _ in windows] == [at(20), at(22), at(0, day=11), at(2, day=11), at(4, day=11)]
    assert all(e - s == timedelta(minutes=30) for s, e in windows)
    assert all(s.utcoffset() == timedelta(0) for s, _ in windows)


def test_windows_within_one_day_stop_before_the_end():
    day_route = PatrolRoute(estate_id=1, name="日巡", expected_minutes=20, grace_minutes=0, starts=time(8),
                            ends=time(20), every_minutes=60)
    starts = [s for s, _ in patrol.schedule_windows(day_route, DAY, "Asia/Shanghai")]
    assert starts == [at(h) for h in range(8, 20)]


def test_windows_when_the_interval_does_not_divide_the_schedule():
    odd = PatrolRoute(estate_id=1, name="x", expected_minutes=30, grace_minutes=0, starts=time(20, 30),
                      ends=time(6), every_minutes=180)
    starts = [s for s, _ in patrol.schedule_windows(odd, DAY, "Asia/Shanghai")]
    assert starts == [at(20, 30), at(23, 30), at(2, 30, day=11), at(5, 30, day=11)]


def test_an_end_equal_to_the_start_means_around_the_clock():
    all_day = PatrolRoute(estate_id=1, name="x", expected_minutes=60, grace_minutes=0, starts=time(0),
                          ends=time(0), every_minutes=360)
    starts = [s for s, _ in patrol.schedule_windows(all_day, DAY, "Asia/Shanghai")]
    assert starts == [at(0), at(6), at(12), at(18)]


def test_shanghai_windows_are_the_same_every_day_of_the_year():
    """Asia/Shanghai has no daylight saving: 20:00 local is 12:00 UTC on every day of 2026."""
    night = PatrolRoute(estate_id=1, name="夜巡", expected_minutes=30, grace_minutes=10, starts=time(20),
                        ends=time(6), every_minutes=120)
    for offset in range(365):
        day = date(2026, 1, 1) + timedelta(days=offset)
        starts = [s for s, _ in patrol.schedule_windows(night, day, "Asia/Shanghai")]
        base = datetime.combine(day, time(12), tzinfo=UTC)
        assert starts == [base + timedelta(hours=h) for h in (0, 2, 4, 6, 8)], day


def test_windows_step_in_real_time_across_a_daylight_saving_change():
    """Where clocks jump (Berlin, 29 March 2026, 02:00 -> 03:00) rounds stay every 2 real hours."""
    night = PatrolRoute(estate_id=1, name="夜巡", expected_minutes=30, grace_minutes=10, starts=time(20),
                        ends=time(6), every_minutes=120)
    starts = [s for s, _ in patrol.schedule_windows(night, date(2026, 3, 28), "Europe/Berlin")]
    assert starts == [datetime(2026, 3, 28, 19, tzinfo=UTC) + timedelta(hours=h) for h in (0, 2, 4, 6, 8)]


# Generating rounds

def test_rounds_go_to_the_guard_on_duty_at_their_start(session, factory, estate, boss, guard, guard2, abc):
    route = make_route(session, boss, abc, starts="00:00", ends="00:00", every=240, expected=30)
    put_on_duty(session, boss, factory, estate, session.get(User, guard.id), "白班")
    roster.assign(session, boss, guard2.id, factory.shifts(estate)["夜班"].id, DAY, "guard")
    session.commit()
    created = patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(0) - MIN)
    session.commit()
    by_start = {r.window_start: r.guard_id for r in created}
    assert by_start == {at(0): None, at(4): None, at(8): guard.id, at(12): guard.id, at(16): guard.id,
                        at(20): guard2.id}
    stored = round_at(session, route, at(8))
    assert (stored.window_end, stored.grace_end, stored.status) == (at(8, 30), at(8, 40), RoundStatus.SCHEDULED)


def test_rounds_are_shared_out_to_the_guard_with_fewest(session, factory, estate, boss, guard, guard2, route):
    for g in (guard, guard2):
        roster.assign(session, boss, g.id, factory.shifts(estate)["白班"].id, DAY, "guard")
    session.commit()
    created = patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    assert len(created) == 12
    counts = {g.id: sum(r.guard_id == g.id for r in created) for g in (guard, guard2)}
    assert counts == {guard.id: 6, guard2.id: 6}
    assert [r.guard_id for r in created[:4]] == [min(guard.id, guard2.id), max(guard.id, guard2.id)] * 2


def test_generation_is_idempotent_and_fills_in_guards_later(session, factory, estate, boss, guard_user, guard,
                                                            route):
    first = patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    assert len(first) == 12 and all(r.guard_id is None for r in first)  # nobody on duty yet
    put_on_duty(session, boss, factory, estate, guard_user)
    again = patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    assert again == []
    rounds = session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id)).all()
    assert len(rounds) == 12
    assert {r.guard_id for r in rounds} == {guard.id}


def test_rounds_not_started_follow_a_changed_roster(session, factory, estate, boss, guard, guard2, route,
                                                   day_rounds, started):
    """The guard is taken off today's day shift and guard2 put on it: the rounds not started move to guard2;
    the one already started stays with the guard who walks it."""
    duty = session.exec(select(DutyAssignment).where(DutyAssignment.user_id == guard.id)).one()
    roster.unassign(session, boss, duty.id)
    roster.assign(session, boss, guard2.id, factory.shifts(estate)["白班"].id, DAY, "guard")
    session.commit()
    assert patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(12, 30)) == []
    session.commit()
    rounds = {r.window_start: r for r in session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id))}
    assert rounds[at(12)].guard_id == guard.id and rounds[at(12)].status == RoundStatus.IN_PROGRESS
    assert {rounds[at(h)].guard_id for h in range(13, 20)} == {guard2.id}


def test_windows_already_over_are_not_created(session, estate, route):
    created = patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(12, 35))
    session.commit()
    # 12:00's grace ends 12:40, so it is still created; 11:00's ended at 11:40
    assert [r.window_start for r in created] == [at(h) for h in range(12, 20)]


def test_inactive_routes_get_no_rounds(session, estate, route):
    route.active = False
    session.add(route)
    session.commit()
    assert patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7)) == []


def test_generation_range_is_checked(session, estate, route):
    for start, end in ((at(12), at(12)), (at(12), at(11)), (at(0), at(0, day=19))):
        with pytest.raises(InvalidInput) as info:
            patrol.generate_rounds(session, estate.id, start, end, now=at(7))
        assert info.value.key == "error.bad_time"
    with pytest.raises(InvalidInput):
        patrol.generate_rounds(session, estate.id, datetime(2026, 3, 10), at(12), now=at(7))


def test_night_rounds_after_midnight_belong_to_the_night_shift(session, factory, estate, boss, guard_user, guard,
                                                                abc):
    route = make_route(session, boss, abc, name="夜巡", starts="20:00", ends="06:00", every=120)
    put_on_duty(session, boss, factory, estate, guard_user, "夜班")
    created = patrol.generate_rounds(session, estate.id, at(12), at(12, day=11), now=at(12))
    session.commit()
    assert [(r.window_start, r.guard_id) for r in created] == [
        (at(20), guard.id), (at(22), guard.id), (at(0, day=11), guard.id), (at(2, day=11), guard.id),
        (at(4, day=11), guard.id)]
    assert all(r.route_id == route.id for r in created)


# Starting a round

def test_start_from_ten_minutes_before(session, fresh_session, estate, guard, day_rounds):
    refused(fresh_session, estate.id, InvalidInput, "error.round_too_early",
            lambda: patrol.start_round(session, guard, day_rounds.id, now=at(11, 49, 59)),
            action="round_start_refused")
    started = patrol.start_round(session, guard, day_rounds.id, now=at(11, 50))
    session.commit()
    stored = stored_round(fresh_session, started.id)
    assert (stored.status, stored.started_at, stored.guard_id) == (RoundStatus.IN_PROGRESS, at(11, 50), guard.id)
    assert [e.target_id for e in audit_entries(fresh_session, estate.id, "patrol_round_started")] == [started.id]


def test_only_the_assigned_guard_starts_a_round(session, factory, fresh_session, estate, boss, guard2, day_rounds):
    put_on_duty(session, boss, factory, estate, session.get(User, guard2.id))
    refused(fresh_session, estate.id, NotAllowed, "error.not_your_round",
            lambda: patrol.start_round(session, guard2, day_rounds.id, now=at(12)), action="round_start_refused")
    assert stored_round(fresh_session, day_rounds.id).status == RoundStatus.SCHEDULED


def test_an_unassigned_round_goes_to_the_on_duty_guard_who_starts_it(session, factory, fresh_session, estate, boss,
                                                                      guard, guard2, route):
    patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))  # nobody on duty: unassigned
    session.commit()
    open_round = round_at(session, route, at(12))
    assert open_round.guard_id is None
    refused(fresh_session, estate.id, NotAllowed, "error.not_on_duty",
            lambda: patrol.start_round(session, guard, open_round.id, now=at(12)), action="round_start_refused")
    roster.assign(session, boss, guard2.id, factory.shifts(estate)["白班"].id, DAY, "guard")
    session.commit()
    patrol.start_round(session, guard2, open_round.id, now=at(12, 1))
    session.commit()
    stored = stored_round(fresh_session, open_round.id)
    assert (stored.guard_id, stored.status) == (guard2.id, RoundStatus.IN_PROGRESS)


def test_start_refused_after_grace_or_twice(session, fresh_session, estate, guard, route, day_rounds):
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    session.commit()
    refused(fresh_session, estate.id, InvalidInput, "error.round_already_started",
            lambda: patrol.start_round(session, guard, day_rounds.id, now=at(12, 5)), action="round_start_refused")
    later = round_at(session, route, at(13))
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: patrol.start_round(session, guard, later.id, now=at(13, 40, 1)), action="round_start_refused")
    patrol.start_round(session, guard, later.id, now=at(13, 40))  # the last moment of its grace
    session.commit()


def test_start_refused_for_closed_rounds(session, fresh_session, estate, guard, route, day_rounds):
    patrol.close_overdue(session, estate.id, now=at(12, 41))
    session.commit()
    assert stored_round(fresh_session, day_rounds.id).status == RoundStatus.MISSED
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: patrol.start_round(session, guard, day_rounds.id, now=at(12, 42)), action="round_start_refused")


def test_start_refused_for_non_guards_and_other_estates(session, factory, fresh_session, estate, boss, day_rounds):
    refused(fresh_session, estate.id, NotAllowed, "error.not_allowed",
            lambda: patrol.start_round(session, boss, day_rounds.id, now=at(12)), action="round_start_refused")
    with pytest.raises(NotAllowed) as info:
        patrol.start_round(session, None, day_rounds.id, now=at(12))
    assert info.value.key == "error.login_required"
    other = factory.estate()
    outsider = factory.actor(factory.user(other, Role.GUARD, name="外人"))
    refused(fresh_session, other.id, NotFound, "error.not_found",
            lambda: patrol.start_round(session, outsider, day_rounds.id, now=at(12)), action="round_start_refused")
    for bad in (None, "x", -1, 0, True, 2**40):
        with pytest.raises(InvalidInput):
            patrol.start_round(session, outsider, bad, now=at(12))
    assert stored_round(fresh_session, day_rounds.id).status == RoundStatus.SCHEDULED


def test_close_overdue_marks_missed_and_incomplete_and_keeps_finished(session, fresh_session, estate, guard, route,
                                                                      abc, day_rounds):
    noon, one, two = day_rounds, round_at(session, route, at(13)), round_at(session, route, at(14))
    patrol.start_round(session, guard, noon.id, now=at(12))
    for point, minute in zip(abc, (1, 3, 5)):
        scan(session, guard, point, at(12, minute))
    patrol.start_round(session, guard, one.id, now=at(13))
    scan(session, guard, abc[0], at(13, 1))
    session.commit()
    closed = patrol.close_overdue(session, estate.id, now=at(13, 40))  # the 13:00 round is still in its grace
    session.commit()
    assert [(r.window_start, r.status) for r in closed] == [(at(h), RoundStatus.MISSED) for h in (8, 9, 10, 11)]
    closed = patrol.close_overdue(session, estate.id, now=at(13, 41))
    session.commit()
    assert [(r.window_start, r.status) for r in closed] == [(at(13), RoundStatus.INCOMPLETE)]
    assert stored_round(fresh_session, noon.id).status == RoundStatus.ON_TIME
    assert stored_round(fresh_session, two.id).status == RoundStatus.SCHEDULED
    assert patrol.close_overdue(session, estate.id, now=at(13, 42)) == []
    summary = audit_entries(fresh_session, estate.id, "patrol_rounds_closed")
    assert [(e.detail["missed"], e.detail["incomplete"], e.actor_id) for e in summary] == [(4, 0, None), (0, 1, None)]


def test_round_status_as_of_now_matches_close_overdue(session, guard, route, day_rounds):
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    session.commit()
    later = round_at(session, route, at(13))
    assert patrol.round_status(day_rounds, at(12, 40)) == RoundStatus.IN_PROGRESS
    assert patrol.round_status(day_rounds, at(12, 40, 1)) == RoundStatus.INCOMPLETE
    assert patrol.round_status(later, at(13, 40, 1)) == RoundStatus.MISSED
    assert patrol.round_status(later, at(13, 40)) == RoundStatus.SCHEDULED


def test_can_start_from_ten_minutes_before_the_window_to_its_grace_end(session, factory, estate, boss,
                                                                       guard_user, guard, area):
    stops = make_points(session, boss, area, None, prefix="启")
    route = make_route(session, boss, stops, name="启动", starts="12:00", ends="13:00", every=60, expected=30)
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(11))
    session.commit()
    row = next(r for r in patrol.my_rounds(session, guard, now=at(11, 49)) if r.route_id == route.id)
    assert [patrol.can_start(row, at(11, m)) for m in (49, 50)] == [False, True]
    assert patrol.can_start(row, row.grace_end) and not patrol.can_start(row, row.grace_end + timedelta(seconds=1))

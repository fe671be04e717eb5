"""Guard patrols: schedule windows, round generation and assignment, starting rounds, scanning (progress,
auto-close, duplicates, speed, strict order, bad codes, refusals), exactly-once sync, closing overdue rounds,
the manager's board, history and CSV, and estate isolation."""

import csv
import io
import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, func, select

from estate_pwa.core import tokens
from estate_pwa.core.db import get_engine
from estate_pwa.i18n import tr
from estate_pwa.models import (
    Area, AuditEntry, DutyAssignment, Estate, PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, Role, RoundStatus,
    RouteStop, ScanOutcome, User,
)
from estate_pwa.services import patrol, roster
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW

DAY = date(2026, 3, 10)  # NOW is 12:00 local on this day: inside the day shift (08–20)
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
# Three checkpoints about 111 m apart in a line (0.001° of latitude): walking needs 44.5 s between neighbours.
A_POS, B_POS, C_POS = (31.2300, 121.4700), (31.2310, 121.4700), (31.2320, 121.4700)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 10) -> datetime:
    """An instant given in Asia/Shanghai local time (UTC+8, no daylight saving) in March 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


assert at(12) == NOW


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv(tokens.SECRET_ENV, "patrol-tests-secret-0123456789")


# Helpers

def uid() -> str:
    return uuid.uuid4().hex


_OWN_CODE = object()


def scan(session, guard, point, now, scan_uid=None, client_time=None, token=_OWN_CODE):
    """One scan sent at server time `now` (the phone's clock agreeing unless told), committed like a handler."""
    token = patrol.point_token(point) if token is _OWN_CODE else token
    result = patrol.record_scan(session, guard, token, scan_uid or uid(),
                                now if client_time is None else client_time, now=now)
    session.commit()
    return result


def audit_entries(fresh, estate_id, action) -> list[AuditEntry]:
    fresh.expire_all()
    return list(fresh.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate_id, AuditEntry.action == action).order_by(AuditEntry.id)))


def scans(fresh, estate_id, outcome=None) -> list[PatrolScan]:
    fresh.expire_all()
    query = select(PatrolScan).where(PatrolScan.estate_id == estate_id)
    if outcome is not None:
        query = query.where(PatrolScan.outcome == outcome)
    return list(fresh.exec(query.order_by(PatrolScan.id)))


def stored_round(fresh, round_id) -> PatrolRound:
    fresh.expire_all()
    return fresh.get(PatrolRound, round_id)


def refused(fresh, estate_id, error_type, key, call, action="scan_refused"):
    """Run `call`, expect `error_type(key)`, one new audit entry `action` with the reason, and no new counted scan."""
    logged = len(audit_entries(fresh, estate_id, action))
    counted = len(scans(fresh, estate_id, ScanOutcome.COUNTED))
    with pytest.raises(error_type) as info:
        call()
    assert type(info.value) is error_type
    assert info.value.key == key
    entries = audit_entries(fresh, estate_id, action)
    assert len(entries) == logged + 1
    assert entries[-1].detail["reason"] == key
    assert len(scans(fresh, estate_id, ScanOutcome.COUNTED)) == counted
    return info.value


def put_on_duty(session, boss, factory, estate, user, shift="白班", day=DAY):
    roster.assign(session, boss, user.id, factory.shifts(estate)[shift].id, day, "guard")
    session.commit()


def make_area(session, estate, name="小区大门") -> Area:
    area = Area(estate_id=estate.id, name=name, kind="gate")
    session.add(area)
    session.commit()
    return area


def make_points(session, boss, area, *positions, prefix="点"):
    made = []
    for i, pos in enumerate(positions):
        lat, lon = pos if pos else (None, None)
        made.append(patrol.create_point(session, boss, area.id, f"{prefix}{i + 1}", "路边", lat, lon))
    session.commit()
    return made


def make_route(session, boss, points, name="日巡", starts="08:00", ends="20:00", every=60, expected=30, grace=10,
               strict=False):
    route = patrol.create_route(session, boss, name, [p.id for p in points], starts, ends, every, expected, grace,
                                strict)
    session.commit()
    return route


def round_at(session, route, start) -> PatrolRound:
    return session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id,
                                                  PatrolRound.window_start == start)).one()


# Fixtures

@pytest.fixture
def guard_user(factory, estate):
    return factory.user(estate, Role.GUARD, name="保安甲")


@pytest.fixture
def guard(factory, guard_user):
    return factory.actor(guard_user)


@pytest.fixture
def guard2(factory, estate, guard):
    """A second guard, made after the first (so with the higher id)."""
    return factory.actor(factory.user(estate, Role.GUARD, name="保安乙"))


@pytest.fixture
def area(session, estate):
    return make_area(session, estate)


@pytest.fixture
def abc(session, boss, area):
    """Checkpoints A, B, C with coordinates, about 111 m apart in a line."""
    return make_points(session, boss, area, A_POS, B_POS, C_POS)


@pytest.fixture
def route(session, boss, abc):
    """08:00–20:00 every hour; a round takes 30 minutes plus 10 minutes' grace."""
    return make_route(session, boss, abc)


@pytest.fixture
def day_rounds(session, factory, estate, boss, guard_user, route):
    """The guard is on the day shift and the day's rounds exist; returns the 12:00 round."""
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    return round_at(session, route, at(12))


@pytest.fixture
def started(session, guard, day_rounds):
    """The 12:00 round, started by its guard at 12:00."""
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    session.commit()
    return day_rounds


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


# Scanning a round

def test_a_round_scanned_in_full_closes_itself_on_time(session, fresh_session, estate, guard, abc, started):
    a, b, c = abc
    first = scan(session, guard, a, at(12, 1))
    assert (first.point_name, first.done, first.total, first.outcome, first.round_status) == (
        "点1", 1, 3, ScanOutcome.COUNTED, RoundStatus.IN_PROGRESS)
    assert first.counted and first.round_id == started.id and not first.replayed
    second = scan(session, guard, b, at(12, 3))
    assert (second.done, second.round_status) == (2, RoundStatus.IN_PROGRESS)
    assert stored_round(fresh_session, started.id).finished_at is None
    last = scan(session, guard, c, at(12, 5))
    assert (last.point_name, last.done, last.total, last.round_status) == ("点3", 3, 3, RoundStatus.ON_TIME)
    stored = stored_round(fresh_session, started.id)
    assert (stored.status, stored.finished_at) == (RoundStatus.ON_TIME, at(12, 5))
    rows = scans(fresh_session, estate.id)
    assert [(r.point_id, r.outcome, r.server_time, r.client_time, r.synced_late) for r in rows] == [
        (a.id, "counted", at(12, 1), at(12, 1), False), (b.id, "counted", at(12, 3), at(12, 3), False),
        (c.id, "counted", at(12, 5), at(12, 5), False)]
    assert all(r.round_id == started.id and r.guard_id == guard.id for r in rows)
    assert len(audit_entries(fresh_session, estate.id, "patrol_round_finished")) == 1


def test_finishing_exactly_at_window_end_is_on_time(session, fresh_session, guard, abc, started):
    for point, minute in zip(abc, (10, 20, 30)):
        result = scan(session, guard, point, at(12, minute))
    assert result.round_status == RoundStatus.ON_TIME
    assert stored_round(fresh_session, started.id).status == RoundStatus.ON_TIME


def test_finishing_within_grace_is_late(session, fresh_session, guard, abc, started):
    scan(session, guard, abc[0], at(12, 10))
    scan(session, guard, abc[1], at(12, 20))
    result = scan(session, guard, abc[2], at(12, 30, 1))
    assert result.round_status == RoundStatus.LATE
    stored = stored_round(fresh_session, started.id)
    assert (stored.status, stored.finished_at) == (RoundStatus.LATE, at(12, 30, 1))


def test_scans_after_grace_are_refused_and_the_round_ends_incomplete(session, fresh_session, estate, guard, abc,
                                                                     started):
    scan(session, guard, abc[0], at(12, 10))
    scan(session, guard, abc[1], at(12, 20))
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: scan(session, guard, abc[2], at(12, 40, 1)))
    assert stored_round(fresh_session, started.id).status == RoundStatus.IN_PROGRESS  # until close_overdue runs
    closed = patrol.close_overdue(session, estate.id, now=at(12, 41))
    session.commit()
    assert [(r.window_start, r.status) for r in closed] == [(at(h), RoundStatus.MISSED) for h in (8, 9, 10, 11)] + [
        (at(12), RoundStatus.INCOMPLETE)]
    stored = stored_round(fresh_session, started.id)
    assert (stored.status, stored.finished_at) == (RoundStatus.INCOMPLETE, None)
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: scan(session, guard, abc[2], at(12, 45)))


def test_scans_queued_during_a_round_and_received_after_it_closed_are_kept_on_it(session, fresh_session, estate,
                                                                                   boss, guard, abc, started):
    scan(session, guard, abc[0], at(12, 5))
    patrol.close_overdue(session, estate.id, now=at(12, 41))
    session.commit()
    late_uid = uid()
    error = refused(fresh_session, estate.id, InvalidInput, "error.scan_after_close",
                    lambda: scan(session, guard, abc[1], at(12, 45), scan_uid=late_uid, client_time=at(12, 20)))
    kept = scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1]
    assert (kept.round_id, kept.client_time, kept.server_time, kept.synced_late) == (
        started.id, at(12, 20), at(12, 45), True)
    assert stored_round(fresh_session, started.id).status == RoundStatus.INCOMPLETE  # decided by server time only
    with pytest.raises(InvalidInput) as again:  # the queue sending it again gets the same answer, no second row
        scan(session, guard, abc[1], at(12, 48), scan_uid=late_uid, client_time=at(12, 20))
    assert again.value.key == error.key
    assert len(scans(fresh_session, estate.id, ScanOutcome.REFUSED)) == 1
    # a phone time outside the round (before it started) is not tied to it
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: scan(session, guard, abc[2], at(12, 45), client_time=at(11, 50)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].round_id is None
    row = patrol.history(session, boss, at(12), at(13), now=at(13))[0]
    assert (row.round_id, row.status, row.done, row.refused) == (started.id, RoundStatus.INCOMPLETE, 1, 1)


def test_a_late_scan_is_kept_on_its_closed_round_while_the_next_round_is_open(session, fresh_session, estate, guard,
                                                                              route, abc, started):
    patrol.start_round(session, guard, round_at(session, route, at(13)).id, now=at(13))
    session.commit()
    refused(fresh_session, estate.id, InvalidInput, "error.scan_after_close",
            lambda: scan(session, guard, abc[1], at(13, 5), client_time=at(12, 20)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].round_id == started.id
    refused(fresh_session, estate.id, InvalidInput, "error.scan_before_round",  # before both rounds
            lambda: scan(session, guard, abc[1], at(13, 6), client_time=at(11, 0)))


def test_a_late_scan_is_kept_on_its_round_after_the_guards_shift_ended(session, fresh_session, estate, guard, route,
                                                                       abc, day_rounds):
    evening = round_at(session, route, at(19))
    patrol.start_round(session, guard, evening.id, now=at(19))
    session.commit()
    refused(fresh_session, estate.id, InvalidInput, "error.scan_after_close",
            lambda: scan(session, guard, abc[0], at(20, 45), client_time=at(19, 20)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].round_id == evening.id
    refused(fresh_session, estate.id, NotAllowed, "error.not_on_duty",  # a scan of no round of theirs
            lambda: scan(session, guard, abc[0], at(20, 46)))


def test_a_late_scan_goes_to_the_round_already_started_when_it_was_made(session, fresh_session, estate, boss, guard,
                                                                        route, abc, started):
    other = make_route(session, boss, [abc[1]], name="补巡", starts="12:00", ends="13:00", every=60)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    session.commit()
    patrol.start_round(session, guard, round_at(session, other, at(12)).id, now=at(12, 30))
    session.commit()
    refused(fresh_session, estate.id, InvalidInput, "error.scan_after_close",
            lambda: scan(session, guard, abc[1], at(14), client_time=at(12, 27)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].round_id == started.id


def test_a_late_scan_made_after_its_round_finished_is_not_kept_on_it(session, fresh_session, estate, guard, abc,
                                                                     started):
    for point, minute in zip(abc, (5, 15, 25)):
        scan(session, guard, point, at(12, minute))
    assert stored_round(fresh_session, started.id).status == RoundStatus.ON_TIME
    refused(fresh_session, estate.id, InvalidInput, "error.round_closed",
            lambda: scan(session, guard, abc[1], at(12, 45), client_time=at(12, 35)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].round_id is None


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


def test_scan_before_the_round_is_started_is_refused(session, fresh_session, estate, guard, abc, day_rounds):
    refused(fresh_session, estate.id, InvalidInput, "error.round_not_started",
            lambda: scan(session, guard, abc[0], at(12, 1)))
    assert scans(fresh_session, estate.id, ScanOutcome.REFUSED)[-1].detail == "error.round_not_started"


def test_scan_of_a_point_on_no_round_of_the_guard_is_refused(session, fresh_session, estate, boss, guard, area,
                                                             started):
    (stray,) = make_points(session, boss, area, None, prefix="车库")
    refused(fresh_session, estate.id, InvalidInput, "error.not_on_round",
            lambda: scan(session, guard, stray, at(12, 1)))


def test_scan_of_another_guards_round_is_refused(session, factory, fresh_session, estate, boss, guard2, abc, started):
    put_on_duty(session, boss, factory, estate, session.get(User, guard2.id))
    refused(fresh_session, estate.id, InvalidInput, "error.not_on_round",
            lambda: scan(session, guard2, abc[0], at(12, 1)))


def test_scan_picks_the_round_that_has_the_point(session, fresh_session, estate, boss, guard, area, abc, started):
    (gate,) = make_points(session, boss, area, None, prefix="北门")
    other_route = make_route(session, boss, [gate], name="北门巡", starts="12:00", ends="13:00", every=60)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    session.commit()
    other_round = round_at(session, other_route, at(12))
    assert other_round.guard_id == guard.id
    refused(fresh_session, estate.id, InvalidInput, "error.round_not_started",
            lambda: scan(session, guard, gate, at(12, 1)))
    patrol.start_round(session, guard, other_round.id, now=at(12, 2))
    session.commit()
    result = scan(session, guard, gate, at(12, 3))
    assert (result.round_id, result.done, result.total, result.round_status) == (
        other_round.id, 1, 1, RoundStatus.ON_TIME)
    assert scan(session, guard, abc[0], at(12, 4)).round_id == started.id


def test_a_point_on_two_open_rounds_counts_where_it_is_still_missing(session, fresh_session, estate, boss, guard,
                                                                     abc, started):
    other_route = make_route(session, boss, [abc[0], abc[2]], name="东区", starts="12:00", ends="13:00", every=60)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    session.commit()
    other_round = round_at(session, other_route, at(12))
    patrol.start_round(session, guard, other_round.id, now=at(12, 1))
    session.commit()
    first = scan(session, guard, abc[0], at(12, 2))
    assert (first.round_id, first.outcome) == (started.id, ScanOutcome.COUNTED)  # both lack it: the earlier window
    second = scan(session, guard, abc[0], at(12, 8))
    assert (second.round_id, second.outcome, second.done, second.total) == (other_round.id, ScanOutcome.COUNTED, 1, 2)


# Duplicates

def test_the_same_point_within_five_minutes_is_a_duplicate(session, fresh_session, estate, guard, abc, started):
    scan(session, guard, abc[0], at(12, 1))
    again = scan(session, guard, abc[0], at(12, 1, 30))
    assert (again.outcome, again.done, again.round_status) == (ScanOutcome.DUPLICATE, 1, RoundStatus.IN_PROGRESS)
    assert not again.counted
    later = scan(session, guard, abc[0], at(12, 7))  # past 5 minutes, but already counted in this round
    assert (later.outcome, later.done) == (ScanOutcome.DUPLICATE, 1)
    assert [r.outcome for r in scans(fresh_session, estate.id)] == ["counted", "duplicate", "duplicate"]
    assert audit_entries(fresh_session, estate.id, "scan_refused") == []


def test_duplicate_window_spans_consecutive_rounds(session, fresh_session, estate, boss, guard, area, abc,
                                                   day_rounds):
    """The last checkpoint of one round scanned again within 5 minutes as the first of the next is a duplicate."""
    loop = make_route(session, boss, [abc[0]], name="单点", starts="12:35", ends="13:35", every=5, expected=5,
                      grace=0)
    patrol.generate_rounds(session, estate.id, at(12, 35), at(12, 45), now=at(12, 30))
    session.commit()
    first, second = round_at(session, loop, at(12, 35)), round_at(session, loop, at(12, 40))
    patrol.start_round(session, guard, first.id, now=at(12, 35))
    session.commit()
    assert scan(session, guard, abc[0], at(12, 36)).round_status == RoundStatus.ON_TIME
    patrol.start_round(session, guard, second.id, now=at(12, 40))
    session.commit()
    assert scan(session, guard, abc[0], at(12, 40, 30)).outcome == ScanOutcome.DUPLICATE
    assert scan(session, guard, abc[0], at(12, 41, 1)).outcome == ScanOutcome.COUNTED


# Speed

def test_too_fast_between_points_with_coordinates_is_flagged_not_counted(session, fresh_session, estate, guard, abc,
                                                                        started):
    a, b, _ = abc
    assert 110 < patrol.distance_m(a, b) < 112
    scan(session, guard, a, at(12, 1))
    fast = scan(session, guard, b, at(12, 1, 30))  # 111 m in 30 s: 3.7 m/s
    assert (fast.outcome, fast.done, fast.counted) == (ScanOutcome.TOO_FAST, 1, False)
    assert fast.detail.startswith("too fast")
    flagged = audit_entries(fresh_session, estate.id, "scan_flagged")
    assert [(e.target_id, e.detail["point"], e.actor_id) for e in flagged] == [(started.id, b.id, guard.id)]
    walked = scan(session, guard, b, at(12, 1, 45))  # 45 s after A: 2.47 m/s, believable; not a duplicate
    assert (walked.outcome, walked.done) == (ScanOutcome.COUNTED, 2)
    assert [r.outcome for r in scans(fresh_session, estate.id)] == ["counted", "too_fast", "counted"]


def test_speed_boundary_with_coordinates(session, guard, abc, started):
    a, b, _ = abc
    needed = patrol.walk_time(a, b)
    assert timedelta(seconds=44) < needed < timedelta(seconds=45)
    scan(session, guard, a, at(12, 1))
    assert scan(session, guard, b, at(12, 1) + needed - SEC).outcome == ScanOutcome.TOO_FAST
    assert scan(session, guard, b, at(12, 1) + needed + SEC).outcome == ScanOutcome.COUNTED


def test_without_coordinates_twenty_seconds_are_needed(session, fresh_session, estate, boss, factory, guard_user,
                                                       guard, area):
    x, y, z = make_points(session, boss, area, None, None, A_POS, prefix="无坐标")
    route = make_route(session, boss, [x, y, z], name="无坐标巡")
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    patrol.start_round(session, guard, round_at(session, route, at(12)).id, now=at(12))
    session.commit()
    scan(session, guard, x, at(12, 1))
    assert scan(session, guard, y, at(12, 1, 19)).outcome == ScanOutcome.TOO_FAST
    assert scan(session, guard, y, at(12, 1, 20)).outcome == ScanOutcome.COUNTED
    # z has coordinates but y has none: the 20 s rule again
    assert scan(session, guard, z, at(12, 1, 39)).outcome == ScanOutcome.TOO_FAST
    assert scan(session, guard, z, at(12, 1, 41)).round_status == RoundStatus.ON_TIME
    assert len(audit_entries(fresh_session, estate.id, "scan_flagged")) == 2


def test_offline_queue_sent_at_once_is_judged_by_scan_times(session, fresh_session, estate, guard, abc, started):
    """Three scans made a minute apart in a dead zone arrive together: none is too fast, all are synced late."""
    sent = at(12, 10)
    results = [scan(session, guard, p, sent, client_time=at(12, 1 + i)) for i, p in enumerate(abc)]
    assert [r.outcome for r in results] == ["counted"] * 3
    assert results[-1].round_status == RoundStatus.ON_TIME
    stored = stored_round(fresh_session, started.id)
    assert stored.finished_at == sent  # the round's clock is the server's
    assert [(r.server_time, r.client_time, r.synced_late) for r in scans(fresh_session, estate.id)] == [
        (sent, at(12, 1), True), (sent, at(12, 2), True), (sent, at(12, 3), True)]


def test_queued_scans_arriving_after_a_later_live_scan_are_judged_against_their_neighbours(
        session, fresh_session, estate, guard, abc, started):
    """A and B are scanned offline, C later online; A and B arrive last and are still counted, in scan order."""
    a, b, c = abc
    assert scan(session, guard, c, at(12, 12)).counted
    late = [scan(session, guard, p, at(12, 15), client_time=t) for p, t in ((a, at(12, 5)), (b, at(12, 8)))]
    assert [r.outcome for r in late] == ["counted", "counted"]
    assert late[-1].round_status == RoundStatus.ON_TIME


def test_a_queued_scan_too_close_to_a_later_scan_is_flagged(session, fresh_session, estate, guard, abc, started):
    a, b, _ = abc
    assert scan(session, guard, b, at(12, 5)).counted
    needed = patrol.walk_time(a, b)
    flagged = scan(session, guard, a, at(12, 6), client_time=at(12, 5) - needed + SEC)
    assert flagged.outcome == ScanOutcome.TOO_FAST and not flagged.counted
    assert scan(session, guard, a, at(12, 7), client_time=at(12, 5) - needed - SEC).counted


def test_scans_claimed_before_the_round_started_are_refused(session, fresh_session, estate, guard, abc, started):
    """Back-dated claims cannot fill a round: the round started at 12:00, the phone may be 5 minutes slow."""
    a, b, c = abc
    refused(fresh_session, estate.id, InvalidInput, "error.scan_before_round",
            lambda: scan(session, guard, a, at(12, 1), client_time=at(11, 54, 59)))
    assert scan(session, guard, a, at(12, 1), client_time=at(11, 55)).counted
    assert [r.outcome for r in scans(fresh_session, estate.id)] == ["refused", "counted"]


# Strict order

def test_strict_route_refuses_points_out_of_order(session, fresh_session, estate, factory, boss, guard_user, guard,
                                                  abc):
    route = make_route(session, boss, abc, name="严格", strict=True)
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    patrol.start_round(session, guard, round_at(session, route, at(12)).id, now=at(12))
    session.commit()
    a, b, c = abc
    refused(fresh_session, estate.id, InvalidInput, "error.out_of_order", lambda: scan(session, guard, b, at(12, 1)))
    assert scan(session, guard, a, at(12, 2)).counted
    assert scan(session, guard, a, at(12, 3)).outcome == ScanOutcome.DUPLICATE  # not out of order
    refused(fresh_session, estate.id, InvalidInput, "error.out_of_order", lambda: scan(session, guard, c, at(12, 4)))
    assert scan(session, guard, b, at(12, 5)).counted
    assert scan(session, guard, c, at(12, 6)).round_status == RoundStatus.ON_TIME
    assert [r.outcome for r in scans(fresh_session, estate.id)] == [
        "refused", "counted", "duplicate", "refused", "counted", "counted"]


def test_free_order_route_accepts_any_order(session, guard, abc, started):
    a, b, c = abc
    assert scan(session, guard, c, at(12, 1)).counted
    assert scan(session, guard, a, at(12, 3)).counted
    assert scan(session, guard, b, at(12, 5)).round_status == RoundStatus.ON_TIME


# Bad codes

def test_forged_garbled_and_other_purpose_codes_are_refused(session, fresh_session, estate, guard, abc, started):
    a = abc[0]
    good = patrol.point_token(a)
    body, tag = good.split(".")
    for bad in ("", "hello", good + "x", f"{body}.{tag[:-2]}AA", tag + "." + body,
                tokens.sign("invite", f"{estate.id}:{a.id}:1"), patrol.point_url("https://x", a), None, 42,
                "a" * 5000):
        refused(fresh_session, estate.id, InvalidInput, "error.qr_invalid",
                lambda bad=bad: scan(session, guard, a, at(12, 1), token=bad))
    # a well-signed token whose text is not a checkpoint reference
    for payload in ("hello", f"{estate.id}:{a.id}", f"{estate.id}:{a.id}:1:2", f"{estate.id}:-{a.id}:1",
                    f"{estate.id}:{a.id}:x", f"{estate.id}:99999999999:1", f"{estate.id}:０:1"):
        refused(fresh_session, estate.id, InvalidInput, "error.qr_invalid",
                lambda payload=payload: scan(session, guard, a, at(12, 1),
                                             token=tokens.sign(patrol.TOKEN_PURPOSE, payload)))
    # the right shape, naming a checkpoint that does not exist or is another estate's id in this estate's name
    for payload in (f"{estate.id}:2147483647:1", f"{estate.id + 1}:{a.id}:1"):
        refused(fresh_session, estate.id, InvalidInput, "error.qr_invalid",
                lambda payload=payload: scan(session, guard, a, at(12, 1),
                                             token=tokens.sign(patrol.TOKEN_PURPOSE, payload)))
    assert scans(fresh_session, estate.id) == []  # an unusable code leaves no scan row at all
    assert scan(session, guard, a, at(12, 2)).counted


def test_what_a_scanner_reads_is_reduced_to_the_code_and_only_the_signature_decides(session, guard, abc, started):
    a = abc[0]
    code = patrol.point_token(a)
    for scanned in (code, f"  {code}\n", patrol.point_url("https://estate.example", a),
                    patrol.point_url("https://estate.example", a) + "/?utm=x#top"):
        assert patrol.token_of(scanned) == code
    for scanned in (None, 42, ["x"], "a" * (patrol.SCANNED_MAX + 1)):
        assert patrol.token_of(scanned) == ""
    assert patrol.token_of("https://evil.example/p/forged") == "forged"
    with pytest.raises(InvalidInput):
        patrol.resolve_point(session, patrol.token_of("https://evil.example/p/forged"))
    assert patrol.resolve_point(session, patrol.token_of(patrol.point_url("http://other.host", a))).id == a.id


def test_a_code_signed_with_another_secret_is_refused(session, fresh_session, estate, guard, abc, started,
                                                      monkeypatch):
    monkeypatch.setenv(tokens.SECRET_ENV, "some-other-installation-secret")
    foreign = patrol.point_token(abc[0])
    monkeypatch.setenv(tokens.SECRET_ENV, "patrol-tests-secret-0123456789")
    refused(fresh_session, estate.id, InvalidInput, "error.qr_invalid",
            lambda: scan(session, guard, abc[0], at(12, 1), token=foreign))


def test_revoked_and_retired_codes_are_refused(session, fresh_session, estate, boss, guard, abc, started):
    a, b, _ = abc
    old = patrol.point_token(a)
    patrol.reissue_code(session, boss, a.id)
    session.commit()
    assert [e.detail["version"] for e in audit_entries(fresh_session, estate.id, "patrol_code_reissued")] == [2]
    refused(fresh_session, estate.id, InvalidInput, "error.qr_revoked",
            lambda: scan(session, guard, a, at(12, 1), token=old))
    assert scan(session, guard, a, at(12, 2)).counted  # the new code works
    b.active = False
    session.add(b)
    session.commit()
    refused(fresh_session, estate.id, InvalidInput, "error.qr_revoked", lambda: scan(session, guard, b, at(12, 4)))


def test_another_estates_code_is_refused(session, factory, fresh_session, estate, guard, started):
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER, name="B经理"))
    (foreign,) = make_points(session, other_boss, make_area(session, other), A_POS, prefix="别家")
    refused(fresh_session, estate.id, InvalidInput, "error.qr_invalid",
            lambda: scan(session, guard, foreign, at(12, 1)))
    assert scans(fresh_session, other.id) == [] and scans(fresh_session, estate.id) == []


# Who may scan

def test_off_duty_guard_is_refused(session, fresh_session, estate, factory, guard2, abc, started):
    refused(fresh_session, estate.id, NotAllowed, "error.not_on_duty", lambda: scan(session, guard2, abc[0], at(12, 1)))


def test_guard_whose_shift_ended_is_refused(session, fresh_session, estate, boss, guard, abc, factory):
    route = make_route(session, boss, abc, name="傍晚", starts="19:50", ends="20:30", every=40, expected=30, grace=10)
    put_on_duty(session, boss, factory, estate, session.get(User, guard.id))
    patrol.generate_rounds(session, estate.id, at(19), at(21), now=at(19))
    patrol.start_round(session, guard, round_at(session, route, at(19, 50)).id, now=at(19, 50))
    session.commit()
    assert scan(session, guard, abc[0], at(19, 59)).counted
    refused(fresh_session, estate.id, NotAllowed, "error.not_on_duty", lambda: scan(session, guard, abc[1], at(20, 1)))


def test_non_guards_are_refused(session, factory, fresh_session, estate, boss, abc, started):
    cleaner_user = factory.user(estate, Role.CLEANER, name="保洁")
    roster.assign(session, boss, cleaner_user.id, factory.shifts(estate)["白班"].id, DAY, "cleaner")
    session.commit()
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0], name="业主"))
    for actor in (boss, factory.actor(cleaner_user), resident):
        refused(fresh_session, estate.id, NotAllowed, "error.not_allowed",
                lambda actor=actor: scan(session, actor, abc[0], at(12, 1)))
    with pytest.raises(NotAllowed) as info:
        scan(session, None, abc[0], at(12, 1))
    assert info.value.key == "error.login_required"
    assert scans(fresh_session, estate.id) == []


def test_refused_scans_are_kept_and_answered_the_same_when_sent_again(session, fresh_session, estate, guard, abc,
                                                                      day_rounds):
    same = uid()
    refused(fresh_session, estate.id, InvalidInput, "error.round_not_started",
            lambda: scan(session, guard, abc[0], at(12, 1), scan_uid=same))
    logged = len(audit_entries(fresh_session, estate.id, "scan_refused"))
    patrol.start_round(session, guard, day_rounds.id, now=at(12, 2))
    session.commit()
    with pytest.raises(InvalidInput) as info:  # the same scan again: the same answer, not a new judgement
        scan(session, guard, abc[0], at(12, 3), scan_uid=same)
    assert info.value.key == "error.round_not_started"
    assert len(audit_entries(fresh_session, estate.id, "scan_refused")) == logged
    rows = scans(fresh_session, estate.id)
    assert [(r.outcome, r.detail, r.round_id, r.point_id) for r in rows] == [
        ("refused", "error.round_not_started", None, abc[0].id)]
    assert scan(session, guard, abc[0], at(12, 4)).counted  # a new scan counts


# Client times and sync

def test_scan_synced_more_than_two_minutes_late_is_marked(session, fresh_session, estate, guard, abc, started):
    on_time = scan(session, guard, abc[0], at(12, 5), client_time=at(12, 3))
    late = scan(session, guard, abc[1], at(12, 10), client_time=at(12, 7, 59))
    assert (on_time.synced_late, late.synced_late) == (False, True)
    assert [r.synced_late for r in scans(fresh_session, estate.id)] == [False, True]


def test_client_clock_ahead_is_not_believed(session, fresh_session, estate, guard, abc, started):
    ahead = scan(session, guard, abc[0], at(12, 1), client_time=at(12, 11))
    assert ahead.detail == "client clock ahead" and not ahead.synced_late and ahead.counted
    slightly = scan(session, guard, abc[1], at(12, 3), client_time=at(12, 8))  # 5 minutes ahead: tolerated
    assert slightly.detail == "" and slightly.counted
    rows = scans(fresh_session, estate.id)
    assert [(r.client_time, r.server_time, r.detail) for r in rows] == [
        (at(12, 1), at(12, 1), "client clock ahead"), (at(12, 8), at(12, 3), "")]


def test_client_time_must_be_an_aware_instant(session, fresh_session, estate, guard, abc, started):
    for bad in (datetime(2026, 3, 10, 4, 1), "2026-03-10T12:01:00", "yesterday", None, 1700000000, "x" * 100):
        refused(fresh_session, estate.id, InvalidInput, "error.bad_time",
                lambda bad=bad: patrol.record_scan(session, guard, patrol.point_token(abc[0]), uid(), bad,
                                                   now=at(12, 1)))
    iso = patrol.record_scan(session, guard, patrol.point_token(abc[0]), uid(), "2026-03-10T12:01:00+08:00",
                             now=at(12, 2))
    session.commit()
    assert iso.counted and scans(fresh_session, estate.id)[0].client_time == at(12, 1)


def test_scan_uid_is_checked(session, fresh_session, estate, guard, abc, started):
    for bad in ("", "x" * 65, "has space", "中文", None, 7, "a/b"):
        refused(fresh_session, estate.id, InvalidInput, "error.bad_request",
                lambda bad=bad: patrol.record_scan(session, guard, patrol.point_token(abc[0]), bad, at(12, 1),
                                                   now=at(12, 1)))


def test_the_same_scan_sent_twice_is_stored_once(session, fresh_session, estate, guard, abc, started):
    same = uid()
    first = scan(session, guard, abc[0], at(12, 1), scan_uid=same)
    assert scan(session, guard, abc[1], at(12, 3)).done == 2
    again = scan(session, guard, abc[0], at(12, 4), scan_uid=same)
    assert again == first and again.replayed and not first.replayed
    assert again.done == 1  # the answer as it was then
    assert len(scans(fresh_session, estate.id)) == 2
    assert stored_round(fresh_session, started.id).status == RoundStatus.IN_PROGRESS


def test_the_closing_scan_sent_twice_answers_the_same(session, fresh_session, estate, guard, abc, started):
    scan(session, guard, abc[0], at(12, 1))
    scan(session, guard, abc[1], at(12, 3))
    same = uid()
    closing = scan(session, guard, abc[2], at(12, 5), scan_uid=same)
    again = scan(session, guard, abc[2], at(12, 50), scan_uid=same)  # even after the round's grace
    assert again == closing and closing.round_status == RoundStatus.ON_TIME and again.done == 3
    assert len(scans(fresh_session, estate.id)) == 3


def test_scan_uid_is_per_guard(session, factory, fresh_session, estate, boss, guard, guard2, abc, route,
                               day_rounds):
    put_on_duty(session, boss, factory, estate, session.get(User, guard2.id))
    other_round = round_at(session, route, at(13))
    other_round.guard_id = guard2.id
    session.add(other_round)
    session.commit()
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    patrol.start_round(session, guard2, other_round.id, now=at(12, 55))
    session.commit()
    assert scan(session, guard, abc[0], at(12, 1), scan_uid="same-uid").round_id == day_rounds.id
    assert scan(session, guard2, abc[0], at(12, 56), scan_uid="same-uid").round_id == other_round.id
    assert len(scans(fresh_session, estate.id, ScanOutcome.COUNTED)) == 2


def _send(engine, guard, token, scan_uid, client_time, now, barrier, results, slot):
    """One phone request, as a handler runs it: own session, own connection, own commit."""
    with Session(engine, expire_on_commit=False) as s:
        s.connection()
        try:
            barrier.wait(timeout=30)
            results[slot] = patrol.record_scan(s, guard, token, scan_uid, client_time, now=now)
            s.commit()
        except BaseException as error:  # noqa: BLE001 - reported and asserted by the main thread
            s.rollback()
            results[slot] = error


def test_the_same_scan_sent_twice_at_once_is_stored_once(db_url, session, factory, fresh_session, estate, boss,
                                                         guard_user, guard, area):
    engine = get_engine(db_url)
    stops = make_points(session, boss, area, *([None] * 10), prefix="竞")
    route = make_route(session, boss, stops, name="竞速", starts="12:00", ends="13:00", every=60, expected=60)
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    patrol_round = round_at(session, route, at(12))
    patrol.start_round(session, guard, patrol_round.id, now=at(12))
    session.commit()
    for i, point in enumerate(stops):
        same, now = f"race-{i}", at(12, 1 + 2 * i)
        token = patrol.point_token(point)
        barrier, results = threading.Barrier(2), [None, None]
        threads = [threading.Thread(target=_send, args=(engine, guard, token, same, now, now, barrier, results, k))
                   for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads), f"round {i}: a request hung"
        assert all(isinstance(r, patrol.ScanResult) for r in results), results
        assert results[0] == results[1], results
        assert sorted(r.replayed for r in results) == [False, True]
        assert results[0].outcome == ScanOutcome.COUNTED and results[0].done == i + 1
        fresh_session.expire_all()
        assert fresh_session.exec(select(func.count()).select_from(PatrolScan).where(
            PatrolScan.guard_id == guard.id, PatrolScan.scan_uid == same)).one() == 1
    assert results[0].round_status == RoundStatus.ON_TIME
    assert stored_round(fresh_session, patrol_round.id).status == RoundStatus.ON_TIME
    assert len(scans(fresh_session, estate.id)) == 10


# Manager: checkpoints and routes

def test_create_point_and_its_url(session, fresh_session, estate, boss, area):
    point = patrol.create_point(session, boss, area.id, "  东门岗亭 ", "东门外侧", "31.23", 121.47)
    session.commit()
    stored = fresh_session.get(PatrolPoint, point.id)
    assert (stored.name, stored.location_text, stored.latitude, stored.longitude, stored.code_version,
            stored.active) == ("东门岗亭", "东门外侧", 31.23, 121.47, 1, True)
    url = patrol.point_url("https://estate.example/", point)
    assert url == f"https://estate.example/p/{patrol.point_token(point)}"
    assert patrol.resolve_point(session, url.rsplit("/", 1)[1]).id == point.id
    assert [e.target_id for e in audit_entries(fresh_session, estate.id, "patrol_point_created")] == [point.id]
    assert [p.id for p in patrol.points(session, boss)] == [point.id]


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (31.2, None), (None, 121.4), ("north", 1), (True, 1),
                                      (float("nan"), 1), (float("inf"), 1), ({}, 1)])
def test_create_point_refuses_bad_coordinates(session, boss, area, lat, lon):
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "岗亭", "", lat, lon)
    assert info.value.key == "error.bad_coordinates"
    session.rollback()


def test_create_point_refuses_bad_names_and_other_estates_areas(session, factory, boss, area):
    for bad in ("", "   ", None, 3):
        with pytest.raises(InvalidInput) as info:
            patrol.create_point(session, boss, area.id, bad)
        assert info.value.key == "error.point_name_required"
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "x" * 101)
    assert info.value.key == "error.text_too_long"
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "岗亭", "y" * 201)
    assert info.value.key == "error.text_too_long"
    with pytest.raises(InvalidInput):
        patrol.create_point(session, boss, area.id, "岗\u0000亭")
    for no_area in (None, ""):
        with pytest.raises(InvalidInput) as info:
            patrol.create_point(session, boss, no_area, "岗亭")
        assert info.value.key == "error.area_required"
    other = factory.estate()
    with pytest.raises(NotFound):
        patrol.create_point(session, boss, make_area(session, other).id, "岗亭")
    session.rollback()


def test_only_managers_manage_patrols(session, factory, estate, guard, area, abc, route):
    for call in (lambda: patrol.create_point(session, guard, area.id, "岗亭"),
                 lambda: patrol.create_route(session, guard, "新线", [abc[0].id], "08:00", "09:00", 60, 30),
                 lambda: patrol.reissue_code(session, guard, abc[0].id),
                 lambda: patrol.board(session, guard, DAY, now=NOW),
                 lambda: patrol.history(session, guard, at(0), at(0, day=11), now=NOW),
                 lambda: patrol.csv_export(session, guard, at(0), at(0, day=11), now=NOW),
                 lambda: patrol.points(session, guard), lambda: patrol.routes(session, guard)):
        with pytest.raises(NotAllowed) as info:
            call()
        assert info.value.key == "error.not_allowed"


def test_create_route_keeps_the_order(session, fresh_session, estate, boss, abc):
    a, b, c = abc
    route = patrol.create_route(session, boss, "反向", [c.id, str(a.id), b.id], "20:00", time(6), "120", 30, 15, True)
    session.commit()
    stored = fresh_session.get(PatrolRoute, route.id)
    assert (stored.starts, stored.ends, stored.every_minutes, stored.expected_minutes, stored.grace_minutes,
            stored.strict_order) == (time(20), time(6), 120, 30, 15, True)
    assert [p.id for p in patrol.route_points(fresh_session, route.id)] == [c.id, a.id, b.id]
    assert [s.position for s in fresh_session.exec(select(RouteStop).where(RouteStop.route_id == route.id)
                                                   .order_by(RouteStop.position))] == [0, 1, 2]
    assert [r.name for r in patrol.routes(session, boss)] == ["反向"]


def test_create_route_refusals(session, factory, boss, abc, route):
    a, b, _ = abc
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER))
    (foreign,) = make_points(session, other_boss, make_area(session, other), None)
    retired = make_points(session, boss, make_area(session, session.get(Estate, abc[0].estate_id)),
                          None, prefix="旧")[0]
    retired.active = False
    session.add(retired)
    session.commit()
    cases = [
        ((route.name, [a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_name_taken"),
        (("", [a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_name_required"),
        (("新线", [], "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", a.id, "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", [a.id] * 51, "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", [a.id, b.id, a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_point_repeated"),
        (("新线", [a.id, foreign.id], "08:00", "20:00", 60, 30), NotFound, "error.not_found"),
        (("新线", [a.id, retired.id], "08:00", "20:00", 60, 30), InvalidInput, "error.point_inactive"),
        (("新线", [a.id], "8点", "20:00", 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "24:00", "20:00", 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", None, 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 4, 4), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 60, 61), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 60, 0), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", True, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", "sixty", 30), InvalidInput, "error.bad_schedule"),
    ]
    for args, error_type, key in cases:
        with pytest.raises(error_type) as info:
            patrol.create_route(session, boss, *args)
        assert info.value.key == key, args
        session.rollback()
    with pytest.raises(InvalidInput) as info:
        patrol.create_route(session, boss, "新线", [a.id], "08:00", "20:00", 60, 30, 241)
    assert info.value.key == "error.bad_schedule"
    with pytest.raises(InvalidInput) as info:
        patrol.create_route(session, boss, "新线", [a.id], "08:00", "20:00", 60, 30, 10, "yes")
    assert info.value.key == "error.bad_request"
    session.rollback()


# Board, history, CSV

@pytest.fixture
def busy_day(session, factory, estate, boss, guard, guard2, route, abc):
    """Two day guards; 08:00 missed (guard), 09:00 finished late with a flagged scan (guard2),
    12:00 in progress with one stop done (guard), the rest scheduled."""
    for g in (guard, guard2):
        roster.assign(session, boss, g.id, factory.shifts(estate)["白班"].id, DAY, "guard")
    session.commit()
    patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    eight, nine, noon = (round_at(session, route, at(h)) for h in (8, 9, 12))
    assert (eight.guard_id, nine.guard_id, noon.guard_id) == (guard.id, guard2.id, guard.id)
    a, b, c = abc
    patrol.start_round(session, guard2, nine.id, now=at(9, 5))
    session.commit()
    scan(session, guard2, a, at(9, 10))
    scan(session, guard2, b, at(9, 10, 20))  # too fast
    scan(session, guard2, b, at(9, 20), client_time=at(9, 15))  # synced late
    scan(session, guard2, c, at(9, 35))
    patrol.start_round(session, guard, noon.id, now=at(12))
    session.commit()
    scan(session, guard, c, at(12, 2))
    return {"eight": eight, "nine": nine, "noon": noon}


def test_board_shows_the_day(session, boss, guard, guard2, abc, busy_day):
    view = patrol.board(session, boss, DAY, now=at(12, 5))
    assert view.day == DAY
    assert len(view.rounds) == 12
    rows = {r.window_start: r for r in view.rounds}
    eight, nine, noon = rows[at(8)], rows[at(9)], rows[at(12)]
    assert (eight.status, eight.guard_name, eight.done, eight.total) == (RoundStatus.MISSED, "保安甲", 0, 3)
    assert (nine.status, nine.guard_name, nine.done, nine.total, nine.flagged, nine.synced_late) == (
        RoundStatus.LATE, "保安乙", 3, 3, 1, 1)
    assert (nine.started_at, nine.finished_at) == (at(9, 5), at(9, 35))
    assert (noon.status, noon.guard_name, noon.done, noon.route_name) == (RoundStatus.IN_PROGRESS, "保安甲", 1, "日巡")
    assert rows[at(13)].status == RoundStatus.SCHEDULED
    assert [(s.guard_name, s.point_name, s.at) for s in view.last_scans] == [
        ("保安乙", "点3", at(9, 35)), ("保安甲", "点3", at(12, 2))]
    # the board is a read: nothing was closed in the database
    assert session.get(PatrolRound, busy_day["eight"].id).status == RoundStatus.SCHEDULED


def test_round_detail_lists_stops_and_every_scan_kept(session, factory, estate, boss, guard, guard2, abc, busy_day):
    detail = patrol.round_detail(session, boss, busy_day["nine"].id, now=at(12, 5))
    assert (detail.row.round_id, detail.row.status, detail.row.done) == (busy_day["nine"].id, RoundStatus.LATE, 3)
    assert [(s.point_name, s.counted_at) for s in detail.stops] == [
        ("点1", at(9, 10)), ("点2", at(9, 20)), ("点3", at(9, 35))]
    assert [(s.point_name, s.outcome, s.reason, s.server_time, s.client_time, s.synced_late) for s in detail.scans] == [
        ("点1", ScanOutcome.COUNTED, "", at(9, 10), at(9, 10), False),
        ("点2", ScanOutcome.TOO_FAST, "", at(9, 10, 20), at(9, 10, 20), False),
        ("点2", ScanOutcome.COUNTED, "", at(9, 20), at(9, 15), True),
        ("点3", ScanOutcome.COUNTED, "", at(9, 35), at(9, 35), False)]
    noon = patrol.round_detail(session, boss, str(busy_day["noon"].id), now=at(12, 5))
    assert [(s.point_name, s.counted_at) for s in noon.stops] == [("点1", None), ("点2", None), ("点3", at(12, 2))]
    with pytest.raises(InvalidInput):
        scan(session, guard, abc[0], at(12, 4), client_time=at(11, 0))  # claimed before the round started
    noon = patrol.round_detail(session, boss, busy_day["noon"].id, now=at(12, 5))
    assert [(s.outcome, s.reason) for s in noon.scans][-1] == (ScanOutcome.REFUSED, "error.scan_before_round")
    assert noon.row.refused == 1
    assert patrol.round_detail(session, boss, busy_day["eight"].id, now=at(12, 5)).scans == []
    for who, round_id, error_type in ((guard, busy_day["nine"].id, NotAllowed), (boss, "x", InvalidInput),
                                      (boss, 10 ** 9, NotFound), (None, busy_day["nine"].id, NotAllowed)):
        with pytest.raises(error_type):
            patrol.round_detail(session, who, round_id, now=at(12, 5))
    other_boss = factory.actor(factory.user(factory.estate(), Role.MANAGER, name="B经理"))
    with pytest.raises(NotFound):
        patrol.round_detail(session, other_boss, busy_day["nine"].id, now=at(12, 5))


def test_board_defaults_to_today_and_checks_the_day(session, boss, busy_day):
    assert [r.round_id for r in patrol.board(session, boss, now=at(12, 5)).rounds] == \
        [r.round_id for r in patrol.board(session, boss, DAY, now=at(12, 5)).rounds]
    assert patrol.board(session, boss, DAY + timedelta(days=1), now=at(12, 5)).rounds == []
    for bad in ("2026-03-10", at(12), 3):
        with pytest.raises(InvalidInput):
            patrol.board(session, boss, bad, now=at(12, 5))


def test_my_rounds_lists_open_rounds_of_the_guard(session, guard, guard2, busy_day):
    mine = patrol.my_rounds(session, guard, now=at(12, 5))
    assert mine[0].round_id == busy_day["noon"].id and mine[0].status == RoundStatus.IN_PROGRESS
    assert all(r.guard_id == guard.id for r in mine)
    assert busy_day["eight"].id not in {r.round_id for r in mine}
    assert {r.round_id for r in mine}.isdisjoint({r.round_id for r in patrol.my_rounds(session, guard2, now=at(12, 5))})


def test_history_filters(session, factory, boss, guard, guard2, route, busy_day):
    everything = patrol.history(session, boss, at(0), at(0, day=11), now=at(12, 5))
    assert len(everything) == 12
    assert [r.round_id for r in patrol.history(session, boss, at(0), at(0, day=11), guard_id=guard2.id,
                                               now=at(12, 5))][:1] == [busy_day["nine"].id]
    late = patrol.history(session, boss, at(0), at(0, day=11), status="late", now=at(12, 5))
    assert [r.round_id for r in late] == [busy_day["nine"].id]
    missed = patrol.history(session, boss, at(0), at(0, day=11), status="missed", route_id=route.id, now=at(12, 5))
    assert [r.window_start for r in missed] == [at(8), at(10), at(11)]  # as of 12:05, before close_overdue ran
    assert patrol.history(session, boss, at(9), at(10), now=at(12, 5))[0].round_id == busy_day["nine"].id
    for kwargs, error_type in (({"status": "lost"}, InvalidInput), ({"route_id": "x"}, InvalidInput),
                               ({"guard_id": 0}, InvalidInput)):
        with pytest.raises(error_type):
            patrol.history(session, boss, at(0), at(0, day=11), now=at(12, 5), **kwargs)
    with pytest.raises(InvalidInput) as info:
        patrol.history(session, boss, at(0), at(0) + timedelta(days=93), now=at(12, 5))
    assert info.value.key == "error.bad_time"
    with pytest.raises(InvalidInput):
        patrol.history(session, boss, at(1), at(0), now=at(12, 5))


def test_csv_export(session, boss, guard2, route, busy_day):
    text = patrol.csv_export(session, boss, at(9), at(10), language="en", now=at(12, 5))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [tr(key, "en") for key in patrol.CSV_COLUMNS]
    assert len(rows) == 2
    assert rows[1] == [str(busy_day["nine"].id), "日巡", "2026-03-10 09:00", "2026-03-10 09:30", "保安乙",
                       tr("patrol.status_late", "en"), "2026-03-10 09:05", "2026-03-10 09:35", "3", "3", "1", "1",
                       "0"]
    whole_day = list(csv.reader(io.StringIO(patrol.csv_export(session, boss, at(0), at(0, day=11), now=at(12, 5)))))
    assert len(whole_day) == 13 and whole_day[0] == [tr(key, "zh") for key in patrol.CSV_COLUMNS]
    empty = list(csv.reader(io.StringIO(patrol.csv_export(session, boss, at(0, day=12), at(0, day=13),
                                                          now=at(12, 5)))))
    assert empty == [[tr(key, "zh") for key in patrol.CSV_COLUMNS]]


def test_csv_cells_cannot_become_formulas(session, factory, estate, boss, guard_user, abc):
    make_route(session, boss, abc, name="=HYPERLINK(\"http://x\")", starts="12:00", ends="13:00")
    patrol.generate_rounds(session, estate.id, at(12), at(13), now=at(12))
    session.commit()
    rows = list(csv.reader(io.StringIO(patrol.csv_export(session, boss, at(12), at(13), now=at(12)))))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"


# Estates are separate

def test_other_estates_see_nothing(session, factory, estate, guard, busy_day, route):
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER, name="B经理"))
    other_guard = factory.actor(factory.user(other, Role.GUARD, name="B保安"))
    view = patrol.board(session, other_boss, DAY, now=at(12, 5))
    assert view.rounds == [] and view.last_scans == []
    assert patrol.history(session, other_boss, at(0), at(0, day=11), now=at(12, 5)) == []
    assert patrol.my_rounds(session, other_guard, now=at(12, 5)) == []
    assert patrol.points(session, other_boss) == [] and patrol.routes(session, other_boss) == []
    with pytest.raises(NotFound):
        patrol.history(session, other_boss, at(0), at(0, day=11), route_id=route.id, now=at(12, 5))
    with pytest.raises(NotFound):
        patrol.history(session, other_boss, at(0), at(0, day=11), guard_id=guard.id, now=at(12, 5))
    with pytest.raises(NotFound):
        patrol.reissue_code(session, other_boss, session.exec(select(RouteStop.point_id).where(
            RouteStop.route_id == route.id)).first())
    assert patrol.generate_rounds(session, other.id, at(0), at(0, day=11), now=at(7)) == []
    assert patrol.close_overdue(session, other.id, now=at(23)) == []
    session.rollback()
    assert session.get(PatrolRound, busy_day["eight"].id).status == RoundStatus.SCHEDULED
    assert session.exec(select(func.count()).select_from(PatrolRound).where(
        PatrolRound.estate_id == other.id)).one() == 0
    assert session.exec(select(func.count()).select_from(PatrolRound).where(
        col(PatrolRound.estate_id) == estate.id)).one() == 12


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

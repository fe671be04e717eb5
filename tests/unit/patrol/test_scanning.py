"""Scanning a round: progress, auto-close, late scans kept on their closed round, duplicates, walking speed, strict
order, bad codes, who may scan, client times and exactly-once sync."""

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from estate_pwa.core import tokens
from estate_pwa.core.db import get_engine
from estate_pwa.models import PatrolScan, Role, RoundStatus, ScanOutcome, User
from estate_pwa.services import patrol, roster
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import at, audit_entries
from tests.unit.patrol.conftest import (
    A_POS, DAY, SEC, make_area, make_points, make_route, put_on_duty, refused, round_at, scan, scans, stored_round, uid,
)


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

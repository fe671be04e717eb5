"""The screens' rows: what each viewer may do with a round (start, scan, open its detail) follows the rules that
enforce it, statuses and outcomes travel as keys, times are local; and a counted scan keeps its fast path."""

import pytest
from sqlalchemy import event

from estate_pwa.core.db import get_engine
from estate_pwa.models import Role, RoundStatus
from estate_pwa.services import patrol
from estate_pwa.services.errors import InvalidInput
from tests.unit.conftest import at
from tests.unit.patrol.conftest import put_on_duty, scan


def by_window(cards, window):
    return next(c for c in cards if c.window == window)


def test_the_guard_may_start_a_round_from_ten_minutes_before_and_scan_it_once_started(session, guard, day_rounds):
    early = patrol.guard_rounds(session, guard, now=at(11, 49))
    assert patrol.START not in by_window(early.rounds, "12:00–12:30").actions
    ready = patrol.guard_rounds(session, guard, now=at(11, 50))
    noon = by_window(ready.rounds, "12:00–12:30")
    assert noon.actions == [patrol.START]
    assert (noon.status, noon.guard, noon.progress, noon.day, noon.before_start) == (
        RoundStatus.SCHEDULED, "保安甲", "0 / 3", "03-10", True)
    assert noon.deadline == at(12).isoformat() and ready.server_now == at(11, 50).isoformat()
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    session.commit()
    walking = by_window(patrol.guard_rounds(session, guard, now=at(12, 1)).rounds, "12:00–12:30")
    assert walking.actions == [patrol.SCAN] and walking.status == RoundStatus.IN_PROGRESS
    assert not walking.before_start and walking.deadline == at(12, 30).isoformat()


def test_start_is_offered_exactly_when_start_round_would_accept(session, guard, guard2, day_rounds):
    """Every round the guard sees offers START iff start_round goes through (checked on a copy of the rules)."""
    for row in patrol.my_rounds(session, guard, now=at(12, 5)):
        offered = patrol.START in next(c for c in patrol.guard_rounds(session, guard, now=at(12, 5)).rounds
                                       if c.id == str(row.round_id)).actions
        refusal = patrol.start_refusal(row, guard.id, at(12, 5), lambda: True)
        assert offered == (refusal is None)
    assert patrol.guard_rounds(session, guard2, now=at(12, 5)).rounds == []  # guard2 is off duty and has none


def test_an_unassigned_round_is_offered_only_to_a_guard_on_duty(session, factory, estate, boss, guard, guard2,
                                                                day_rounds):
    day_rounds.guard_id = None
    session.add(day_rounds)
    session.commit()
    on_duty = by_window(patrol.guard_rounds(session, guard, now=at(12)).rounds, "12:00–12:30")
    off_duty = by_window(patrol.guard_rounds(session, guard2, now=at(12)).rounds, "12:00–12:30")
    assert on_duty.guard == "" and on_duty.actions == [patrol.START]
    assert off_duty.actions == []
    with pytest.raises(Exception) as refused:
        patrol.start_round(session, guard2, day_rounds.id, now=at(12))
    assert refused.value.key == "error.not_on_duty"


def test_managers_may_open_rounds_once_started_and_never_start_or_scan(session, factory, estate, boss, guard,
                                                                       abc, started):
    scan(session, guard, abc[0], at(12, 1))
    screen = patrol.board_screen(session, boss, now=at(12, 2))
    noon, one = by_window(screen.rounds, "12:00–12:30"), by_window(screen.rounds, "13:00–13:30")
    assert noon.actions == [patrol.DETAILS] and one.actions == []
    assert (noon.status, noon.progress, noon.guard) == (RoundStatus.IN_PROGRESS, "1 / 3", "保安甲")
    assert [(s.guard, s.point, s.at) for s in screen.last_scans] == [("保安甲", "点1", "12:01")]
    both = factory.actor(factory.user(estate, Role.MANAGER, Role.GUARD, name="兼职"))
    put_on_duty(session, boss, factory, estate, both)
    assert by_window(patrol.board_screen(session, both, now=at(12, 2)).rounds, "12:00–12:30").actions == [
        patrol.DETAILS]  # the round is another guard's: a manager-guard may open it, not scan or start it


def test_round_detail_rows_carry_keys_and_local_times(session, factory, estate, boss, guard, abc, started):
    scan(session, guard, abc[0], at(12, 1))
    scan(session, guard, abc[0], at(12, 2))
    with pytest.raises(InvalidInput):
        scan(session, guard, abc[1], at(12, 50), client_time=at(12, 3))  # kept on the round after it closed
    view = patrol.detail_view(session, boss, started.id, now=at(12, 55))
    assert (view.round.route, view.round.window, view.round.status) == ("日巡", "12:00–12:30", RoundStatus.INCOMPLETE)
    assert [(s.point, s.at, s.counted) for s in view.stops] == [("点1", "12:01:00", True), ("点2", "", False),
                                                                ("点3", "", False)]
    assert [(s.point, s.at, s.phone, s.counted, s.what) for s in view.scans] == [
        ("点1", "12:01:00", "", True, "patrol.scan_counted"),
        ("点1", "12:02:00", "", False, "patrol.scan_duplicate"),
        ("点2", "12:50:00", "12:03:00", False, "patrol.scan_after_close")]
    assert all(s.what in patrol.SCAN_LINE_KEYS for s in view.scans)


def test_history_rows_and_choices(session, factory, estate, boss, guard, route, day_rounds):
    choices = patrol.history_choices(session, boss, now=at(12))
    assert (choices.first_day, choices.last_day) == ("2026-03-04", "2026-03-10")
    assert [(o.id, o.name) for o in choices.routes] == [(str(route.id), "日巡")]
    assert [o.name for o in choices.guards] == ["保安甲"]
    found = patrol.history_screen(session, boss, "2026-03-10", "2026-03-10", status="missed", limit=2, now=at(12))
    assert found.total == 4 and [r.window for r in found.rows] == ["08:00–08:30", "09:00–09:30"]
    assert all(r.actions == [patrol.DETAILS] and r.status == RoundStatus.MISSED for r in found.rows)


def test_scan_answers_carry_message_keys(session, guard, abc, started):
    counted = patrol.scan_answer(scan(session, guard, abc[0], at(12, 1)))
    assert counted == patrol.ScanAnswer("点1", "patrol.outcome_counted", "", True, "1 / 3")
    refused = patrol.scan_answer(InvalidInput("error.qr_invalid"))
    assert refused == patrol.ScanAnswer("", "error.qr_invalid", "", False, "")
    scan(session, guard, abc[1], at(12, 3))
    finished = patrol.scan_answer(scan(session, guard, abc[2], at(12, 5)))
    assert (finished.finished, finished.progress) == (RoundStatus.ON_TIME, "3 / 3")
    assert {counted.message, refused.message} <= set(patrol.SCAN_MESSAGE_KEYS)


def test_setup_rows_link_each_code_image(session, boss, guard, area, abc, route):
    screen = patrol.setup_screen(session, boss, "https://wy.example.com")
    assert [(c.name, c.area, c.short_id, c.actions) for c in screen.checkpoints] == [
        (p.name, "小区大门", f"P{p.id:03d}", ["download", "reissue"]) for p in abc]
    assert all(c.qr.startswith("/files/") for c in screen.checkpoints)
    assert [(r.name, r.starts, r.ends, r.every, r.strict, r.stops) for r in screen.routes] == [
        ("日巡", "08:00", "20:00", 60, False, "点1 → 点2 → 点3")]
    with pytest.raises(Exception):
        patrol.setup_screen(session, guard, "https://wy.example.com")


def test_a_counted_scan_takes_three_statements(session, db_url, guard, abc, started):
    """The fast path the benchmark measures: the open round with everything around it, the facts, the insert
    (with the handler's token lookup, the five of the README)."""
    scan(session, guard, abc[0], at(12, 1))  # the route's stops are now kept by this process
    engine = get_engine(db_url)
    statements = []

    def count(_conn, _cursor, sql, *_):
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = patrol.record_scan(session, guard, patrol.point_token(abc[1]), "fast-1", at(12, 3), now=at(12, 3))
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.counted and len(statements) == 3, statements

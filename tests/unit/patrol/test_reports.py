"""What managers and guards read: the board, a round's detail, a guard's rounds, history with filters, the CSV
export, and estates kept apart."""

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from estate_pwa.i18n import tr
from estate_pwa.models import PatrolRound, Role, RoundStatus, RouteStop, ScanOutcome
from estate_pwa.services import patrol, roster
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import at
from tests.unit.patrol.conftest import DAY, make_route, round_at, scan


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

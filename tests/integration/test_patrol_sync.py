"""The running app's patrol clock, and ScanState.sync (the phone's outbox, OutboxState.sync) called by a raw client
with good, repeated, concurrent and hostile scans."""

import asyncio
import time
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Estate,
    PatrolRound,
    PatrolRoute,
    PatrolScan,
    Role,
    RoundStatus,
    ScanOutcome,
    User,
)
from estate_pwa.services import accounts, outbox, patrol
from estate_pwa.services.demo import DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from estate_pwa.states.outbox import OutboxState
from estate_pwa.states.patrol import SYNC_BATCH_MAX
from tests.app_server import PATROL_CLOCK_SECONDS
from tests.e2e.conftest import MANAGER, route_due_now, staff_account
from tests.integration.test_bad_input import (
    EMOJI,
    HOSTILE_VALUES,
    LONG,
    SQL,
    _log_has_no_traceback,
)
from tests.rawclient import RawClient, run


def _scans(db_url: str, guard_phone: str) -> list[PatrolScan]:
    with Session(get_engine(db_url)) as session:
        guard = session.exec(select(User).where(User.phone == guard_phone)).one()
        return list(session.exec(select(PatrolScan).where(PatrolScan.guard_id == guard.id)
                                 .order_by(col(PatrolScan.id))))


def _token(db_url: str, phone: str, password: str) -> str:
    with Session(get_engine(db_url)) as session:
        token = accounts.login(session, phone, password)[1]
        session.commit()
        return token


def _item(code: object, uid: str | None = None) -> dict:
    return {"uid": uid or uuid.uuid4().hex, "kind": "scan", "payload": {"code": code},
            "phone_time": utcnow().isoformat()}


async def _sync(app_url: str, token: str, *batches) -> str:
    client = RawClient(app_url)
    try:
        await client.connect(token, page="/guard/scan")
        for items in batches:
            await client.call(OutboxState, "sync", page="/guard/scan", items=items)
        return client.received()
    finally:
        await client.close()


async def _sync_at_once(app_url: str, token: str, items: list, tabs: int) -> None:
    await asyncio.gather(*(_sync(app_url, token, items) for _ in range(tabs)))


def test_the_running_app_creates_and_closes_rounds_by_itself(app):
    with Session(get_engine(app.db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER[0])).one())
        point = patrol.points(session, manager)[0]
        now = utcnow()
        route = patrol.create_route(session, manager, f"时钟测试{uuid.uuid4().hex[:5]}", [point.id], "00:00", "00:00",
                                    every_minutes=120, expected_minutes=20, grace_minutes=5)
        overdue = PatrolRound(estate_id=estate.id, route_id=route.id, window_start=now - timedelta(hours=3),
                              window_end=now - timedelta(hours=2), grace_end=now - timedelta(minutes=119))
        session.add(overdue)
        session.commit()
        route_id, overdue_id = route.id, overdue.id
    deadline = time.monotonic() + 10 * PATROL_CLOCK_SECONDS + 10
    while time.monotonic() < deadline:
        with Session(get_engine(app.db_url)) as session:
            rounds = session.exec(select(PatrolRound).where(PatrolRound.route_id == route_id)).all()
            if len(rounds) > 1 and session.get(PatrolRound, overdue_id).status == RoundStatus.MISSED:
                break
        time.sleep(0.5)
    coming = [r for r in rounds if r.id != overdue_id]
    assert len(coming) >= 6  # the next 12 hours, every 2 hours, created without anyone asking
    with Session(get_engine(app.db_url)) as session:
        assert session.get(PatrolRound, overdue_id).status == RoundStatus.MISSED
        session.get(PatrolRoute, route_id).active = False
        session.commit()


def test_queued_scans_are_recorded_once_however_often_and_however_concurrently_sent(app):
    guard_phone, password = staff_account(app.db_url, Role.GUARD)
    route_name, paths = route_due_now(app.db_url, guard_phone, side_by_side=True)
    with Session(get_engine(app.db_url)) as session:
        route = session.exec(select(PatrolRoute).where(PatrolRoute.name == route_name)).one()
        patrol_round = session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id)).one()
        patrol.start_round(session, actor_for(session, session.get(User, patrol_round.guard_id)), patrol_round.id)
        session.commit()
        round_id = patrol_round.id
    token = _token(app.db_url, guard_phone, password)
    first, second = _item(app.url + paths[0]), _item(paths[1].removeprefix("/p/"))

    received = run(_sync(app.url, token, [first], [first]))
    assert "estateOutbox.ack" in received and first["uid"] in received
    run(_sync_at_once(app.url, token, [second, first], tabs=4))

    scans = _scans(app.db_url, guard_phone)
    assert sorted(s.scan_uid for s in scans) == sorted([first["uid"], second["uid"]])
    assert all(s.outcome == ScanOutcome.COUNTED for s in scans)
    with Session(get_engine(app.db_url)) as session:
        assert session.get(PatrolRound, round_id).status == RoundStatus.ON_TIME


def test_sync_refuses_hostile_items_with_a_message_and_records_nothing(app):
    guard_phone, password = staff_account(app.db_url, Role.GUARD)
    token = _token(app.db_url, guard_phone, password)
    junk = [None, 7, "x", [], {}, {"kind": LONG, "uid": LONG, "payload": LONG, "phone_time": LONG},
            {"kind": SQL, "uid": SQL, "payload": {"code": SQL}, "phone_time": SQL},
            {"kind": "scan", "uid": EMOJI, "payload": {"code": EMOJI}, "phone_time": EMOJI},
            {"kind": {"$ne": 1}, "uid": ["a"], "payload": {"code": {"$ne": 1}}, "phone_time": {"b": 2}},
            _item("x") | {"phone_time": SQL}]
    junk += [_item(value) for value in HOSTILE_VALUES]
    log_start = app.log.stat().st_size
    received = run(_sync(app.url, token, junk, "not a list", None, {"a": 1}, [_item("x")] * (SYNC_BATCH_MAX + 50)))
    assert "error.qr_invalid" in received  # the answer's key, shown in the phone's language
    assert _scans(app.db_url, guard_phone) == []
    _log_has_no_traceback(app, log_start)


def test_a_resident_and_a_logged_out_device_cannot_record_scans(app):
    guard_phone, _ = staff_account(app.db_url, Role.GUARD)
    _, paths = route_due_now(app.db_url, guard_phone, side_by_side=True)
    resident = _token(app.db_url, *DEMO_RESIDENT[:2])
    item = _item(paths[0])
    received = run(_sync(app.url, resident, [item]))
    assert "error.not_allowed" in received and item["uid"] in received  # answered (refused), so dropped
    logged_out = _item(paths[0])
    received = run(_sync(app.url, "", [logged_out]))
    assert "error.login_required" in received  # kept on the phone until someone logs in: the answer drops nothing
    assert "estateOutbox.ack([], null)" in received and logged_out["uid"] not in received
    assert _scans(app.db_url, guard_phone) == []


def test_a_shared_duty_phone_sends_each_guards_queued_scans_only_for_that_guard(app):
    day_phone, day_password = staff_account(app.db_url, Role.GUARD, name="白班保安")
    night_phone, night_password = staff_account(app.db_url, Role.GUARD, name="夜班保安")
    _, paths = route_due_now(app.db_url, day_phone, side_by_side=True)
    with Session(get_engine(app.db_url)) as session:
        day, night = (actor_for(session, session.exec(select(User).where(User.phone == phone)).one())
                      for phone in (day_phone, night_phone))
        day_owner, night_owner = outbox.owner_tag(day), outbox.owner_tag(night)
    assert day_owner != night_owner
    days_scan = _item(paths[0]) | {"owner": day_owner}
    nights_scan = _item(paths[1]) | {"owner": night_owner}

    received = run(_sync(app.url, _token(app.db_url, night_phone, night_password), [days_scan, nights_scan]))
    assert nights_scan["uid"] in received and days_scan["uid"] not in received  # left on the phone for its guard
    assert _scans(app.db_url, day_phone) == []

    received = run(_sync(app.url, _token(app.db_url, day_phone, day_password), [days_scan]))
    assert days_scan["uid"] in received and "estateOutbox.ack" in received
    assert [s.scan_uid for s in _scans(app.db_url, day_phone)] == [days_scan["uid"]]

"""The append-only audit log."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import AuditEntry, Role
from estate_pwa.services import audit
from tests import services
from tests.unit.conftest import NOW


@pytest.fixture
def manager(factory, estate):
    return factory.user(estate, Role.MANAGER)


def test_record_appends(session, fresh_session, estate, manager):
    first = audit.record(session, estate.id, manager, "staff_created", "user", 7, roles=["guard"])
    second = audit.record(session, estate.id, None, "account_locked", "user", manager.id)
    session.commit()
    rows = fresh_session.exec(select(AuditEntry).where(AuditEntry.estate_id == estate.id).order_by(AuditEntry.id)).all()
    assert [r.id for r in rows] == [first.id, second.id]
    assert (rows[0].actor_id, rows[0].action, rows[0].target_type, rows[0].target_id, rows[0].detail) == (
        manager.id, "staff_created", "user", 7, {"roles": ["guard"]})
    assert (rows[1].actor_id, rows[1].action, rows[1].detail) == (None, "account_locked", {})
    assert rows[0].created_at.tzinfo is not None


def test_record_defaults(session, estate):
    entry = audit.record(session, estate.id, None, "login")
    session.commit()
    assert (entry.target_type, entry.target_id, entry.detail) == ("", None, {})


def test_updating_an_entry_is_refused(session, fresh_session, estate, manager):
    entry = audit.record(session, estate.id, manager, "login", "user", manager.id)
    session.commit()
    entry.action = "logout"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    assert fresh_session.get(AuditEntry, entry.id).action == "login"


def test_updating_detail_is_refused(session, fresh_session, estate, manager):
    entry = audit.record(session, estate.id, manager, "staff_created", detail_key="x")
    session.commit()
    entry.detail = {"forged": True}
    with pytest.raises(PermissionError):
        session.commit()
    session.rollback()
    assert fresh_session.get(AuditEntry, entry.id).detail == {"detail_key": "x"}


def test_deleting_an_entry_is_refused(session, fresh_session, estate, manager):
    entry = audit.record(session, estate.id, manager, "login")
    session.commit()
    session.delete(entry)
    with pytest.raises(PermissionError):
        session.commit()
    session.rollback()
    assert fresh_session.get(AuditEntry, entry.id) is not None


def test_guard_applies_to_entries_loaded_in_another_session(session, fresh_session, estate):
    entry = audit.record(session, estate.id, None, "login")
    session.commit()
    loaded = fresh_session.get(AuditEntry, entry.id)
    loaded.target_type = "forged"
    with pytest.raises(PermissionError):
        fresh_session.flush()
    fresh_session.rollback()


def test_recent_is_per_estate_newest_first(session, factory, estate, manager):
    other = factory.estate()
    mine = [audit.record(session, estate.id, manager, f"action_{i}") for i in range(5)]
    session.flush()
    theirs = audit.record(session, other.id, None, "login")
    mine.append(audit.record(session, estate.id, manager, "action_5"))
    session.commit()
    assert [e.id for e in audit.recent(session, estate.id)] == [e.id for e in reversed(mine)]
    assert [e.id for e in audit.recent(session, estate.id, limit=2)] == [mine[-1].id, mine[-2].id]
    assert [e.id for e in audit.recent(session, other.id)] == [theirs.id]
    assert audit.recent(session, factory.estate().id) == []


# Refusals: at most REFUSALS_PER_WINDOW per actor per minute

def refusal_rows(fresh, actor_id) -> list[AuditEntry]:
    fresh.expire_all()
    return list(fresh.exec(select(AuditEntry).where(
        AuditEntry.actor_id == actor_id, col(AuditEntry.action).endswith("_refused")).order_by(AuditEntry.id)))


def refuse(session, estate, actor, times, now, action="request_refused"):
    """Record `times` refusals at `now`, each in its own commit as the services do; how many were written."""
    written = 0
    for _ in range(times):
        written += audit.record_refusal(session, estate.id, actor, action, "request", 9, now=now,
                                        reason="error.not_allowed") is not None
        session.commit()
    return written


def test_twenty_five_refusals_in_a_minute_write_twenty_then_the_count_of_the_rest(
        session, fresh_session, estate, manager):
    assert refuse(session, estate, manager, 25, NOW) == audit.REFUSALS_PER_WINDOW == 20
    rows = refusal_rows(fresh_session, manager.id)
    assert len(rows) == 20
    assert all(r.detail == {"reason": "error.not_allowed"} and r.created_at == NOW for r in rows)

    assert refuse(session, estate, manager, 1, NOW + timedelta(seconds=59)) == 0
    assert refuse(session, estate, manager, 2, NOW + timedelta(seconds=61)) == 2
    rows = refusal_rows(fresh_session, manager.id)
    assert len(rows) == 22
    assert rows[20].detail == {"reason": "error.not_allowed", "suppressed": 6}
    assert rows[21].detail == {"reason": "error.not_allowed"}
    assert (rows[20].target_type, rows[20].target_id, rows[20].created_at) == ("request", 9, NOW + timedelta(
        seconds=61))


def test_the_window_rolls(session, fresh_session, estate, manager):
    for second in range(20):
        assert refuse(session, estate, manager, 1, NOW + timedelta(seconds=second)) == 1
    assert refuse(session, estate, manager, 1, NOW + timedelta(seconds=59)) == 0
    assert refuse(session, estate, manager, 2, NOW + timedelta(seconds=60)) == 1  # the first one left the window
    assert [r.detail.get("suppressed") for r in refusal_rows(fresh_session, manager.id)[20:]] == [1]


def test_the_limit_is_per_actor_over_every_kind_of_refusal(session, fresh_session, factory, estate, manager):
    guard = factory.user(estate, Role.GUARD)
    for _ in range(25):
        audit.record(session, estate.id, guard, "login")
    session.commit()
    assert refuse(session, estate, guard, 10, NOW, "scan_refused") == 10
    assert refuse(session, estate, guard, 10, NOW, "round_start_refused") == 10
    assert refuse(session, estate, guard, 5, NOW, "request_refused") == 0
    assert refuse(session, estate, manager, 20, NOW) == 20


def test_the_limit_is_read_from_the_database(session, fresh_session, estate, manager):
    """Another connection (another worker process) sees the same count and writes nothing more."""
    refuse(session, estate, manager, 20, NOW)
    assert refuse(fresh_session, estate, manager, 3, NOW) == 0
    assert len(refusal_rows(fresh_session, manager.id)) == 20


def test_only_refusals_go_through_the_limit(session, estate, manager):
    with pytest.raises(ValueError):
        audit.record_refusal(session, estate.id, manager, "staff_created")


@pytest.mark.skipif("postgresql" not in services.backends(), reason="PostgreSQL does not answer on 127.0.0.1:5432")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_concurrent_workers_write_no_more_than_the_limit(db_url, session, fresh_session, estate, manager):
    """Several workers are PostgreSQL's profile (SQLite runs one); the row lock serialises them."""
    barrier = threading.Barrier(4)

    def worker():
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            barrier.wait(timeout=30)
            refuse(own, estate, manager, 10, NOW)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(refusal_rows(fresh_session, manager.id)) == 20

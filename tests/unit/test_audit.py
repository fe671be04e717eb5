"""The append-only audit log."""

import pytest
from sqlmodel import select

from estate_pwa.models import AuditEntry, Role
from estate_pwa.services import audit


@pytest.fixture
def estate(factory):
    return factory.estate()


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

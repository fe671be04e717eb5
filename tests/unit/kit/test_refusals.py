"""One refusal helper: a refused action is audited once, in its own commit, and nothing else it did is kept."""

import pytest
from sqlmodel import select

from estate_pwa.models import AuditEntry, Building, Role
from estate_pwa.services import refusals
from estate_pwa.services.errors import InvalidInput, NotAllowed

THING = refusals.Refusal("thing_refused", "thing")


def _refusals(session, estate):
    return list(session.exec(select(AuditEntry).where(AuditEntry.estate_id == estate.id,
                                                      AuditEntry.action == "thing_refused")))


def test_an_error_inside_the_block_is_audited_once_and_the_work_rolled_back(session, fresh_session, estate, boss):
    with pytest.raises(InvalidInput):
        with refusals.refusing(session, boss, THING, 7, note="x"):
            session.add(Building(estate_id=estate.id, name="不该留下", floors=1))
            session.flush()
            with refusals.refusing(session, boss, THING, 8):  # nested: still written once
                raise InvalidInput("error.bad_request")
    [entry] = _refusals(fresh_session, estate)
    assert (entry.target_type, entry.target_id, entry.detail["reason"]) == ("thing", 8, "error.bad_request")
    assert fresh_session.exec(select(Building).where(Building.name == "不该留下")).first() is None


def test_require_audits_a_logged_in_actor_without_the_role_but_not_an_anonymous_caller(session, fresh_session,
                                                                                      factory, estate):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    assert refusals.require(session, guard, THING, Role.GUARD) == guard
    with pytest.raises(NotAllowed):
        refusals.require(session, guard, THING, Role.MANAGER)
    with pytest.raises(NotAllowed) as anonymous:
        refusals.require(session, None, THING)
    assert anonymous.value.key == "error.login_required"
    assert [e.detail["reason"] for e in _refusals(fresh_session, estate)] == ["error.not_allowed"]

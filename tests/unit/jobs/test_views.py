"""Who sees which requests: isolation between estates, the history, the resident's, technician's and office's
lists, and the reporter's contact."""

from datetime import timedelta

import pytest

from estate_pwa.models import Role, User
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import HOUR, accepted, completed, dispatched, refusals, refused, repair


def test_other_estate_cannot_see_or_act(session, fresh_session, estate, boss, resident, tech, other):
    job = accepted(session, boss, resident, tech)
    fresh = repair(session, resident)
    b_boss, b_tech, b_resident = other["boss"], other["tech"], other["resident"]
    b_id = other["estate"].id
    calls = [
        (job.id, lambda: jobs.dispatch(session, b_boss, job.id, b_tech.id, now=NOW + HOUR)),
        (job.id, lambda: jobs.set_promise_beyond_limit(session, b_boss, job.id, NOW + timedelta(days=9), "x",
                                                       now=NOW + HOUR)),
        (job.id, lambda: jobs.extend_as_breach(session, b_boss, job.id, NOW + timedelta(days=9), "x", now=NOW + HOUR)),
        (job.id, lambda: jobs.excuse_late_arrival(session, b_boss, job.id, "x", True, now=NOW + HOUR)),
        (job.id, lambda: jobs.pause(session, b_tech, job.id, "resident_not_home", now=NOW + HOUR)),
        (job.id, lambda: jobs.complete(session, b_tech, job.id, "修好了", now=NOW + HOUR)),
        (job.id, lambda: jobs.postpone(session, b_tech, job.id, NOW + timedelta(days=3), "x", now=NOW + HOUR)),
        (fresh.id, lambda: jobs.claim(session, b_tech, fresh.id, now=NOW + HOUR)),
        (fresh.id, lambda: jobs.reply(session, b_boss, fresh.id, "x", now=NOW + HOUR)),
    ]
    for request_id, call in calls:
        refused(fresh_session, request_id, NotFound, "error.not_found", call, estate_id=b_id, target=None)
    jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR)
    session.commit()
    refused(fresh_session, job.id, NotFound, "error.not_found",
            lambda: jobs.mark_quality(session, b_boss, job.id, True), estate_id=b_id, target=None)
    refused(fresh_session, job.id, NotFound, "error.not_found",
            lambda: jobs.rate(session, b_resident, job.id, True, now=NOW + 2 * HOUR), estate_id=b_id, target=None)
    for actor in (b_boss, b_tech, b_resident):
        with pytest.raises(NotFound):
            jobs.history(session, actor, job.id)
    assert refusals(fresh_session, estate.id) == []  # nothing was written into estate A's log
    assert jobs.office_board(fresh_session, b_boss, now=NOW) == []
    assert jobs.pool(fresh_session, b_tech, now=NOW) == []
    assert jobs.technician_load(fresh_session, b_boss) == [(fresh_session.get(User, b_tech.id), 0)]
    assert jobs.owned_by(fresh_session, b_boss) == []


def test_history_in_order(session, fresh_session, boss, resident, housemate, stranger, tech, guard):
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.accept(session, tech, job.id, now=NOW + HOUR))
    jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR)
    jobs.rate(session, resident, job.id, True, now=NOW + 2 * HOUR)
    session.commit()
    entries = jobs.history(fresh_session, resident, job.id)
    assert [e.action for e in entries] == [
        "request_submitted", "request_dispatched", "request_accepted", "request_refused", "request_completed",
        "request_confirmed"]
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    assert [e.actor_id for e in entries] == [resident.id, boss.id, tech.id, tech.id, tech.id, resident.id]
    for allowed in (boss, tech, housemate):
        assert [e.id for e in jobs.history(fresh_session, allowed, job.id)] == [e.id for e in entries]
    for nosy in (stranger, guard):
        with pytest.raises(NotFound):
            jobs.history(fresh_session, nosy, job.id)
    with pytest.raises(NotAllowed):
        jobs.history(fresh_session, None, job.id)


def test_for_resident_lists_own_requests_newest_first(session, resident, stranger):
    first = repair(session, resident)
    second = repair(session, resident, kind="suggestion")
    repair(session, stranger)
    assert [r.id for r in jobs.for_resident(session, resident)] == [second.id, first.id]
    with pytest.raises(NotAllowed):
        jobs.for_resident(session, None)


def test_for_technician_emergencies_then_nearest_deadline(session, boss, resident, tech):
    slow = accepted(session, boss, resident, tech, category="doors_windows")   # +2 days
    quick = accepted(session, boss, resident, tech, category="plumbing")       # +1 day
    waiting = dispatched(session, boss, resident, tech, category="electrical")  # no promise yet: +3 min
    urgent = accepted(session, boss, resident, tech, category="other", urgency="emergency", at=NOW + HOUR)
    done = completed(session, boss, resident, tech)
    listed = [r.id for r in jobs.for_technician(session, tech, now=NOW)]
    assert listed == [urgent.id, waiting.id, quick.id, slow.id]
    assert done.id not in listed


def test_office_board_and_technician_load(session, factory, estate, boss, resident, tech, tech2):
    long_ago = NOW - timedelta(days=3)
    old = completed(session, boss, resident, tech, at=long_ago)
    jobs.rate(session, resident, old.id, True, now=long_ago + 2 * HOUR)
    session.commit()
    recent = completed(session, boss, resident, tech, at=NOW - 2 * HOUR)
    open_one = accepted(session, boss, resident, tech)
    waiting = repair(session, resident)
    board = {r.id for r in jobs.office_board(session, boss, now=NOW)}
    assert board == {recent.id, open_one.id, waiting.id}
    gone = factory.user(estate, Role.TECHNICIAN, name="离职")
    gone.is_active = False
    session.add(gone)
    session.commit()
    load = {user.id: count for user, count in jobs.technician_load(session, boss)}
    assert load == {tech.id: 1, tech2.id: 0}
    with pytest.raises(NotAllowed):
        jobs.office_board(session, tech, now=NOW)
    with pytest.raises(NotAllowed):
        jobs.technician_load(session, tech)


def test_contact_is_for_staff_of_the_same_estate(session, factory, boss, tech, resident, other):
    job = repair(session, resident)
    reporter = session.get(User, resident.id)
    assert jobs.contact_of(session, tech, job) == f"{reporter.name} {reporter.phone}"
    assert jobs.contact_of(session, other["tech"], job) == ""
    with pytest.raises(NotAllowed):
        jobs.contact_of(session, resident, job)

"""Getting repairs to technicians: dispatch and reassignment by the office, automatic dispatch, claiming from the
pool (with a cap), and refusals written at most twenty a minute."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import RequestStatus, Role, ServiceRequest
from estate_pwa.services import audit, jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import DAY, HOUR, MIN, accepted, completed, configure, dispatched, on_duty, refusals, refused, repair, row


def test_auto_dispatch_goes_to_the_on_duty_technician_with_fewest_open_jobs(
        session, fresh_session, factory, estate, boss, resident, tech, tech2):
    idle = factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅丙"))  # not on duty, no jobs
    night = factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅丁"))  # night shift only
    busy_ids = [dispatched(session, boss, resident, tech).id for _ in range(2)]
    on_duty(session, boss, factory, estate, tech)
    on_duty(session, boss, factory, estate, tech2)
    on_duty(session, boss, factory, estate, night, shift="夜班")
    on_duty(session, boss, factory, estate, night, shift="夜班", day=DAY - timedelta(days=1))
    configure(session, estate, auto_dispatch=True)


    first = repair(session, resident)
    second = repair(session, resident)
    for request in (first, second):
        stored = row(fresh_session, request.id)
        assert stored["technician_id"] == tech2.id
        assert stored["status"] == RequestStatus.DISPATCHED
        assert stored["dispatched_at"] == NOW
        assert stored["first_receiver_id"] is None  # the system is not a staff member
    # Now both hold two open jobs: still one of the two on duty, never the idle or night technician.
    third = repair(session, resident)
    assert row(fresh_session, third.id)["technician_id"] in {tech.id, tech2.id}
    assert jobs.open_jobs(fresh_session, idle.id) == jobs.open_jobs(fresh_session, night.id) == 0
    entry = jobs.history(fresh_session, boss, first.id)[-1]
    assert (entry.action, entry.actor_id, entry.detail["automatic"]) == ("request_dispatched", None, True)
    assert all(row(fresh_session, i)["technician_id"] == tech.id for i in busy_ids)


def test_auto_dispatch_with_nobody_on_duty_leaves_the_repair_received(
        session, fresh_session, factory, estate, boss, resident, tech):
    on_duty(session, boss, factory, estate, tech, shift="夜班")
    configure(session, estate, auto_dispatch=True)
    request = repair(session, resident)
    stored = row(fresh_session, request.id)
    assert stored["status"] == RequestStatus.RECEIVED and stored["technician_id"] is None
    assert [r.id for r in jobs.pool(fresh_session, tech, now=NOW)] == [request.id]


def test_auto_dispatch_leaves_complaints_alone(session, fresh_session, factory, estate, boss, resident, tech):
    on_duty(session, boss, factory, estate, tech)
    configure(session, estate, auto_dispatch=True)
    complaint = repair(session, resident, kind="complaint")
    assert row(fresh_session, complaint.id)["technician_id"] is None


def test_without_auto_dispatch_a_repair_waits(session, fresh_session, factory, estate, boss, resident, tech):
    on_duty(session, boss, factory, estate, tech)
    request = repair(session, resident)
    assert row(fresh_session, request.id)["status"] == RequestStatus.RECEIVED


def test_claiming_technician_becomes_first_receiver(session, fresh_session, resident, tech):
    request = repair(session, resident)
    jobs.claim(session, tech, request.id, now=NOW + MIN)
    session.commit()
    assert row(fresh_session, request.id)["first_receiver_id"] == tech.id


def test_accepting_technician_becomes_first_receiver_of_auto_dispatched_repair(
        session, fresh_session, factory, estate, boss, resident, tech):
    on_duty(session, boss, factory, estate, tech)
    configure(session, estate, auto_dispatch=True)
    request = repair(session, resident)
    assert row(fresh_session, request.id)["first_receiver_id"] is None
    jobs.accept(session, tech, request.id, now=NOW + MIN)
    session.commit()
    assert row(fresh_session, request.id)["first_receiver_id"] == tech.id


def test_dispatch_assigns(session, fresh_session, boss, resident, tech):
    request = repair(session, resident)
    jobs.dispatch(session, boss, request.id, tech.id, now=NOW + MIN)
    session.commit()
    stored = row(fresh_session, request.id)
    assert (stored["status"], stored["technician_id"], stored["dispatched_at"]) == (
        RequestStatus.DISPATCHED, tech.id, NOW + MIN)
    assert [r.id for r in jobs.for_technician(fresh_session, tech, now=NOW)] == [request.id]
    assert jobs.history(fresh_session, boss, request.id)[-1].action == "request_dispatched"


def test_reassignment_moves_the_job(session, fresh_session, boss, resident, tech, tech2):
    request = dispatched(session, boss, resident, tech)
    jobs.dispatch(session, boss, request.id, tech2.id, now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, request.id)
    assert stored["technician_id"] == tech2.id and stored["dispatched_at"] == NOW + MIN
    assert jobs.history(fresh_session, boss, request.id)[-1].action == "request_reassigned"
    assert jobs.for_technician(fresh_session, tech, now=NOW) == []
    refused(fresh_session, request.id, NotAllowed, "error.not_your_job",
            lambda: jobs.accept(session, tech, request.id, now=NOW + 2 * HOUR))


@pytest.mark.parametrize("who", ["tech", "guard", "resident"])
def test_only_managers_dispatch(session, fresh_session, request, resident, tech, who):
    job = repair(session, resident)
    before = row(fresh_session, job.id)
    with pytest.raises(NotAllowed) as info:
        jobs.dispatch(session, request.getfixturevalue(who), job.id, tech.id, now=NOW)
    assert info.value.key == "error.not_allowed"
    session.rollback()
    assert row(fresh_session, job.id) == before


def test_role_refusal_is_audited(session, fresh_session, estate, resident, guard, tech):
    job = repair(session, resident)
    logged = len(refusals(fresh_session, estate.id))
    with pytest.raises(NotAllowed):
        jobs.dispatch(session, guard, job.id, tech.id, now=NOW)
    session.rollback()
    assert len(refusals(fresh_session, estate.id)) == logged + 1


def test_a_client_looping_refused_calls_writes_twenty_refusals_a_minute(
        session, fresh_session, monkeypatch, estate, resident):
    job = repair(session, resident)
    for _ in range(25):
        with pytest.raises(NotAllowed):
            jobs.claim(session, resident, job.id)
    entries = refusals(fresh_session, estate.id)
    assert len(entries) == 20 and {e.actor_id for e in entries} == {resident.id}
    assert row(fresh_session, job.id)["status"] == RequestStatus.RECEIVED


    a_minute_later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(audit, "utcnow", lambda: a_minute_later)
    with pytest.raises(NotAllowed):
        jobs.claim(session, resident, job.id)
    entries = refusals(fresh_session, estate.id)
    assert len(entries) == 21
    assert entries[-1].detail == {"reason": "error.not_allowed", "suppressed": 5}
    assert entries[-1].created_at == a_minute_later


@pytest.mark.parametrize("kind", ["complaint", "suggestion"])
def test_dispatch_only_repairs(session, fresh_session, boss, resident, tech, kind):
    job = repair(session, resident, kind=kind)
    refused(fresh_session, job.id, InvalidInput, "error.not_a_repair",
            lambda: jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN))


def test_dispatch_needs_an_active_technician_of_the_estate(session, fresh_session, factory, estate, boss, resident,
                                                            guard, other):
    job = repair(session, resident)
    gone = factory.user(estate, Role.TECHNICIAN, name="离职师傅")
    gone.is_active = False
    session.add(gone)
    session.commit()
    for target in (guard.id, gone.id, boss.id, resident.id):
        refused(fresh_session, job.id, InvalidInput, "error.not_a_technician",
                lambda: jobs.dispatch(session, boss, job.id, target, now=NOW + MIN))
    refused(fresh_session, job.id, NotFound, "error.not_found",
            lambda: jobs.dispatch(session, boss, job.id, other["tech"].id, now=NOW + MIN))
    for bad in (None, "x", 0, -1, True):
        refused(fresh_session, job.id, InvalidInput, "error.bad_request",
                lambda: jobs.dispatch(session, boss, job.id, bad, now=NOW + MIN))


def test_dispatch_refuses_finished_requests(session, fresh_session, boss, resident, tech, tech2):
    job = completed(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.request_closed",
            lambda: jobs.dispatch(session, boss, job.id, tech2.id, now=NOW + 2 * HOUR))
    jobs.rate(session, resident, job.id, True, now=NOW + 3 * HOUR)
    session.commit()
    refused(fresh_session, job.id, InvalidInput, "error.request_closed",
            lambda: jobs.dispatch(session, boss, job.id, tech2.id, now=NOW + 4 * HOUR))


def test_dispatch_unknown_request(session, fresh_session, estate, boss, tech):
    logged = len(refusals(fresh_session, estate.id))
    with pytest.raises(NotFound):
        jobs.dispatch(session, boss, 2**31 - 1, tech.id, now=NOW)
    assert len(refusals(fresh_session, estate.id)) == logged + 1


def test_claim_takes_an_unassigned_repair(session, fresh_session, resident, tech):
    job = repair(session, resident)
    assert [r.id for r in jobs.pool(fresh_session, tech, now=NOW)] == [job.id]
    claimed = jobs.claim(session, tech, job.id, now=NOW + MIN)
    session.commit()
    assert claimed.technician_id == tech.id and claimed.status == RequestStatus.DISPATCHED
    stored = row(fresh_session, job.id)
    assert (stored["technician_id"], stored["status"], stored["dispatched_at"]) == (
        tech.id, RequestStatus.DISPATCHED, NOW + MIN)
    assert jobs.pool(fresh_session, tech, now=NOW) == []
    assert jobs.history(fresh_session, tech, job.id)[-1].action == "request_claimed"


def test_claim_keeps_the_time_given_in_another_timezone(session, fresh_session, resident, tech):
    job = repair(session, resident)
    jobs.claim(session, tech, job.id, now=(NOW + MIN).astimezone(ZoneInfo("Asia/Shanghai")))
    session.commit()
    assert row(fresh_session, job.id)["dispatched_at"] == NOW + MIN


def test_claim_refusals(session, fresh_session, boss, resident, tech, tech2, guard):
    job = repair(session, resident)
    jobs.claim(session, tech, job.id, now=NOW + MIN)
    session.commit()
    for who in (tech2, tech):
        refused(fresh_session, job.id, InvalidInput, "error.already_taken",
                lambda: jobs.claim(session, who, job.id, now=NOW + 2 * MIN))
    given = dispatched(session, boss, resident, tech2)
    refused(fresh_session, given.id, InvalidInput, "error.already_taken",
            lambda: jobs.claim(session, tech, given.id, now=NOW + 2 * MIN))
    complaint = repair(session, resident, kind="complaint")
    before = row(fresh_session, complaint.id)
    with pytest.raises(InvalidInput) as refusal:
        jobs.claim(session, tech, complaint.id, now=NOW + 2 * MIN)
    assert refusal.value.key == "error.not_a_repair"
    assert row(fresh_session, complaint.id) == before
    for actor in (guard, boss, resident):
        with pytest.raises(NotAllowed):
            jobs.claim(session, actor, complaint.id, now=NOW + 2 * MIN)


def test_claim_cap(session, fresh_session, estate, resident, tech):
    configure(session, estate, open_jobs_cap=2)
    first, second, third = (repair(session, resident) for _ in range(3))
    jobs.claim(session, tech, first.id, now=NOW + MIN)
    session.commit()
    jobs.claim(session, tech, second.id, now=NOW + MIN)
    session.commit()
    error = refused(fresh_session, third.id, InvalidInput, "error.too_many_jobs",
                    lambda: jobs.claim(session, tech, third.id, now=NOW + 2 * MIN))
    assert error.params == {"cap": 2}
    # Finishing one frees a place.
    jobs.accept(session, tech, first.id, now=NOW + 3 * MIN)
    jobs.complete(session, tech, first.id, "修好了", now=NOW + HOUR)
    session.commit()
    jobs.claim(session, tech, third.id, now=NOW + 2 * HOUR)
    session.commit()
    assert row(fresh_session, third.id)["technician_id"] == tech.id


def test_open_jobs_counts_only_unfinished(session, boss, resident, tech):
    accepted(session, boss, resident, tech)
    dispatched(session, boss, resident, tech)
    completed(session, boss, resident, tech)
    assert jobs.open_jobs(session, tech.id) == 2
    assert session.exec(select(func.count()).select_from(ServiceRequest).where(
        col(ServiceRequest.technician_id) == tech.id)).one() == 3


def test_auto_dispatch_switch_is_for_managers_with_a_real_bool(session, estate, boss, tech):
    jobs.set_auto_dispatch(session, boss, True)
    session.commit()
    session.refresh(estate)
    assert estate.auto_dispatch is True
    with pytest.raises(InvalidInput):
        jobs.set_auto_dispatch(session, boss, "yes")
    with pytest.raises(NotAllowed):
        jobs.set_auto_dispatch(session, tech, False)

"""The technician's work: accepting with a promise, pauses, the one postponement, closing the job; the manager's
promises beyond the limits and breaches."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from estate_pwa.models import RequestPause, RequestStatus, ServiceRequest
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import HOUR, MIN, accepted, dispatched, refused, repair, row


def test_only_the_assigned_technician_accepts(session, fresh_session, boss, resident, tech, tech2):
    job = dispatched(session, boss, resident, tech)
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.accept(session, tech2, job.id, now=NOW + 2 * MIN))
    with pytest.raises(NotAllowed):
        jobs.accept(session, boss, job.id, now=NOW + 2 * MIN)
    unassigned = repair(session, resident)
    refused(fresh_session, unassigned.id, NotAllowed, "error.not_your_job",
            lambda: jobs.accept(session, tech, unassigned.id, now=NOW + 2 * MIN))


def test_accept_twice_is_refused(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.accept(session, tech, job.id, now=NOW + HOUR))


@pytest.mark.parametrize("category, urgency, promise", [
    ("plumbing", "emergency", timedelta(hours=4)),
    ("doors_windows", "emergency", timedelta(hours=4)),
    ("plumbing", "routine", timedelta(days=1)),
    ("electrical", "routine", timedelta(days=1)),
    ("doors_windows", "routine", timedelta(days=2)),
    ("appliance", "routine", timedelta(days=2)),
    ("public_area", "routine", timedelta(days=2)),
    ("other", "routine", timedelta(days=2)),
])
def test_default_promise(session, fresh_session, boss, resident, tech, category, urgency, promise):
    job = dispatched(session, boss, resident, tech, category=category, urgency=urgency)
    at = NOW + 2 * MIN
    jobs.accept(session, tech, job.id, now=at)
    session.commit()
    stored = row(fresh_session, job.id)
    assert stored["status"] == RequestStatus.ACCEPTED
    assert stored["accepted_at"] == at
    assert stored["promised_at"] == at + promise


def test_explicit_promise(session, fresh_session, boss, resident, tech):
    job = dispatched(session, boss, resident, tech)
    at = NOW + 2 * MIN
    promise = (at + timedelta(days=7)).astimezone(ZoneInfo("Asia/Shanghai"))
    jobs.accept(session, tech, job.id, promise, now=at)
    session.commit()
    assert row(fresh_session, job.id)["promised_at"] == at + timedelta(days=7)


@pytest.mark.parametrize("offset, key", [
    (-MIN, "error.time_in_past"),
    (timedelta(0), "error.time_in_past"),
    (timedelta(days=7, seconds=1), "error.promise_too_long"),
    (timedelta(days=30), "error.promise_too_long"),
])
def test_accept_refuses_bad_promises(session, fresh_session, boss, resident, tech, offset, key):
    job = dispatched(session, boss, resident, tech)
    at = NOW + 2 * MIN
    refused(fresh_session, job.id, InvalidInput, key, lambda: jobs.accept(session, tech, job.id, at + offset, now=at))


@pytest.mark.parametrize("promise", [(NOW + HOUR).replace(tzinfo=None), "2026-03-11T12:00:00+08:00", 1773187200])
def test_accept_refuses_naive_or_non_datetime_promises(session, fresh_session, boss, resident, tech, promise):
    job = dispatched(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.bad_time",
            lambda: jobs.accept(session, tech, job.id, promise, now=NOW + 2 * MIN))


def test_manager_sets_a_promise_beyond_seven_days_with_a_reason(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    far = NOW + timedelta(days=20)
    jobs.set_promise_beyond_limit(session, boss, job.id, far, "需要厂家配件", now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert stored["promised_at"] == far and stored["promise_override_reason"] == "需要厂家配件"
    assert jobs.history(fresh_session, boss, job.id)[-1].action == "promise_overridden"


def test_promise_beyond_limit_refusals(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    far = NOW + timedelta(days=20)
    for reason in (None, "", "   "):
        refused(fresh_session, job.id, InvalidInput, "error.reason_required",
                lambda: jobs.set_promise_beyond_limit(session, boss, job.id, far, reason, now=NOW + HOUR))
    refused(fresh_session, job.id, InvalidInput, "error.time_in_past",
            lambda: jobs.set_promise_beyond_limit(session, boss, job.id, NOW, "配件", now=NOW + HOUR))
    with pytest.raises(NotAllowed):
        jobs.set_promise_beyond_limit(session, tech, job.id, far, "配件", now=NOW + HOUR)
    waiting = dispatched(session, boss, resident, tech)
    refused(fresh_session, waiting.id, InvalidInput, "error.wrong_step",
            lambda: jobs.set_promise_beyond_limit(session, boss, waiting.id, far, "配件", now=NOW + HOUR))


@pytest.mark.parametrize("reason", jobs.PAUSE_REASONS)
def test_pause_for_a_resident_reason(session, fresh_session, boss, resident, tech, reason):
    job = accepted(session, boss, resident, tech)
    jobs.pause(session, tech, job.id, reason, now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["status"], stored["paused_since"], stored["pause_reason"]) == (RequestStatus.PAUSED, NOW + HOUR, reason)
    pause = fresh_session.exec(select(RequestPause).where(RequestPause.request_id == job.id)).one()
    assert (pause.reason, pause.started_at, pause.ended_at) == (reason, NOW + HOUR, None)


@pytest.mark.parametrize("reason", ["waiting_for_office", "waiting_for_parts", "", None, "Resident_not_home", 3])
def test_pause_refuses_non_resident_reasons(session, fresh_session, boss, resident, tech, reason):
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.pause_reason",
            lambda: jobs.pause(session, tech, job.id, reason, now=NOW + HOUR))
    assert fresh_session.exec(select(RequestPause).where(RequestPause.request_id == job.id)).all() == []


def test_pause_extends_the_finish_deadline_exactly(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    promise = NOW + 2 * MIN + timedelta(days=1)
    start = NOW + HOUR
    jobs.pause(session, tech, job.id, "resident_not_home", now=start)
    session.commit()
    fresh_session.expire_all()
    stored = fresh_session.get(ServiceRequest, job.id)
    # A running pause counts too.
    assert jobs.finish_deadline(stored, start + 30 * MIN) == promise + 30 * MIN
    assert jobs.clocks(stored, start + 30 * MIN).finish_deadline == promise + 30 * MIN
    jobs.resume(session, tech, job.id, now=start + 2 * HOUR)
    session.commit()
    fresh_session.expire_all()
    stored = fresh_session.get(ServiceRequest, job.id)
    assert stored.status == RequestStatus.ACCEPTED and stored.paused_since is None and stored.pause_reason is None
    assert stored.paused_seconds == 7200
    assert jobs.finish_deadline(stored, start + 10 * HOUR) == promise + 2 * HOUR
    pause = fresh_session.exec(select(RequestPause).where(RequestPause.request_id == job.id)).one()
    assert (pause.started_at, pause.ended_at) == (start, start + 2 * HOUR)
    # A second pause adds up.
    jobs.pause(session, tech, job.id, "resident_buying_parts", now=start + 3 * HOUR)
    jobs.resume(session, tech, job.id, now=start + 3 * HOUR + 15 * MIN)
    session.commit()
    fresh_session.expire_all()
    stored = fresh_session.get(ServiceRequest, job.id)
    assert jobs.finish_deadline(stored, start + 10 * HOUR) == promise + 2 * HOUR + 15 * MIN
    pauses = fresh_session.exec(select(RequestPause).where(RequestPause.request_id == job.id)
                                .order_by(RequestPause.id)).all()
    assert [(p.started_at, p.ended_at) for p in pauses] == [
        (start, start + 2 * HOUR), (start + 3 * HOUR, start + 3 * HOUR + 15 * MIN)]


def test_pause_and_resume_refusals(session, fresh_session, boss, resident, tech, tech2):
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.resume(session, tech, job.id, now=NOW + HOUR))
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.pause(session, tech2, job.id, "resident_not_home", now=NOW + HOUR))
    jobs.pause(session, tech, job.id, "resident_not_home", now=NOW + HOUR)
    session.commit()
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.pause(session, tech, job.id, "resident_asked_later", now=NOW + 2 * HOUR))
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.resume(session, tech2, job.id, now=NOW + 2 * HOUR))
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.complete(session, tech, job.id, "修好了", now=NOW + 2 * HOUR))
    waiting = dispatched(session, boss, resident, tech)
    refused(fresh_session, waiting.id, InvalidInput, "error.wrong_step",
            lambda: jobs.pause(session, tech, waiting.id, "resident_not_home", now=NOW + HOUR))


def test_reassigning_a_paused_job_ends_the_pause(session, fresh_session, boss, resident, tech, tech2):
    job = accepted(session, boss, resident, tech)
    jobs.pause(session, tech, job.id, "resident_not_home", now=NOW + HOUR)
    session.commit()
    jobs.dispatch(session, boss, job.id, tech2.id, now=NOW + 3 * HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert stored["paused_since"] is None and stored["paused_seconds"] == 2 * 3600
    assert fresh_session.exec(select(RequestPause).where(RequestPause.request_id == job.id)).one().ended_at == NOW + 3 * HOUR


def test_postpone_once(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    later = NOW + timedelta(days=3)
    jobs.postpone(session, tech, job.id, later, "等配件", now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["promised_at"], stored["postponements"], stored["postpone_reason"]) == (later, 1, "等配件")
    error = refused(fresh_session, job.id, InvalidInput, "error.second_postponement",
                    lambda: jobs.postpone(session, tech, job.id, later + HOUR, "还要等", now=NOW + 2 * HOUR))
    assert error.key == "error.second_postponement"
    assert row(fresh_session, job.id) == stored


def test_postpone_while_paused(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.pause(session, tech, job.id, "resident_asked_later", now=NOW + HOUR)
    jobs.postpone(session, tech, job.id, NOW + timedelta(days=2), "业主要求改期", now=NOW + 2 * HOUR)
    session.commit()
    assert row(fresh_session, job.id)["postponements"] == 1


def test_postpone_refusals(session, fresh_session, boss, resident, tech, tech2):
    job = accepted(session, boss, resident, tech)  # promised NOW + 2 min + 1 day
    promise = NOW + 2 * MIN + timedelta(days=1)
    at = NOW + HOUR
    cases = [
        (promise, "error.postpone_not_later"),
        (promise - HOUR, "error.postpone_not_later"),
        (at, "error.time_in_past"),
        (at + timedelta(days=7, seconds=1), "error.promise_too_long"),
        (promise.replace(tzinfo=None) + HOUR, "error.bad_time"),
    ]
    for new_time, key in cases:
        refused(fresh_session, job.id, InvalidInput, key,
                lambda: jobs.postpone(session, tech, job.id, new_time, "等配件", now=at))
    for reason in (None, "", " "):
        refused(fresh_session, job.id, InvalidInput, "error.reason_required",
                lambda: jobs.postpone(session, tech, job.id, promise + HOUR, reason, now=at))
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.postpone(session, tech2, job.id, promise + HOUR, "等配件", now=at))
    with pytest.raises(NotAllowed):
        jobs.postpone(session, boss, job.id, promise + HOUR, "等配件", now=at)
    jobs.postpone(session, tech, job.id, at + timedelta(days=7), "等配件", now=at)  # exactly 7 days is allowed
    session.commit()
    assert row(fresh_session, job.id)["promised_at"] == at + timedelta(days=7)


def test_extend_as_breach(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.postpone(session, tech, job.id, NOW + timedelta(days=3), "等配件", now=NOW + HOUR)
    session.commit()
    much_later = NOW + timedelta(days=12)
    jobs.extend_as_breach(session, boss, job.id, much_later, "厂家缺货", now=NOW + timedelta(days=2))
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["breaches"], stored["promised_at"], stored["postponements"]) == (1, much_later, 1)
    jobs.extend_as_breach(session, boss, job.id, much_later + HOUR, "再延", now=NOW + timedelta(days=3))
    session.commit()
    assert row(fresh_session, job.id)["breaches"] == 2
    assert jobs.history(fresh_session, boss, job.id)[-1].action == "promise_breached"


def test_extend_as_breach_refusals(session, fresh_session, boss, resident, tech, guard):
    job = accepted(session, boss, resident, tech)
    promise = NOW + 2 * MIN + timedelta(days=1)
    for actor in (tech, guard, resident):
        with pytest.raises(NotAllowed):
            jobs.extend_as_breach(session, actor, job.id, promise + HOUR, "厂家缺货", now=NOW + HOUR)
    refused(fresh_session, job.id, InvalidInput, "error.postpone_not_later",
            lambda: jobs.extend_as_breach(session, boss, job.id, promise, "厂家缺货", now=NOW + HOUR))
    refused(fresh_session, job.id, InvalidInput, "error.reason_required",
            lambda: jobs.extend_as_breach(session, boss, job.id, promise + HOUR, "", now=NOW + HOUR))
    waiting = dispatched(session, boss, resident, tech)
    refused(fresh_session, waiting.id, InvalidInput, "error.wrong_step",
            lambda: jobs.extend_as_breach(session, boss, waiting.id, promise + HOUR, "厂家缺货", now=NOW + HOUR))


def test_complete_records_the_work(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.complete(session, tech, job.id, "  换了阀门 ", "阀门一个", "sig.png", now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["status"], stored["completed_at"], stored["work_done"], stored["parts"], stored["signature_file"]) == (
        RequestStatus.COMPLETED, NOW + HOUR, "换了阀门", "阀门一个", "sig.png")
    assert stored["on_time"] is True
    assert jobs.for_technician(fresh_session, tech, now=NOW) == []


def test_complete_refusals(session, fresh_session, boss, resident, tech, tech2):
    job = accepted(session, boss, resident, tech)
    for work in (None, "", "   "):
        refused(fresh_session, job.id, InvalidInput, "error.work_required",
                lambda: jobs.complete(session, tech, job.id, work, now=NOW + HOUR))
    refused(fresh_session, job.id, InvalidInput, "error.text_too_long",
            lambda: jobs.complete(session, tech, job.id, "修" * 1001, now=NOW + HOUR))
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.complete(session, tech2, job.id, "修好了", now=NOW + HOUR))
    waiting = dispatched(session, boss, resident, tech)
    refused(fresh_session, waiting.id, InvalidInput, "error.wrong_step",
            lambda: jobs.complete(session, tech, waiting.id, "修好了", now=NOW + HOUR))
    jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR)
    session.commit()
    refused(fresh_session, job.id, InvalidInput, "error.request_closed",
            lambda: jobs.complete(session, tech, job.id, "修好了", now=NOW + 2 * HOUR))


@pytest.mark.parametrize("late, on_time", [(timedelta(0), True), (timedelta(seconds=-1), True),
                                           (timedelta(seconds=1), False)])
def test_on_time_against_the_promise(session, fresh_session, boss, resident, tech, late, on_time):
    job = accepted(session, boss, resident, tech, urgency="emergency")
    promise = NOW + 2 * MIN + timedelta(hours=4)
    jobs.complete(session, tech, job.id, "修好了", now=promise + late)
    session.commit()
    assert row(fresh_session, job.id)["on_time"] is on_time


@pytest.mark.parametrize("late, on_time", [(timedelta(0), True), (timedelta(seconds=1), False)])
def test_on_time_counts_pauses(session, fresh_session, boss, resident, tech, late, on_time):
    job = accepted(session, boss, resident, tech, urgency="emergency")
    promise = NOW + 2 * MIN + timedelta(hours=4)
    jobs.pause(session, tech, job.id, "resident_not_home", now=NOW + HOUR)
    jobs.resume(session, tech, job.id, now=NOW + 3 * HOUR)
    session.commit()
    jobs.complete(session, tech, job.id, "修好了", now=promise + 2 * HOUR + late)
    session.commit()
    assert row(fresh_session, job.id)["on_time"] is on_time


def test_manager_reschedule_before_any_postponement_is_an_override(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.reschedule_by_manager(session, boss, job.id, NOW + timedelta(days=10), "需厂家上门", now=NOW + HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["promised_at"], stored["breaches"], stored["promise_override_reason"]) == (
        NOW + timedelta(days=10), 0, "需厂家上门")


def test_manager_reschedule_after_the_postponement_is_a_breach(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.postpone(session, tech, job.id, NOW + timedelta(days=3), "等配件", now=NOW + HOUR)
    jobs.reschedule_by_manager(session, boss, job.id, NOW + timedelta(days=9), "配件缺货", now=NOW + 2 * HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["breaches"], stored["promised_at"]) == (1, NOW + timedelta(days=9))
    before = row(fresh_session, job.id)
    with pytest.raises(NotAllowed):
        jobs.reschedule_by_manager(session, tech, job.id, NOW + timedelta(days=10), "x", now=NOW + 3 * HOUR)
    assert row(fresh_session, job.id) == before


def test_manager_promises_are_capped_at_ninety_days(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.promise_beyond_override",
            lambda: jobs.reschedule_by_manager(session, boss, job.id, NOW + timedelta(days=91), "厂家缺货",
                                               now=NOW + HOUR))
    jobs.postpone(session, tech, job.id, NOW + timedelta(days=3), "等配件", now=NOW + HOUR)
    session.commit()
    refused(fresh_session, job.id, InvalidInput, "error.promise_beyond_override",
            lambda: jobs.reschedule_by_manager(session, boss, job.id, NOW + timedelta(days=400), "厂家缺货",
                                               now=NOW + 2 * HOUR))

"""After the work: follow-up sampling and visits, the resident's rating, replies and quality marks."""

import math
from datetime import timedelta

import pytest

from estate_pwa.models import RequestStatus
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import HOUR, MIN, accepted, completed, configure, dispatched, follow_ups, refused, repair, row


def test_thirty_percent_of_completed_repairs_get_a_follow_up(session, fresh_session, estate, boss, resident, tech):
    assert estate.followup_percent == 30
    for n in range(1, 21):
        completed(session, boss, resident, tech)
        sampled = follow_ups(fresh_session, estate.id)
        assert len(sampled) >= math.ceil(0.3 * n), f"after {n} completed repairs only {len(sampled)} follow-ups"
        assert all(f.reason == "sample" for f in sampled)
    assert len(sampled) < 20  # a sample, not every repair
    assert len({f.request_id for f in sampled}) == len(sampled)
    assert len(jobs.pending_follow_ups(fresh_session, boss)) == len(sampled)


def test_zero_percent_samples_only_unsatisfied(session, fresh_session, estate, boss, resident, tech):
    configure(session, estate, followup_percent=0)
    done = [completed(session, boss, resident, tech) for _ in range(5)]
    assert follow_ups(fresh_session, estate.id) == []
    jobs.rate(session, resident, done[0].id, True, now=NOW + 2 * HOUR)
    for job in done[1:4]:
        jobs.rate(session, resident, job.id, False, "没修好", now=NOW + 2 * HOUR)
    session.commit()
    rows = follow_ups(fresh_session, estate.id)
    assert [(f.request_id, f.reason) for f in rows] == [(j.id, "unsatisfied") for j in done[1:4]]
    pending = jobs.pending_follow_ups(fresh_session, boss)
    assert [(f.id, r.id) for f, r in pending] == [(f.id, f.request_id) for f in rows]


def test_unsatisfied_complaint_needs_no_visit(session, fresh_session, estate, resident, boss):
    configure(session, estate, followup_percent=0)
    complaint = repair(session, resident, kind="complaint")
    jobs.reply(session, boss, complaint.id, "已处理", now=NOW + HOUR)
    jobs.rate(session, resident, complaint.id, False, now=NOW + 2 * HOUR)
    session.commit()
    assert follow_ups(fresh_session, estate.id) == []


def test_record_follow_up(session, fresh_session, estate, boss, resident, tech):
    configure(session, estate, followup_percent=100)
    job = completed(session, boss, resident, tech)
    follow_up = follow_ups(fresh_session, estate.id)[0]
    assert follow_up.request_id == job.id
    jobs.record_follow_up(session, boss, follow_up.id, " 业主满意 ", True, now=NOW + timedelta(days=1))
    session.commit()
    stored = follow_ups(fresh_session, estate.id)[0]
    assert (stored.outcome, stored.resident_satisfied, stored.done_by_id, stored.done_at) == (
        "业主满意", True, boss.id, NOW + timedelta(days=1))
    assert jobs.pending_follow_ups(fresh_session, boss) == []
    assert jobs.history(fresh_session, boss, job.id)[-1].action == "follow_up_done"
    with pytest.raises(InvalidInput) as info:
        jobs.record_follow_up(session, boss, follow_up.id, "再访", False, now=NOW + timedelta(days=2))
    assert info.value.key == "error.already_done"
    session.rollback()
    again = follow_ups(fresh_session, estate.id)[0]
    assert (again.outcome, again.resident_satisfied, again.done_at) == ("业主满意", True, NOW + timedelta(days=1))


def test_record_follow_up_refusals(session, fresh_session, estate, boss, resident, tech, other):
    configure(session, estate, followup_percent=100)
    completed(session, boss, resident, tech)
    follow_up = follow_ups(fresh_session, estate.id)[0]
    for actor in (tech, resident):
        with pytest.raises(NotAllowed):
            jobs.record_follow_up(session, actor, follow_up.id, "好", True, now=NOW)
    with pytest.raises(NotFound):
        jobs.record_follow_up(session, other["boss"], follow_up.id, "好", True, now=NOW)
    for satisfied in (None, "yes", 1):
        with pytest.raises(InvalidInput) as info:
            jobs.record_follow_up(session, boss, follow_up.id, "好", satisfied, now=NOW)
        assert info.value.key == "error.bad_request"
    with pytest.raises(InvalidInput) as info:
        jobs.record_follow_up(session, boss, follow_up.id, "", True, now=NOW)
    assert info.value.key == "error.reply_required"
    session.rollback()
    assert follow_ups(fresh_session, estate.id)[0].done_at is None


def test_unsatisfied_rating_after_a_done_sample_visit_gets_a_follow_up(session, fresh_session, estate, boss,
                                                                       resident, tech):
    configure(session, estate, followup_percent=100)
    job = completed(session, boss, resident, tech)
    sample = follow_ups(fresh_session, estate.id)[0]
    jobs.record_follow_up(session, boss, sample.id, "回访正常", True, now=NOW + 2 * HOUR)
    session.commit()
    jobs.rate(session, resident, job.id, False, "又坏了", now=NOW + 3 * HOUR)
    session.commit()
    assert [r.id for _, r in jobs.pending_follow_ups(fresh_session, boss)] == [job.id]


def test_satisfied_closes(session, fresh_session, boss, resident, tech):
    job = completed(session, boss, resident, tech)
    jobs.rate(session, resident, job.id, True, "师傅很好", now=NOW + 2 * HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["status"], stored["closed_at"], stored["satisfied"], stored["rated_at"], stored["rating_comment"]) == (
        RequestStatus.CLOSED, NOW + 2 * HOUR, True, NOW + 2 * HOUR, "师傅很好")
    assert stored["reopen_count"] == 0


def test_housemate_may_rate(session, fresh_session, boss, resident, housemate, tech):
    job = completed(session, boss, resident, tech)
    jobs.rate(session, housemate, job.id, True, now=NOW + 2 * HOUR)
    session.commit()
    assert row(fresh_session, job.id)["status"] == RequestStatus.CLOSED


def test_not_satisfied_reopens(session, fresh_session, boss, resident, tech):
    job = completed(session, boss, resident, tech)
    jobs.rate(session, resident, job.id, False, "还在漏", now=NOW + 2 * HOUR)
    session.commit()
    stored = row(fresh_session, job.id)
    assert stored["status"] == RequestStatus.RECEIVED
    assert stored["technician_id"] is None and stored["reopen_count"] == 1
    assert stored["first_receiver_id"] == boss.id
    assert stored["satisfied"] is False and stored["closed_at"] is None and stored["completed_at"] is None
    assert [r.id for r in jobs.owned_by(fresh_session, boss)] == [job.id]
    assert [r.id for r in jobs.pool(fresh_session, tech, now=NOW)] == [job.id]
    assert jobs.history(fresh_session, resident, job.id)[-1].action == "request_reopened"


def test_rate_refusals(session, fresh_session, boss, resident, stranger, tech, guard):
    job = completed(session, boss, resident, tech)
    refused(fresh_session, job.id, NotAllowed, "error.not_your_request",
            lambda: jobs.rate(session, stranger, job.id, True, now=NOW + 2 * HOUR))
    for actor in (guard, boss, tech):
        with pytest.raises(NotAllowed):
            jobs.rate(session, actor, job.id, True, now=NOW + 2 * HOUR)
    for satisfied in ("yes", 1, 0, None, "true"):
        refused(fresh_session, job.id, InvalidInput, "error.bad_request",
                lambda: jobs.rate(session, resident, job.id, satisfied, now=NOW + 2 * HOUR))
    received = repair(session, resident)
    waiting = dispatched(session, boss, resident, tech)
    working = accepted(session, boss, resident, tech)
    for other_job in (received, waiting, working):
        refused(fresh_session, other_job.id, InvalidInput, "error.wrong_step",
                lambda: jobs.rate(session, resident, other_job.id, True, now=NOW + 2 * HOUR))
    jobs.rate(session, resident, job.id, True, now=NOW + 2 * HOUR)
    session.commit()
    refused(fresh_session, job.id, InvalidInput, "error.wrong_step",
            lambda: jobs.rate(session, resident, job.id, False, now=NOW + 3 * HOUR))


def test_reopened_postponed_repair_gets_a_new_promise(session, fresh_session, boss, resident, tech):
    job = accepted(session, boss, resident, tech)
    jobs.postpone(session, tech, job.id, NOW + timedelta(days=2), "等配件", now=NOW + HOUR)
    jobs.complete(session, tech, job.id, "修好了", now=NOW + timedelta(days=1))
    jobs.rate(session, resident, job.id, False, "又漏了", now=NOW + timedelta(days=5))
    session.commit()
    again = NOW + timedelta(days=5, hours=1)
    jobs.dispatch(session, boss, job.id, tech.id, now=again)
    jobs.accept(session, tech, job.id, now=again + MIN)
    session.commit()
    assert row(fresh_session, job.id)["promised_at"] > again


@pytest.mark.parametrize("kind", ["complaint", "suggestion"])
@pytest.mark.parametrize("after, on_time", [(HOUR, True), (timedelta(days=2), True),
                                            (timedelta(days=2, seconds=1), False)])
def test_reply_on_time_within_two_days(session, fresh_session, resident, boss, kind, after, on_time):
    job = repair(session, resident, kind=kind)
    jobs.reply(session, boss, job.id, " 已安排保洁 ", now=NOW + after)
    session.commit()
    stored = row(fresh_session, job.id)
    assert (stored["reply"], stored["replied_at"], stored["status"], stored["on_time"]) == (
        "已安排保洁", NOW + after, RequestStatus.COMPLETED, on_time)


def test_reply_refusals(session, fresh_session, boss, resident, guard, tech):
    job = repair(session, resident)
    refused(fresh_session, job.id, InvalidInput, "error.not_a_complaint",
            lambda: jobs.reply(session, boss, job.id, "好的", now=NOW + HOUR))
    complaint = repair(session, resident, kind="complaint")
    for text in (None, "", "  "):
        refused(fresh_session, complaint.id, InvalidInput, "error.reply_required",
                lambda: jobs.reply(session, boss, complaint.id, text, now=NOW + HOUR))
    with pytest.raises(NotAllowed):
        jobs.reply(session, resident, complaint.id, "好的", now=NOW + HOUR)
    jobs.reply(session, boss, complaint.id, "已处理", now=NOW + HOUR)
    jobs.rate(session, resident, complaint.id, True, now=NOW + 2 * HOUR)
    session.commit()
    refused(fresh_session, complaint.id, InvalidInput, "error.request_closed",
            lambda: jobs.reply(session, boss, complaint.id, "再答", now=NOW + 3 * HOUR))


def test_mark_quality(session, fresh_session, boss, resident, tech):
    job = completed(session, boss, resident, tech)
    jobs.mark_quality(session, boss, job.id, False)
    session.commit()
    assert row(fresh_session, job.id)["quality_pass"] is False
    jobs.rate(session, resident, job.id, True, now=NOW + 2 * HOUR)
    jobs.mark_quality(session, boss, job.id, True)
    session.commit()
    assert row(fresh_session, job.id)["quality_pass"] is True


def test_mark_quality_refusals(session, fresh_session, boss, resident, tech, guard):
    job = completed(session, boss, resident, tech)
    for actor in (tech, guard, resident):
        with pytest.raises(NotAllowed):
            jobs.mark_quality(session, actor, job.id, True)
    for passed in (None, "yes", 1):
        refused(fresh_session, job.id, InvalidInput, "error.bad_request",
                lambda: jobs.mark_quality(session, boss, job.id, passed))
    working = accepted(session, boss, resident, tech)
    refused(fresh_session, working.id, InvalidInput, "error.wrong_step",
            lambda: jobs.mark_quality(session, boss, working.id, True))
    complaint = repair(session, resident, kind="complaint")
    jobs.reply(session, boss, complaint.id, "已处理", now=NOW + HOUR)
    session.commit()
    refused(fresh_session, complaint.id, InvalidInput, "error.wrong_step",
            lambda: jobs.mark_quality(session, boss, complaint.id, True))

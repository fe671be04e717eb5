"""The 3-minute dispatch clock, an agreed late arrival, and the complaint's 2-day clock."""

from datetime import timedelta

import pytest

from estate_pwa.models import ServiceRequest
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import HOUR, MIN, completed, dispatched, refused, repair


def test_dispatch_clock_met_when_accepted_within_three_minutes(session, fresh_session, boss, resident, tech):
    job = dispatched(session, boss, resident, tech)
    stored = fresh_session.get(ServiceRequest, job.id)
    clock = jobs.clocks(stored, NOW + MIN)
    assert clock.dispatch_deadline == NOW + 3 * MIN
    assert clock.dispatch_met is None and clock.overdue is False and clock.seconds_left == 120
    assert clock.dispatch_excused is False
    jobs.accept(session, tech, job.id, now=NOW + 3 * MIN)
    session.commit()
    fresh_session.expire_all()
    assert jobs.clocks(fresh_session.get(ServiceRequest, job.id), NOW + HOUR).dispatch_met is True


def test_dispatch_clock_missed_when_accepted_late(session, fresh_session, boss, resident, tech):
    job = dispatched(session, boss, resident, tech)
    jobs.accept(session, tech, job.id, now=NOW + 3 * MIN + timedelta(seconds=1))
    session.commit()
    assert jobs.clocks(fresh_session.get(ServiceRequest, job.id), NOW + HOUR).dispatch_met is False


def test_dispatch_clock_missed_while_not_accepted(session, fresh_session, resident):
    job = repair(session, resident)
    stored = fresh_session.get(ServiceRequest, job.id)
    assert jobs.clocks(stored, NOW + 3 * MIN).dispatch_met is None
    late = jobs.clocks(stored, NOW + 3 * MIN + timedelta(seconds=1))
    assert late.dispatch_met is False and late.overdue is True and late.seconds_left == -1


def test_excuse_late_arrival(session, fresh_session, boss, resident, tech):
    job = dispatched(session, boss, resident, tech)
    jobs.excuse_late_arrival(session, tech, job.id, "在另一栋抢修", True, now=NOW + 2 * MIN)
    session.commit()
    stored = fresh_session.get(ServiceRequest, job.id)
    assert (stored.late_reason, stored.resident_consented) == ("在另一栋抢修", True)
    clock = jobs.clocks(stored, NOW + HOUR)
    assert clock.dispatch_excused is True and clock.dispatch_met is False


def test_manager_may_excuse_late_arrival(session, fresh_session, boss, resident):
    job = repair(session, resident)
    jobs.excuse_late_arrival(session, boss, job.id, "师傅都在忙", True, now=NOW + MIN)
    session.commit()
    assert jobs.clocks(fresh_session.get(ServiceRequest, job.id), NOW + HOUR).dispatch_excused is True


def test_excuse_late_arrival_refusals(session, fresh_session, boss, resident, tech, tech2, guard):
    job = dispatched(session, boss, resident, tech)
    for consent in (False, None, "yes", 1):
        refused(fresh_session, job.id, InvalidInput, "error.consent_required",
                lambda: jobs.excuse_late_arrival(session, tech, job.id, "堵车", consent, now=NOW + 2 * MIN))
    for reason in (None, "", "  "):
        refused(fresh_session, job.id, InvalidInput, "error.reason_required",
                lambda: jobs.excuse_late_arrival(session, tech, job.id, reason, True, now=NOW + 2 * MIN))
    refused(fresh_session, job.id, NotAllowed, "error.not_your_job",
            lambda: jobs.excuse_late_arrival(session, tech2, job.id, "堵车", True, now=NOW + 2 * MIN))
    with pytest.raises(NotAllowed):
        jobs.excuse_late_arrival(session, guard, job.id, "堵车", True, now=NOW + 2 * MIN)
    done = completed(session, boss, resident, tech)
    refused(fresh_session, done.id, InvalidInput, "error.request_closed",
            lambda: jobs.excuse_late_arrival(session, tech, done.id, "堵车", True, now=NOW + 2 * HOUR))
    assert jobs.clocks(fresh_session.get(ServiceRequest, job.id), NOW + HOUR).dispatch_excused is False


def test_complaint_clocks(session, fresh_session, resident):
    complaint = repair(session, resident, kind="complaint")
    clock = jobs.clocks(fresh_session.get(ServiceRequest, complaint.id), NOW + HOUR)
    assert clock.feedback_deadline == NOW + timedelta(days=2)
    assert clock.finish_deadline is None and clock.dispatch_met is None
    assert clock.seconds_left == int((timedelta(days=2) - HOUR).total_seconds())
    assert jobs.clocks(fresh_session.get(ServiceRequest, complaint.id), NOW + timedelta(days=2, seconds=1)).overdue

"""Repair jobs and requests: first receiver, dispatch, the 3-minute clock, promises, pauses, postponement,
sign-off, rating, reopening, follow-ups, refusals and estate isolation."""

import math
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, func, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area, AuditEntry, FollowUp, RequestPause, RequestStatus, Role, ServiceRequest, User,
)
from estate_pwa.services import audit, jobs, roster
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW

DAY = date(2026, 3, 10)  # NOW is 12:00 on this local day, inside the day shift (08–20)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


# Helpers

def row(fresh, request_id) -> dict:
    """The request as committed, read on the other connection."""
    fresh.expire_all()
    return fresh.get(ServiceRequest, request_id).model_dump()


def refusals(fresh, estate_id) -> list[AuditEntry]:
    fresh.expire_all()
    return list(fresh.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate_id, AuditEntry.action == "request_refused").order_by(AuditEntry.id)))


def refused(fresh, request_id, error_type, key, call, *, estate_id=None, target="request"):
    """Run `call`, expect `error_type(key)`, the request unchanged and one new `request_refused` entry."""
    before = row(fresh, request_id)
    estate_id = estate_id or before["estate_id"]
    logged = len(refusals(fresh, estate_id))
    with pytest.raises(error_type) as info:
        call()
    assert type(info.value) is error_type
    assert info.value.key == key
    assert row(fresh, request_id) == before
    entries = refusals(fresh, estate_id)
    assert len(entries) == logged + 1
    assert entries[-1].detail["reason"] == key
    assert entries[-1].target_type == "request"
    assert entries[-1].target_id == (request_id if target == "request" else target)
    return info.value


def repair(session, resident, category="plumbing", urgency="routine", at=NOW, kind="repair"):
    request = jobs.submit(session, resident, kind, "厨房水管漏水", category, urgency, now=at)
    session.commit()
    return request


def dispatched(session, boss, resident, tech, at=NOW, **kw):
    request = repair(session, resident, at=at, **kw)
    jobs.dispatch(session, boss, request.id, tech.id, now=at + MIN)
    session.commit()
    return request


def accepted(session, boss, resident, tech, at=NOW, promised_at=None, **kw):
    request = dispatched(session, boss, resident, tech, at=at, **kw)
    jobs.accept(session, tech, request.id, promised_at, now=at + 2 * MIN)
    session.commit()
    return request


def completed(session, boss, resident, tech, at=NOW, **kw):
    request = accepted(session, boss, resident, tech, at=at, **kw)
    jobs.complete(session, tech, request.id, "换了阀门", now=at + HOUR)
    session.commit()
    return request


def follow_ups(fresh, estate_id) -> list[FollowUp]:
    fresh.expire_all()
    return list(fresh.exec(select(FollowUp).where(FollowUp.estate_id == estate_id).order_by(FollowUp.id)))


def on_duty(session, boss, factory, estate, staff, shift="白班", day=DAY):
    roster.assign(session, boss, staff.id, factory.shifts(estate)[shift].id, day, "technician")
    session.commit()


def configure(session, estate, **values):
    for name, value in values.items():
        setattr(estate, name, value)
    session.add(estate)
    session.commit()


# Fixtures

@pytest.fixture
def units(factory, estate):
    return factory.units(estate)


@pytest.fixture
def boss2(factory, estate):
    return factory.actor(factory.user(estate, Role.MANAGER, name="副经理"))


@pytest.fixture
def tech(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅甲"))


@pytest.fixture
def tech2(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅乙"))


@pytest.fixture
def guard(factory, estate):
    return factory.actor(factory.user(estate, Role.GUARD, name="保安"))


@pytest.fixture
def cleaner(factory, estate):
    return factory.actor(factory.user(estate, Role.CLEANER, name="保洁"))


@pytest.fixture
def resident(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="业主"))


@pytest.fixture
def housemate(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="同户家人"))


@pytest.fixture
def stranger(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[1], name="邻居"))


@pytest.fixture
def other(factory):
    """A second estate with its own manager, technician and resident."""
    estate = factory.estate()
    unit = factory.units(estate)[0]
    return {
        "estate": estate,
        "unit": unit,
        "boss": factory.actor(factory.user(estate, Role.MANAGER, name="B经理")),
        "tech": factory.actor(factory.user(estate, Role.TECHNICIAN, name="B师傅")),
        "resident": factory.actor(factory.user(estate, Role.RESIDENT, unit=unit, name="B业主")),
    }


# Submit

def test_resident_submits_for_own_unit(session, fresh_session, estate, units, resident):
    request = jobs.submit(session, resident, "repair", "  卫生间漏水  ", "plumbing", "emergency", now=NOW)
    session.commit()
    stored = fresh_session.get(ServiceRequest, request.id)
    assert (stored.estate_id, stored.unit_id, stored.reporter_id) == (estate.id, units[0].id, resident.id)
    assert (stored.kind, stored.category, stored.urgency) == ("repair", "plumbing", "emergency")
    assert stored.description == "卫生间漏水"
    assert stored.status == RequestStatus.RECEIVED
    assert stored.received_at == NOW
    assert stored.first_receiver_id is None and stored.technician_id is None
    history = jobs.history(fresh_session, resident, request.id)
    assert [e.action for e in history] == ["request_submitted"]


def test_resident_reports_for_a_common_area_of_the_estate(session, fresh_session, factory, estate, resident):
    garage = Area(estate_id=estate.id, name="地下车库", kind="car_park")
    lobby = Area(estate_id=estate.id, name="1栋大堂", kind="lobby")
    foreign = Area(estate_id=factory.estate().id, name="别的小区大堂", kind="lobby")
    session.add_all([garage, lobby, foreign])
    session.commit()
    assert [a.name for a in jobs.common_areas(fresh_session, resident)] == ["1栋大堂", "地下车库"]
    request = jobs.submit(session, resident, "repair", "车库灯不亮", "public_area", area_id=str(garage.id), now=NOW)
    session.commit()
    stored = row(fresh_session, request.id)
    assert (stored["area_id"], stored["unit_id"], stored["reporter_id"]) == (garage.id, None, resident.id)
    assert [r.id for r in jobs.for_resident(fresh_session, resident)] == [request.id]
    home = jobs.submit(session, resident, "repair", "厨房漏水", area_id="", now=NOW)
    session.commit()
    assert (row(fresh_session, home.id)["area_id"], row(fresh_session, home.id)["unit_id"]) == (None, resident.unit_id)


@pytest.mark.parametrize("area", ["foreign", "unknown", "-1", "abc", True, [1]])
def test_resident_cannot_report_for_an_area_outside_the_estate(session, fresh_session, factory, estate, resident,
                                                              area):
    if area == "foreign":
        foreign = Area(estate_id=factory.estate().id, name="别的小区大堂", kind="lobby")
        session.add(foreign)
        session.commit()
        area = foreign.id
    elif area == "unknown":
        area = 10**9
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, resident, "repair", "大堂灯不亮", area_id=area, now=NOW)
    assert refusal.value.key == "error.area_unknown"
    assert fresh_session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all() == []
    entry = refusals(fresh_session, estate.id)[-1]
    assert (entry.actor_id, entry.detail["reason"]) == (resident.id, "error.area_unknown")


def test_a_resident_without_a_unit_must_choose_an_area(session, factory, estate):
    homeless = factory.actor(factory.user(estate, Role.RESIDENT))
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, homeless, "repair", "坏了", now=NOW)
    assert refusal.value.key == "error.place_required"


@pytest.mark.parametrize("kind", ["complaint", "suggestion"])
def test_resident_submits_complaints_and_suggestions(session, resident, kind):
    request = repair(session, resident, kind=kind)
    assert request.kind == kind and request.status == RequestStatus.RECEIVED


def test_submit_refused_for_non_residents(session, fresh_session, estate, boss, tech, guard):
    for actor in (boss, tech, guard):
        with pytest.raises(NotAllowed) as info:
            jobs.submit(session, actor, "repair", "漏水", now=NOW)
        assert info.value.key == "error.not_allowed"
    with pytest.raises(NotAllowed) as info:
        jobs.submit(session, None, "repair", "漏水", now=NOW)
    assert info.value.key == "error.login_required"
    session.rollback()
    assert fresh_session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all() == []


@pytest.mark.parametrize("kind, category, urgency", [
    ("fix", "plumbing", "routine"),
    ("Repair", "plumbing", "routine"),
    (None, "plumbing", "routine"),
    (1, "plumbing", "routine"),
    ("repair", "roof", "routine"),
    ("repair", None, "routine"),
    ("repair", "plumbing", "urgent"),
    ("repair", "plumbing", ["emergency"]),
])
def test_submit_refuses_bad_choices(session, fresh_session, estate, resident, kind, category, urgency):
    with pytest.raises(InvalidInput) as info:
        jobs.submit(session, resident, kind, "漏水", category, urgency, now=NOW)
    assert info.value.key == "error.bad_request"
    session.rollback()
    assert fresh_session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all() == []


@pytest.mark.parametrize("description, key", [
    ("", "error.description_required"),
    ("   \n\t", "error.description_required"),
    (None, "error.description_required"),
    (42, "error.description_required"),
    ("水" * 1001, "error.text_too_long"),
])
def test_submit_refuses_bad_descriptions(session, fresh_session, estate, resident, description, key):
    with pytest.raises(InvalidInput) as info:
        jobs.submit(session, resident, "repair", description, now=NOW)
    assert info.value.key == key
    if key == "error.text_too_long":
        assert info.value.params == {"limit": 1000}
    session.rollback()
    assert fresh_session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all() == []


def test_submit_accepts_exactly_1000_characters(session, resident):
    request = jobs.submit(session, resident, "repair", " " + "水" * 1000 + " ", now=NOW)
    session.commit()
    assert request.description == "水" * 1000


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


# Record on behalf

@pytest.mark.parametrize("who", ["boss", "guard", "cleaner", "tech"])
def test_any_staff_member_records_and_becomes_first_receiver(session, fresh_session, units, request, who):
    actor = request.getfixturevalue(who)
    recorded = jobs.record_on_behalf(session, actor, units[2].id, "repair", "门锁坏了", "doors_windows", now=NOW)
    session.commit()
    stored = row(fresh_session, recorded.id)
    assert stored["first_receiver_id"] == actor.id
    assert stored["unit_id"] == units[2].id and stored["reporter_id"] is None
    assert stored["status"] == RequestStatus.RECEIVED and stored["received_at"] == NOW
    assert [r.id for r in jobs.owned_by(fresh_session, actor)] == [recorded.id]


def test_record_for_a_common_area(session, fresh_session, estate, guard):
    area = Area(estate_id=estate.id, name="1栋大堂", kind="lobby")
    session.add(area)
    session.commit()
    recorded = jobs.record_on_behalf(session, guard, None, "repair", "大堂灯不亮", "public_area", area_id=area.id, now=NOW)
    session.commit()
    stored = row(fresh_session, recorded.id)
    assert (stored["area_id"], stored["unit_id"], stored["first_receiver_id"]) == (area.id, None, guard.id)


def test_record_needs_a_unit_or_area(session, fresh_session, estate, guard):
    for unit_id in (None, ""):
        with pytest.raises(InvalidInput) as info:
            jobs.record_on_behalf(session, guard, unit_id, "repair", "坏了", now=NOW)
        assert info.value.key == "error.place_required"
    session.rollback()
    assert fresh_session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all() == []


def test_record_refused_for_residents_and_foreign_units(session, units, resident, guard, other):
    with pytest.raises(NotAllowed):
        jobs.record_on_behalf(session, resident, units[0].id, "repair", "坏了", now=NOW)
    with pytest.raises(NotFound):
        jobs.record_on_behalf(session, guard, other["unit"].id, "repair", "坏了", now=NOW)


# First receiver

def test_first_receiver_survives_dispatch_reassignment_accept_and_reopening(
        session, fresh_session, boss, boss2, resident, tech, tech2):
    request = repair(session, resident)
    jobs.dispatch(session, boss, request.id, tech.id, now=NOW + MIN)
    session.commit()
    assert row(fresh_session, request.id)["first_receiver_id"] == boss.id
    jobs.dispatch(session, boss2, request.id, tech2.id, now=NOW + 2 * MIN)
    session.commit()
    stored = row(fresh_session, request.id)
    assert (stored["first_receiver_id"], stored["technician_id"]) == (boss.id, tech2.id)
    jobs.accept(session, tech2, request.id, now=NOW + 3 * MIN)
    jobs.complete(session, tech2, request.id, "修好了", now=NOW + HOUR)
    session.commit()
    jobs.rate(session, resident, request.id, False, "还在漏", now=NOW + 2 * HOUR)
    session.commit()
    assert row(fresh_session, request.id)["first_receiver_id"] == boss.id
    assert [r.id for r in jobs.owned_by(fresh_session, boss)] == [request.id]
    jobs.dispatch(session, boss2, request.id, tech.id, now=NOW + 3 * HOUR)
    jobs.accept(session, tech, request.id, now=NOW + 3 * HOUR + MIN)
    session.commit()
    assert row(fresh_session, request.id)["first_receiver_id"] == boss.id
    assert jobs.owned_by(fresh_session, boss2) == [] and jobs.owned_by(fresh_session, tech) == []


def test_staff_recorder_stays_first_receiver_after_dispatch(session, fresh_session, units, boss, guard, tech):
    recorded = jobs.record_on_behalf(session, guard, units[1].id, "repair", "灯坏了", "electrical", now=NOW)
    session.commit()
    jobs.dispatch(session, boss, recorded.id, tech.id, now=NOW + MIN)
    jobs.accept(session, tech, recorded.id, now=NOW + 2 * MIN)
    session.commit()
    assert row(fresh_session, recorded.id)["first_receiver_id"] == guard.id


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


def test_replying_manager_becomes_first_receiver(session, fresh_session, resident, guard, boss):
    complaint = repair(session, resident, kind="complaint")
    jobs.reply(session, boss, complaint.id, "已处理", now=NOW + HOUR)
    session.commit()
    assert row(fresh_session, complaint.id)["first_receiver_id"] == boss.id
    assert [r.id for r in jobs.owned_by(fresh_session, boss)] == [complaint.id]
    jobs.rate(session, resident, complaint.id, True, now=NOW + 2 * HOUR)
    session.commit()
    assert jobs.owned_by(fresh_session, boss) == []  # closed requests leave the list


def test_only_the_first_receiver_among_staff_may_reply(session, fresh_session, resident, guard, units):
    submitted = repair(session, resident, kind="complaint")
    refused(fresh_session, submitted.id, NotAllowed, "error.not_your_request",
            lambda: jobs.reply(session, guard, submitted.id, "已处理", now=NOW + HOUR))
    recorded = jobs.record_on_behalf(session, guard, units[0].id, "complaint", "车库太吵", now=NOW)
    jobs.reply(session, guard, recorded.id, "已联系车管", now=NOW + HOUR)
    session.commit()
    assert row(fresh_session, recorded.id)["status"] == RequestStatus.COMPLETED


def test_owned_by_only_staff(session, resident):
    with pytest.raises(NotAllowed):
        jobs.owned_by(session, resident)


# Dispatch

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


# Accept and promises

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


# The 3-minute dispatch clock

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


# Pause and resume

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


# Postpone and breach

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


# Complete

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


# Follow-up sampling

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


# Rate

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


# Reply

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


# Quality marks

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


# Claim (grab mode)

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


# Cross-estate isolation

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


# History

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


# Read views

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


def test_open_jobs_counts_only_unfinished(session, boss, resident, tech):
    accepted(session, boss, resident, tech)
    dispatched(session, boss, resident, tech)
    completed(session, boss, resident, tech)
    assert jobs.open_jobs(session, tech.id) == 2
    assert session.exec(select(func.count()).select_from(ServiceRequest).where(
        col(ServiceRequest.technician_id) == tech.id)).one() == 3


# Office helpers: recording by building and unit number, manager rescheduling, auto-dispatch switch, contact

def test_record_for_unit_finds_the_unit_as_staff_say_it(session, fresh_session, guard, units):
    request = jobs.record_for_unit(session, guard, " 1栋 ", "102", "complaint", "楼上装修太吵", now=NOW)
    session.commit()
    stored = row(fresh_session, request.id)
    assert (stored["unit_id"], stored["first_receiver_id"], stored["kind"]) == (units[1].id, guard.id, "complaint")
    for building, number in (("9栋", "101"), ("1栋", "999"), ("1栋", "1" * 21), (None, "101"), ("1栋", ["101"])):
        with pytest.raises(InvalidInput) as refusal:
            jobs.record_for_unit(session, guard, building, number, "repair", "漏水", now=NOW)
        assert refusal.value.key == "error.unit_unknown"


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


def test_auto_dispatch_switch_is_for_managers_with_a_real_bool(session, estate, boss, tech):
    jobs.set_auto_dispatch(session, boss, True)
    session.commit()
    session.refresh(estate)
    assert estate.auto_dispatch is True
    with pytest.raises(InvalidInput):
        jobs.set_auto_dispatch(session, boss, "yes")
    with pytest.raises(NotAllowed):
        jobs.set_auto_dispatch(session, tech, False)


def test_contact_is_for_staff_of_the_same_estate(session, factory, boss, tech, resident, other):
    job = repair(session, resident)
    reporter = session.get(User, resident.id)
    assert jobs.contact_of(session, tech, job) == f"{reporter.name} {reporter.phone}"
    assert jobs.contact_of(session, other["tech"], job) == ""
    with pytest.raises(NotAllowed):
        jobs.contact_of(session, resident, job)


# Photos

GOOD_PHOTO = "requests/" + "a" * 32 + ".jpg"


def test_report_and_work_photos_are_attached_in_order(session, fresh_session, boss, resident, tech):
    job = jobs.submit(session, resident, "repair", "漏水", "plumbing", now=NOW,
                      photos=["requests/" + c * 32 + ".jpg" for c in "ab"])
    jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN)
    jobs.accept(session, tech, job.id, now=NOW + 2 * MIN)
    jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR, photos=["work/" + "c" * 32 + ".jpg"])
    session.commit()
    assert {i: [p.file for p in found] for i, found in jobs.photo_files(fresh_session, [job]).items()} == {
        job.id: ["requests/" + "a" * 32 + ".jpg", "requests/" + "b" * 32 + ".jpg", "work/" + "c" * 32 + ".jpg"]}


def test_a_full_size_photo_is_for_those_who_may_see_the_request(
        session, fresh_session, factory, estate, boss, resident, housemate, stranger, tech, tech2, guard, other):
    job = jobs.submit(session, resident, "repair", "漏水", "plumbing", now=NOW, photos=[GOOD_PHOTO])
    session.commit()
    photo_id = jobs.photo_files(fresh_session, [job])[job.id][0].id
    for viewer in (resident, housemate, boss, tech, tech2):  # technicians: the job waits in their pool
        assert jobs.photo_file(fresh_session, viewer, str(photo_id)) == GOOD_PHOTO
    jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN)
    session.commit()
    assert jobs.photo_file(fresh_session, tech, photo_id) == GOOD_PHOTO
    for outsider in (tech2, stranger, guard, other["boss"], other["tech"]):
        with pytest.raises(NotFound) as refusal:
            jobs.photo_file(fresh_session, outsider, photo_id)
        assert refusal.value.key == "error.not_found"
    with pytest.raises(NotAllowed):
        jobs.photo_file(fresh_session, None, photo_id)


@pytest.mark.parametrize("photo_id", ["", "abc", "-1", 0, 10**12, True, None, [1], {"id": 1}, "1 OR 1=1"])
def test_a_full_size_photo_needs_a_real_photo_id(session, resident, photo_id):
    with pytest.raises((InvalidInput, NotFound)) as refusal:
        jobs.photo_file(session, resident, photo_id)
    assert refusal.value.key in ("error.bad_request", "error.not_found")


@pytest.mark.parametrize("photos", [["../../etc/passwd"], [GOOD_PHOTO + "x"], "requests/a.jpg", [5], [None]])
def test_photo_names_not_made_by_the_media_store_are_refused(session, resident, photos):
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, resident, "repair", "漏水", now=NOW, photos=photos)
    assert refusal.value.key == "error.bad_request"


def test_at_most_six_photos_per_step(session, fresh_session, boss, resident, tech):
    too_many = [f"requests/{i:032x}.jpg" for i in range(jobs.MAX_PHOTOS + 1)]
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, resident, "repair", "漏水", now=NOW, photos=too_many)
    assert refusal.value.key == "error.too_many_photos"
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.too_many_photos",
            lambda: jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR,
                                  photos=[f"work/{i:032x}.jpg" for i in range(jobs.MAX_PHOTOS + 1)]))


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

"""Requests coming in: residents report (home or common area), staff record on a resident's behalf and become
its first receiver, who stays its owner."""

import pytest
from sqlmodel import select

from estate_pwa.models import Area, RequestStatus, Role, ServiceRequest
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import HOUR, MIN, refusals, refused, repair, row


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


def test_record_for_unit_finds_the_unit_as_staff_say_it(session, fresh_session, guard, units):
    request = jobs.record_for_unit(session, guard, " 1栋 ", "102", "complaint", "楼上装修太吵", now=NOW)
    session.commit()
    stored = row(fresh_session, request.id)
    assert (stored["unit_id"], stored["first_receiver_id"], stored["kind"]) == (units[1].id, guard.id, "complaint")
    for building, number in (("9栋", "101"), ("1栋", "999"), ("1栋", "1" * 21), (None, "101"), ("1栋", ["101"])):
        with pytest.raises(InvalidInput) as refusal:
            jobs.record_for_unit(session, guard, building, number, "repair", "漏水", now=NOW)
        assert refusal.value.key == "error.unit_unknown"

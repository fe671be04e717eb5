"""Recording an inspection exactly once by the phone's client_id (hostile payloads refused, nothing stored), and
the defect → repair job → job finished → re-inspection passes → intact story, with fire equipment expiry."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from sqlmodel import col, func, select

from estate_pwa.models import (
    AssetDefect,
    InspectionResult,
    InspectionTask,
    RequestStatus,
    ServiceRequest,
)
from estate_pwa.services import facilities, inspections, jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import at, audit_entries
from tests.unit.inspections.conftest import EXTINGUISHER, make_asset, plan

GOOD_PHOTO = "inspections/" + "b" * 32 + ".jpg"


def verdicts(*outcomes, note="", photos=()):
    return [{"position": i, "outcome": o, "note": note, "photos": list(photos)} for i, o in enumerate(outcomes)]


def payload(task_id, *outcomes, client_id=None, **more):
    """A phone's submission; each phone makes its client_id unique (a fresh one unless given)."""
    outcomes = outcomes or ("intact",) * len(EXTINGUISHER)
    return {"client_id": client_id or f"phone-{uuid4().hex}", "task_id": task_id, "items": verdicts(*outcomes),
            **more}


@pytest.fixture
def tasks_of(session, estate, boss, extinguishers):
    """Today's daily extinguisher task per asset, by code."""
    plan(session, boss, "daily")
    inspections.keep_tasks_current(session, estate.id, at(9))
    session.commit()
    found = session.exec(select(InspectionTask).where(InspectionTask.estate_id == estate.id)).all()
    codes = {a.id: a.code for a in extinguishers}
    return {codes[t.asset_id]: t.id for t in found}


def results(fresh, task_id=None, estate_id=None):
    fresh.expire_all()
    query = select(InspectionResult)
    if task_id is not None:
        query = query.where(InspectionResult.task_id == task_id)
    if estate_id is not None:
        query = query.where(InspectionResult.estate_id == estate_id)
    return list(fresh.exec(query))


def requests_count(fresh, estate_id):
    fresh.expire_all()
    return fresh.exec(select(func.count()).select_from(ServiceRequest)
                      .where(ServiceRequest.estate_id == estate_id)).one()


def test_the_same_submission_twice_is_stored_once(session, fresh_session, estate, tech, tasks_of):
    task_id, sent = tasks_of["MH-001"], f"phone-{uuid4().hex}"
    first = inspections.record_inspection(
        session, tech, payload(task_id, client_id=sent, claimed_at="2026-03-10T11:00:00+08:00"), now=at(12))
    session.commit()
    again = inspections.record_inspection(session, tech, payload(task_id, client_id=sent), now=at(12, 5))
    session.commit()
    assert (first.status, again.status) == ("recorded", "replayed")
    assert first.task_id == again.task_id == task_id and not first.defective and first.asset_intact
    stored = results(fresh_session, task_id)
    assert len(stored) == 3 and {r.recorded_at for r in stored} == {at(12)}
    assert {r.claimed_at for r in stored} == {at(11)}
    # another phone's submission for the task already done stores nothing and is told so
    other = inspections.record_inspection(session, tech, payload(task_id), now=at(13))
    assert other.status == "already_done" and len(results(fresh_session, task_id)) == 3


@pytest.mark.parametrize("bad, key", [
    ("a string", "error.bad_request"),
    ({"task_id": 1, "items": []}, "error.bad_request"),  # no client_id
    ({"client_id": "short", "task_id": 1}, "error.bad_request"),
    ({"client_id": "x" * 65, "task_id": 1}, "error.bad_request"),
    ({"client_id": "phone-0001'; drop table", "task_id": 1}, "error.bad_request"),
    ({"client_id": ["phone-0001"], "task_id": 1}, "error.bad_request"),
])
def test_hostile_envelopes_are_refused(session, fresh_session, estate, tech, tasks_of, bad, key):
    with pytest.raises(InvalidInput) as info:
        inspections.record_inspection(session, tech, bad, now=at(12))
    assert info.value.key == key and results(fresh_session, estate_id=estate.id) == []
    assert audit_entries(fresh_session, estate.id, "inspection_refused")[-1].detail["reason"] == key


def test_hostile_items_are_refused_and_nothing_is_stored(session, fresh_session, estate, tech, tasks_of):
    task_id = tasks_of["MH-001"]
    cases = [
        ({"items": verdicts("intact", "intact")}, "error.inspection_incomplete"),  # an item missing
        ({"items": verdicts("intact", "intact", "broken")}, "error.inspection_incomplete"),
        ({"items": [{"position": 0, "outcome": "intact"}] * 3}, "error.bad_request"),  # the same item thrice
        ({"items": [{"position": True, "outcome": "intact"}, {"position": 1, "outcome": "intact"},
                    {"position": 2, "outcome": "intact"}]}, "error.bad_request"),
        ({"items": [{"position": 5, "outcome": "intact"}, {"position": 1, "outcome": "intact"},
                    {"position": 2, "outcome": "intact"}]}, "error.bad_request"),
        ({"items": "intact"}, "error.inspection_incomplete"),
        ({"items": ["intact", "intact", "intact"]}, "error.bad_request"),
        ({"items": verdicts("intact", "intact", "intact", note="x" * 501)}, "error.text_too_long"),
        ({"items": verdicts("intact", "intact", "intact", note="\u202eevil")}, "error.bad_request"),
        ({"items": verdicts("intact", "intact", "intact", photos=["../../etc/passwd"])}, "error.bad_request"),
        ({"items": verdicts("intact", "intact", "intact", photos=[GOOD_PHOTO] * 4)}, "error.too_many_photos"),
        ({"claimed_at": "yesterday"}, "error.bad_time"),
        ({"claimed_at": "2026-03-10T11:00:00"}, "error.bad_time"),  # no offset
    ]
    for more, key in cases:
        body = {**payload(task_id), **more}
        with pytest.raises(InvalidInput) as info:
            inspections.record_inspection(session, tech, body, now=at(12))
        assert info.value.key == key, more
    for task_id_sent, error in (("abc", InvalidInput), (-1, InvalidInput), (10**12, InvalidInput),
                                (None, InvalidInput), (999_999, NotFound)):
        with pytest.raises(error):
            inspections.record_inspection(session, tech, payload(task_id_sent), now=at(12))
    assert results(fresh_session, estate_id=estate.id) == []
    fresh_session.expire_all()
    assert fresh_session.get(InspectionTask, task_id).done_at is None


def test_who_may_record(session, fresh_session, factory, estate, boss, tech, tech2, resident, tasks_of):
    with pytest.raises(NotAllowed):
        inspections.record_inspection(session, resident, payload(tasks_of["MH-001"]), now=at(12))
    with pytest.raises(NotAllowed):
        inspections.record_inspection(session, None, payload(tasks_of["MH-001"]), now=at(12))
    # a task given to one technician by name is not another's
    named = plan(session, boss, "daily", category="street_light", items=["灯亮"], assignee_id=tech.id)
    light = make_asset(session, estate, "LD-001", category="street_light", subkind="street_light", expires_on=None)
    inspections.keep_tasks_current(session, estate.id, at(9))
    session.commit()
    task = session.exec(select(InspectionTask).where(InspectionTask.asset_id == light.id)).one()
    assert task.plan_id == named.id
    light_payload = {"client_id": f"phone-{uuid4().hex}", "task_id": task.id, "items": verdicts("intact")}
    with pytest.raises(NotAllowed):
        inspections.record_inspection(session, tech2, light_payload, now=at(12))
    assert inspections.record_inspection(session, tech, light_payload, now=at(12)).status == "recorded"
    # a manager may record any task; another estate's task does not exist for them
    assert inspections.record_inspection(session, boss, payload(tasks_of["MH-001"]),
                                         now=at(12)).status == "recorded"
    other = factory.estate()
    stranger = factory.actor(factory.user(other, *tech.roles, name="外人"))
    with pytest.raises(NotFound):
        inspections.record_inspection(session, stranger, payload(tasks_of["MH-002"]),
                                      now=at(12))


def test_defect_job_closed_reinspection_passes_intact(session, fresh_session, estate, boss, tech, tasks_of,
                                                      extinguishers):
    asset_id = {a.code: a.id for a in extinguishers}["MH-002"]
    found = inspections.record_inspection(
        session, tech, payload(tasks_of["MH-002"], "defective", "intact", "intact"), now=at(10))
    session.commit()
    assert found.defective and not found.asset_intact and len(found.request_ids) == 1
    request = fresh_session.get(ServiceRequest, found.request_ids[0])
    defect = facilities.open_defect_of(fresh_session, asset_id)
    # linked both ways: the defect names the request, the request names the asset and the finding
    assert defect.request_id == request.id and defect.source == "inspection" and defect.opened_at == at(10)
    assert request.kind == "repair" and "MH-002" in request.description and "压力表指针在绿区" in request.description
    assert request.first_receiver_id == tech.id and request.urgency == "emergency"
    assert {r.defect_id for r in results(fresh_session, tasks_of["MH-002"]) if r.outcome == "defective"} == {defect.id}

    # tomorrow's routine inspection passes while the job is still open: still defective
    inspections.keep_tasks_current(session, estate.id, at(9, day=11))
    session.commit()
    tomorrow = session.exec(select(InspectionTask).where(InspectionTask.asset_id == asset_id,
                                                         InspectionTask.day == date(2026, 3, 11))).one()
    early = inspections.record_inspection(session, tech, payload(tomorrow.id), now=at(10, day=11))
    session.commit()
    assert not early.asset_intact and facilities.open_defect_of(fresh_session, asset_id) is not None
    assert inspections.generate_rechecks(session, estate.id, at(10, day=11)) == 0  # job not finished: no recheck

    # the technician does the job
    jobs.dispatch(session, boss, request.id, tech.id, now=at(11, day=11))
    jobs.accept(session, tech, request.id, None, now=at(11, 5, day=11))
    jobs.complete(session, tech, request.id, "更换压力表", now=at(12, day=11))
    session.commit()
    rows = inspections.today_rows(session, tech, at(12, 30, day=11))  # makes the re-inspection
    session.commit()
    recheck = [r for r in rows if r.recheck]
    assert len(recheck) == 1 and recheck[0].code == "MH-002" and rows[0] is recheck[0]
    assert not recheck[0].later  # due within 24 hours, past midnight: still on today's list
    assert inspections.generate_rechecks(session, estate.id, at(13, day=11)) == 0  # once per defect
    passed = inspections.record_inspection(session, tech, payload(recheck[0].id),
                                           now=at(14, day=11))
    session.commit()
    assert passed.asset_intact and passed.status == "recorded"
    fresh_session.expire_all()
    closed = fresh_session.get(AssetDefect, defect.id)
    assert closed.closed_at == at(14, day=11) and closed.close_note == "复检通过"


def test_a_failed_reinspection_raises_a_new_job_without_a_gap(session, fresh_session, estate, boss, tech,
                                                              tasks_of, extinguishers):
    asset_id = {a.code: a.id for a in extinguishers}["MH-001"]
    found = inspections.record_inspection(
        session, tech, payload(tasks_of["MH-001"], "intact", "defective", "intact"), now=at(10))
    jobs.dispatch(session, boss, found.request_ids[0], tech.id, now=at(11))
    jobs.accept(session, tech, found.request_ids[0], None, now=at(11, 5))
    jobs.complete(session, tech, found.request_ids[0], "重新铅封", now=at(12))
    session.commit()
    inspections.generate_rechecks(session, estate.id, at(12, 1))
    session.commit()
    recheck = session.exec(select(InspectionTask).where(InspectionTask.kind == "recheck",
                                                        InspectionTask.asset_id == asset_id)).one()
    failed = inspections.record_inspection(
        session, tech, payload(recheck.id, "intact", "defective", "intact"), now=at(13))
    session.commit()
    assert failed.defective and not failed.asset_intact and failed.request_ids != found.request_ids
    fresh_session.expire_all()
    spans = list(fresh_session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset_id)
                                    .order_by(col(AssetDefect.id))))
    assert [(s.opened_at, s.closed_at) for s in spans] == [(at(10), at(13)), (at(13), None)]
    assert spans[1].request_id == failed.request_ids[0]


def test_expired_fire_equipment_is_defective_and_nearing_expiry_is_flagged(session, fresh_session, estate, boss,
                                                                            tech):
    old = make_asset(session, estate, "MH-100", expires_on=date(2026, 3, 9))
    soon = make_asset(session, estate, "MH-101", expires_on=date(2026, 4, 9))  # 30 days after the 10th
    later = make_asset(session, estate, "MH-102", expires_on=date(2026, 4, 10))
    plan(session, boss, "daily")
    inspections.keep_tasks_current(session, estate.id, at(9))
    session.commit()
    rows = {r.code: r for r in inspections.today_rows(session, tech, at(10))}
    assert (rows["MH-100"].expired, rows["MH-101"].expiring, rows["MH-101"].expired) == (True, True, False)
    assert not rows["MH-102"].expiring
    assert [(r.code, r.expired) for r in inspections.expiring_rows(session, boss, at(10))] == [
        ("MH-100", True), ("MH-101", False)]
    outcome = inspections.record_inspection(session, tech, payload(rows["MH-100"].id), now=at(10))
    session.commit()
    assert outcome.defective and not outcome.asset_intact
    assert "已过期 2026-03-09" in fresh_session.get(ServiceRequest, outcome.request_ids[0]).description
    assert later.id and old.id and soon.id


def test_a_job_of_the_inspection_goes_through_the_jobs_clocks(session, fresh_session, estate, boss, tech,
                                                              tasks_of):
    found = inspections.record_inspection(
        session, tech, payload(tasks_of["MH-001"], "defective", "defective", "intact"), now=at(10))
    session.commit()
    request = fresh_session.get(ServiceRequest, found.request_ids[0])
    assert request.status == RequestStatus.RECEIVED and request.received_at == at(10)
    assert [r.id for r in jobs.pool(fresh_session, tech, now=at(10) + timedelta(minutes=1))] == [request.id]


def test_an_inspected_asset_counts_as_inspected_for_the_rates(session, estate, tech, tasks_of, extinguishers):
    """The register's intact rates leave out assets not inspected in the period: a task done is the evidence."""
    from estate_pwa.services.indicators.facilities import inspected_asset_ids  # noqa: PLC0415

    codes = {a.code: a.id for a in extinguishers}
    day = (at(0), at(0, day=11))
    assert set(session.exec(inspected_asset_ids(session, estate.id, *day)).all()) == set()
    inspections.record_inspection(session, tech, payload(tasks_of["MH-001"]), now=at(12))
    session.commit()
    assert set(session.exec(inspected_asset_ids(session, estate.id, *day)).all()) == {codes["MH-001"]}
    assert set(session.exec(inspected_asset_ids(session, estate.id, at(0, day=11), at(0, day=12))).all()) == set()

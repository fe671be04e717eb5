"""Inspections in the field: a form queued on the phone (its fields and each item's photos; a form queued before
photos belonged to items: with the defects) recorded through the one outbox exactly once, hostile photo fields
refused, and the scanner of an asset's posted code opening its due task — the scanned text checked on the
server, another estate's, an area's or a revoked code refused and audited."""

import uuid

import pytest
from sqlmodel import select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area,
    AreaKind,
    InspectionResult,
    InspectionTask,
    OutboxReceipt,
    PlaceKind,
    ServiceRequest,
    User,
)
from estate_pwa.services import accounts, inspections, outbox
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.inspections.outbox import ASSET_SCAN, INSPECTION, form_items
from estate_pwa.services.reports import codes
from tests.factories import PASSWORD
from tests.unit.conftest import at, audit_entries, expect_refused
from tests.unit.inspections.conftest import make_asset, plan

PHOTO = "inspections/" + "c" * 32 + ".jpg"
OTHER_PHOTO = "inspections/" + "e" * 32 + ".jpg"


@pytest.fixture
def tasks_of(session, estate, boss, extinguishers):
    plan(session, boss, "daily")
    inspections.keep_tasks_current(session, estate.id, at(9))
    session.commit()
    found = session.exec(select(InspectionTask).where(InspectionTask.estate_id == estate.id)).all()
    names = {a.id: a.code for a in extinguishers}
    return {names[t.asset_id]: t.id for t in found}


def _token(session, actor) -> str:
    token = accounts.login(session, session.get(User, actor.id).phone, PASSWORD)[1]
    session.commit()
    return token


def _code(session, asset) -> str:
    token = codes.token_for(codes.current_code(session, PlaceKind.ASSET, asset.id, asset.estate_id))
    session.commit()
    return f"https://wy.example.cn/report/{token}"


def _action(kind, uid=None, **payload) -> dict:
    return {"uid": uid or uuid.uuid4().hex, "kind": kind, "payload": payload, "phone_time": utcnow().isoformat()}


def test_each_items_photos_go_with_that_item():
    sent = {"task_id": "7", "outcome.1": "defective", "photos.1": [PHOTO], "outcome.0": "intact", "outcome.2": "intact",
            "photos.2": [OTHER_PHOTO], "photos.9": [PHOTO], "photos": [PHOTO, OTHER_PHOTO]}
    assert [(i["position"], i["photos"]) for i in form_items(sent)] == [(0, []), (1, [PHOTO]), (2, [OTHER_PHOTO])]
    assert form_items({"outcome.²": "intact"}) == []  # no crash on other digits


def test_a_form_queued_before_photos_belonged_to_items_gives_them_to_the_defects():
    sent = {"task_id": "7", "outcome.1": "defective", "note.1": "铅封脱落", "outcome.0": "intact", "outcome.2": "intact",
            "note.0": "", "photos": [PHOTO], "outcome.x": "intact", "outcome.99999": "intact", 5: "x"}
    assert form_items(sent) == [
        {"position": 0, "outcome": "intact", "note": "", "photos": []},
        {"position": 1, "outcome": "defective", "note": "铅封脱落", "photos": [PHOTO]},
        {"position": 2, "outcome": "intact", "note": "", "photos": []},
    ]
    all_intact = form_items({"outcome.0": "intact", "outcome.1": "intact", "photos": [PHOTO]})
    assert [i["photos"] for i in all_intact] == [[PHOTO], []]
    assert form_items({}) == []


def test_a_queued_form_with_a_photo_is_recorded_once_through_the_outbox(session, fresh_session, db_url, estate, tech,
                                                                         tasks_of):
    token, task_id = _token(session, tech), tasks_of["MH-001"]
    form = _action(INSPECTION, task_id=str(task_id), **{"outcome.0": "intact", "outcome.1": "defective",
                                                        "note.1": "铅封脱落", "outcome.2": "intact"})
    form["payload"].update({"photos.1": [PHOTO], "photos": [PHOTO]})
    [first] = outbox.dispatch(token, [form], db_url=db_url)
    [again] = outbox.dispatch(token, [form], db_url=db_url)  # the phone did not hear the answer: sent again
    assert first.ok and first.answer["defective"] and first.answer["status"] == "recorded"
    assert again.ok and again.replayed and again.answer == first.answer
    stored = fresh_session.exec(select(InspectionResult).where(InspectionResult.task_id == task_id)
                                .order_by(InspectionResult.position)).all()
    assert [(r.outcome, r.note, r.photos) for r in stored] == [
        ("intact", "", []), ("defective", "铅封脱落", [PHOTO]), ("intact", "", [])]
    assert {r.client_id for r in stored} == {form["uid"]}
    assert len(first.answer["request_ids"]) == 1 and fresh_session.get(ServiceRequest, first.answer["request_ids"][0])
    assert len(fresh_session.exec(select(OutboxReceipt).where(OutboxReceipt.uid == form["uid"])).all()) == 1
    # a form missing an item is refused whole (nothing stored) and answered, so it leaves the phone
    short = _action(INSPECTION, task_id=str(tasks_of["MH-002"]), **{"outcome.0": "intact"})
    [refused] = outbox.dispatch(token, [short], db_url=db_url)
    assert refused.key == "error.inspection_incomplete"
    assert fresh_session.exec(select(InspectionResult).where(
        InspectionResult.task_id == tasks_of["MH-002"])).all() == []


def test_hostile_item_photos_are_refused_and_nothing_is_recorded(session, fresh_session, db_url, tech, tasks_of):
    token, task_id = _token(session, tech), tasks_of["MH-001"]
    foreign = "cleaning/" + "c" * 32 + ".jpg"
    cases = [("x", "error.bad_request"), ({"a": 1}, "error.bad_request"), ([7], "error.bad_request"),
             (["../../etc/passwd"], "error.bad_request"), ([foreign], "error.bad_request"),
             ([PHOTO] * 4, "error.too_many_photos")]
    forms = [_action(INSPECTION, task_id=str(task_id), **{"outcome.0": "intact", "outcome.1": "defective",
                                                          "outcome.2": "intact", "photos.2": photos})
             for photos, _ in cases]
    answers = outbox.dispatch(token, forms, db_url=db_url)
    assert [(a.ok, a.key) for a in answers] == [(False, key) for _, key in cases]
    assert fresh_session.exec(select(InspectionResult).where(InspectionResult.task_id == task_id)).all() == []


def test_scanning_an_assets_code_opens_its_due_task(session, boss, tech, extinguishers, tasks_of):
    by_code = {a.code: a for a in extinguishers}
    row = inspections.task_of_code(session, tech, _code(session, by_code["MH-002"]), now=at(10))
    assert row.id == tasks_of["MH-002"] and row.code == "MH-002" and row.actions == ["record"]
    assert len(row.checklist) == 3
    assert inspections.task_of_code(session, boss, _code(session, by_code["MH-001"]), now=at(10)).id == \
        tasks_of["MH-001"]  # a manager may record any task


def test_a_scan_through_the_outbox_answers_the_task(session, db_url, tech, extinguishers, tasks_of):
    asset = next(a for a in extinguishers if a.code == "MH-001")
    [answer] = outbox.dispatch(_token(session, tech), [_action(ASSET_SCAN, code=_code(session, asset))],
                               db_url=db_url)
    assert answer.ok and answer.answer == {"task_id": tasks_of["MH-001"]}


def test_codes_that_open_nothing_are_refused_and_audited(session, fresh_session, factory, estate, boss, tech,
                                                         extinguishers, tasks_of, lobby_area):
    elsewhere = factory.estate()
    foreign = make_asset(session, elsewhere, "MH-900")
    spare = make_asset(session, estate, "MH-777", category="street_light", subkind="street_light", expires_on=None)
    revoked = next(a for a in extinguishers if a.code == "MH-001")
    revoked_code = _code(session, revoked)
    codes.revoke(session, boss, PlaceKind.ASSET, revoked.id, now=at(9))
    session.commit()
    cases = [(_code(session, foreign), InvalidInput, "error.code_invalid"),
             (codes.code_url("https://x", codes.current_code(session, PlaceKind.AREA, lobby_area.id, estate.id)),
              InvalidInput, "error.code_invalid"),
             (revoked_code, InvalidInput, "error.code_revoked"),
             ("https://wy.example.cn/report/forged.token", InvalidInput, "error.code_invalid"),
             (None, InvalidInput, "error.code_invalid"),
             (_code(session, spare), NotFound, "error.nothing_due_here")]
    session.commit()
    for scanned, error, key in cases:
        expect_refused(fresh_session, estate.id, "inspection_refused", error, key,
                       lambda scanned=scanned: inspections.task_of_code(session, tech, scanned, now=at(10)))
    assert len(audit_entries(fresh_session, estate.id, "inspection_refused")) == len(cases)


@pytest.fixture
def lobby_area(session, estate):
    area = Area(estate_id=estate.id, name="1栋大堂", kind=AreaKind.LOBBY)
    session.add(area)
    session.commit()
    return area

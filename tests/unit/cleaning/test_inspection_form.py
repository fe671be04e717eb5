"""A cleaning inspection filled in on the phone: the form's fields (pass / fail / damage per item, notes, each
item's photos) queued in the one outbox, recorded once, each photo with its item (a form queued before photos
belonged to items: with the items not passed); hostile photo fields refused; the inspector's sheets."""

import uuid
from datetime import timedelta

from sqlmodel import select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Area, AreaKind, CleaningInspection, CleaningResult, User
from estate_pwa.services import accounts, cleaning, outbox
from estate_pwa.services.cleaning.outbox import form_results
from tests.factories import PASSWORD

PHOTO = "cleaning/" + "d" * 32 + ".jpg"
OTHER_PHOTO = "cleaning/" + "e" * 32 + ".jpg"


def test_each_items_photos_go_with_that_item():
    sent = {"area_id": "3", "result.12": "fail", "note.12": "有泥", "photos.12": [PHOTO], "result.9": "pass",
            "photos.9": [OTHER_PHOTO], "result.4": "damage", "photos.77": [PHOTO], "photos": [PHOTO, OTHER_PHOTO]}
    assert form_results(sent) == [
        {"item_id": 12, "result": "fail", "note": "有泥", "photos": [PHOTO]},
        {"item_id": 9, "result": "pass", "note": "", "photos": [OTHER_PHOTO]},  # a passed item may have photos
        {"item_id": 4, "result": "damage", "note": "", "photos": []},  # not the form's list: its own (none)
    ]
    assert form_results({"result.²": "pass", "result.١٢": "pass"}) == [
        {"item_id": 12, "result": "pass", "note": "", "photos": []}]  # no crash on other digits


def test_a_form_queued_before_photos_belonged_to_items_gives_them_to_the_items_not_passed():
    sent = {"area_id": "3", "result.12": "fail", "note.12": "有泥", "result.9": "pass", "photos": [PHOTO],
            "result.x": "pass", "result.1234567890123456": "pass", 7: "x"}
    assert form_results(sent) == [
        {"item_id": 12, "result": "fail", "note": "有泥", "photos": [PHOTO]},
        {"item_id": 9, "result": "pass", "note": "", "photos": []},
    ]
    assert form_results({"result.4": "pass", "result.5": "pass", "photos": [PHOTO]})[0]["photos"] == [PHOTO]
    assert form_results({}) == []


def test_a_queued_inspection_form_is_recorded_once_with_its_photo(session, fresh_session, db_url, estate, boss,
                                                                  cleaner, lobby, mop, glass):
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=utcnow() - timedelta(days=1))
    session.commit()
    token = accounts.login(session, session.get(User, boss.id).phone, PASSWORD)[1]
    session.commit()
    form = {"uid": uuid.uuid4().hex, "kind": cleaning.INSPECTION, "phone_time": utcnow().isoformat(),
            "payload": {"area_id": str(lobby.id), f"result.{mop.id}": "damage", f"note.{mop.id}": "地砖碎了",
                        f"result.{glass.id}": "pass", f"note.{glass.id}": "", "photos": [PHOTO]}}
    [first] = outbox.dispatch(token, [form], db_url=db_url)
    [again] = outbox.dispatch(token, [form], db_url=db_url)
    assert first.ok and again.ok and again.replayed and again.answer == first.answer
    inspection = fresh_session.exec(select(CleaningInspection).where(CleaningInspection.area_id == lobby.id)).one()
    assert inspection.inspection_uid == form["uid"]
    results = {r.item_id: r for r in fresh_session.exec(select(CleaningResult).where(
        CleaningResult.inspection_id == inspection.id))}
    assert results[mop.id].damage and results[mop.id].photos == [PHOTO] and results[mop.id].note == "地砖碎了"
    assert results[mop.id].rework_task_id and results[mop.id].repair_request_id
    assert results[glass.id].passed and results[glass.id].photos == []


def test_hostile_item_photos_are_refused_and_nothing_is_recorded(session, fresh_session, db_url, estate, boss,
                                                                 lobby, mop, glass):
    token = accounts.login(session, session.get(User, boss.id).phone, PASSWORD)[1]
    session.commit()
    foreign = "inspections/" + "d" * 32 + ".jpg"
    cases = [("x", "error.bad_request"), ({"a": 1}, "error.bad_request"), ([7], "error.bad_request"),
             (["../../etc/passwd"], "error.bad_request"), ([foreign], "error.bad_request"),
             ([PHOTO] * 4, "error.too_many_photos")]
    forms = [{"uid": uuid.uuid4().hex, "kind": cleaning.INSPECTION, "phone_time": utcnow().isoformat(),
              "payload": {"area_id": str(lobby.id), f"result.{mop.id}": "fail", f"result.{glass.id}": "pass",
                          f"photos.{glass.id}": photos}} for photos, _ in cases]
    answers = outbox.dispatch(token, forms, db_url=db_url)
    assert [(a.ok, a.key) for a in answers] == [(False, key) for _, key in cases]
    assert fresh_session.exec(select(CleaningInspection).where(CleaningInspection.area_id == lobby.id)).all() == []


def test_the_inspectors_sheets_list_every_area_with_its_checklist(session, estate, boss, lobby, mop, glass):
    session.add(Area(estate_id=estate.id, name="0号车库", kind=AreaKind.CAR_PARK))
    session.commit()
    sheets = cleaning.inspection_sheets(session, boss)
    assert [s.name for s in sheets] == ["0号车库", "1栋大堂"]
    assert sheets[0].checklist == [] and [i.text for i in sheets[1].checklist] == ["拖地", "擦玻璃门"]

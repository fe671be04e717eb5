"""The one offline outbox, server side (services/outbox.py): every action recorded exactly once however often and
however concurrently it is sent (real parallel sessions, on PostgreSQL too), hostile items refused one by one
without losing the others, another person's items left on the phone, and photos uploaded with a ticket."""

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import func, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area,
    AreaKind,
    CleaningTask,
    CleaningTick,
    OutboxReceipt,
    Role,
    TaskKind,
)
from estate_pwa.services import accounts, cleaning, outbox
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.factories import PASSWORD
from tests.unit.conftest import audit_entries


def _jpeg(size=(64, 48)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "teal").save(data, "JPEG")
    return data.getvalue()


def _token(session, user) -> str:
    token = accounts.login(session, user.phone, PASSWORD)[1]
    session.commit()
    return token


def _tick(task_id, uid=None, **payload) -> dict:
    return {"uid": uid or uuid.uuid4().hex, "kind": "cleaning_tick", "payload": {"task_id": task_id, **payload},
            "phone_time": utcnow().isoformat()}


@pytest.fixture
def day(session, factory, estate, boss):
    """Two areas with today's tasks: the lobby is the cleaner's, the car park another cleaner's."""
    lobby = Area(estate_id=estate.id, name="1栋大堂", kind=AreaKind.LOBBY)
    car_park = Area(estate_id=estate.id, name="地下车库", kind=AreaKind.CAR_PARK)
    session.add_all([lobby, car_park])
    session.commit()
    for words in ("拖地", "擦扶手", "倒垃圾"):
        cleaning.add_item(session, boss, "lobby", words, "daily")
    cleaning.add_item(session, boss, "car_park", "清扫车道", "daily")
    user, other = (factory.user(estate, Role.CLEANER, name=n) for n in ("保洁甲", "保洁乙"))
    cleaning.assign(session, boss, lobby.id, user.id, now=utcnow() - timedelta(days=1))
    cleaning.assign(session, boss, car_park.id, other.id, now=utcnow() - timedelta(days=1))
    cleaning.keep_tasks_current(session, estate.id)
    session.commit()
    tasks = session.exec(select(CleaningTask).where(CleaningTask.estate_id == estate.id,
                                                    CleaningTask.kind == TaskKind.ROUTINE)
                         .order_by(CleaningTask.id)).all()
    return {"user": user, "other": other, "token": _token(session, user), "lobby": lobby,
            "mine": [t.id for t in tasks if t.area_id == lobby.id],
            "theirs": [t.id for t in tasks if t.area_id == car_park.id]}


def _count(fresh, model, *where) -> int:
    fresh.expire_all()
    return fresh.exec(select(func.count()).select_from(model).where(*where)).one()


def test_an_action_sent_again_is_answered_as_before_and_recorded_once(db_url, day, fresh_session):
    first = _tick(day["mine"][0])
    [answer] = outbox.dispatch(day["token"], [first], db_url=db_url)
    assert answer.ok and not answer.replayed and answer.answer["task_id"] == day["mine"][0]
    again = outbox.dispatch(day["token"], [first, {**first, "kind": "scan", "payload": {"code": "x"}}], db_url=db_url)
    assert [(a.uid, a.key, a.replayed) for a in again] == [(first["uid"], "ok", True)] * 2  # whatever it now claims
    assert _count(fresh_session, CleaningTick, CleaningTick.cleaner_id == day["user"].id) == 1
    assert _count(fresh_session, OutboxReceipt, OutboxReceipt.uid == first["uid"]) == 1
    assert outbox.answered(again) == [first["uid"]] * 2


def test_two_tabs_and_two_workers_sending_the_same_queue_at_once_record_each_action_once(db_url, day, fresh_session):
    items = [_tick(task_id) for task_id in day["mine"]] + [_tick(day["mine"][0])]  # a double tap: 2nd uid, same task
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: outbox.dispatch(day["token"], items, db_url=db_url), range(4)))
    assert _count(fresh_session, CleaningTick, CleaningTick.cleaner_id == day["user"].id) == len(day["mine"])
    assert _count(fresh_session, OutboxReceipt, OutboxReceipt.user_id == day["user"].id) == len(items)
    for answer in answers:  # every sender is told something for every item; only "try again" stays on the phone
        assert [a.uid for a in answer] == [i["uid"] for i in items]
        assert {a.key for a in answer} <= {"ok", "error.try_again"}
    assert all(o.ok for o in outbox.dispatch(day["token"], items, db_url=db_url))


def test_hostile_items_are_refused_one_by_one_and_the_good_one_is_kept(db_url, day, fresh_session, estate):
    good = _tick(day["mine"][0])
    uid = iter(uuid.uuid4().hex for _ in range(20))
    hostile = {
        "unknown kind": {"uid": next(uid), "kind": "delete_everything", "payload": {}},
        "payload not a dict": {"uid": next(uid), "kind": "cleaning_tick", "payload": "task 1"},
        "oversized payload": _tick(day["mine"][1], note="很" * outbox.PAYLOAD_MAX),
        "forged id": _tick(2**31 - 1),
        "another person's task": _tick(day["theirs"][0]),
        "bad id type": _tick({"$ne": 1}),
        "path as photo": _tick(day["mine"][1], photos=["../../etc/passwd"]),
        "bytes as photo": _tick(day["mine"][1], photos=["data:image/jpeg;base64," + "A" * 3000]),
        "bad phone time": {**_tick(day["mine"][2]), "phone_time": "yesterday"},
    }
    junk = [None, 7, "x", [], {}, {"uid": "no spaces allowed", "kind": "cleaning_tick", "payload": {}},
            {"uid": "a" * 65, "kind": "cleaning_tick", "payload": {}}]
    answers = {a.uid: a.key for a in outbox.dispatch(day["token"], [*junk, *hostile.values(), good], db_url=db_url)}
    assert answers.pop(good["uid"]) == "ok"
    assert set(answers) == {item["uid"] for item in hostile.values()}  # junk without a uid of ours gets nothing
    assert answers[hostile["unknown kind"]["uid"]] == answers[hostile["payload not a dict"]["uid"]] == "error.bad_request"
    assert answers[hostile["oversized payload"]["uid"]] == "error.bad_request"
    assert answers[hostile["forged id"]["uid"]] == "error.not_found"
    assert answers[hostile["another person's task"]["uid"]] == "error.not_your_area"
    assert answers[hostile["bad id type"]["uid"]] == "error.bad_request"
    assert answers[hostile["path as photo"]["uid"]] == answers[hostile["bytes as photo"]["uid"]] == "error.bad_request"
    assert answers[hostile["bad phone time"]["uid"]] == "error.bad_time"
    ticked = fresh_session.exec(select(CleaningTick.task_id).where(CleaningTick.cleaner_id == day["user"].id)).all()
    assert ticked == [day["mine"][0]]
    assert outbox.dispatch(day["token"], "not a list", db_url=db_url) == []
    assert len(outbox.dispatch(day["token"], [good] * (outbox.BATCH_MAX + 50), db_url=db_url)) == outbox.BATCH_MAX


def test_nobody_logged_in_keeps_the_queue_and_another_persons_items_stay_on_the_phone(db_url, day, session,
                                                                                       fresh_session):
    item = _tick(day["mine"][0])
    assert outbox.dispatch("", [item], db_url=db_url) is None
    assert outbox.dispatch("forged-token", [item], db_url=db_url) is None
    someone_else = {**item, "owner": outbox.owner_tag(cleaning_actor(session, day["other"]))}
    assert outbox.dispatch(day["token"], [someone_else], db_url=db_url) == []
    mine = {**item, "owner": outbox.owner_tag(cleaning_actor(session, day["user"]))}
    assert [a.key for a in outbox.dispatch(day["token"], [mine], db_url=db_url)] == ["ok"]
    assert _count(fresh_session, OutboxReceipt, OutboxReceipt.user_id == day["user"].id) == 1


def cleaning_actor(session, user):
    from estate_pwa.services.permissions import actor_for
    return actor_for(session, user)


def test_a_role_refused_for_a_kind_is_refused_and_audited_once_per_batch(db_url, day, session, factory, estate,
                                                                           fresh_session):
    guard = factory.user(estate, Role.GUARD)
    items = [_tick(task_id) for task_id in day["mine"]]
    answers = outbox.dispatch(_token(session, guard), items, db_url=db_url)
    assert [a.key for a in answers] == ["error.not_allowed"] * len(items)
    assert len([e for e in audit_entries(fresh_session, estate.id, "cleaning_refused")
                if e.actor_id == guard.id]) == 1
    assert _count(fresh_session, CleaningTick, CleaningTick.task_id.in_(day["mine"])) == 0


def test_outbox_photos_upload_with_a_ticket_and_anything_else_is_refused_before_decoding(session, day, factory,
                                                                                         estate):
    actor = cleaning_actor(session, day["user"])
    ticket = outbox.photo_ticket(actor)
    name = outbox.store_photo(session, ticket, "cleaning", _jpeg())
    assert name.startswith("cleaning/") and name.endswith(".jpg")
    with pytest.raises(NotFound):
        outbox.store_photo(session, ticket + "x", "cleaning", _jpeg())
    with pytest.raises(NotFound):
        outbox.store_photo(session, outbox.photo_ticket(actor, now=utcnow() - timedelta(hours=1)), "cleaning", _jpeg())
    with pytest.raises(InvalidInput, match="error.bad_request"):
        outbox.store_photo(session, ticket, "../jobs", _jpeg())
    with pytest.raises(InvalidInput, match="error.photo_too_large"):
        outbox.store_photo(session, ticket, "cleaning", b"\xff" * (outbox.PHOTO_BYTES_MAX + 1))
    with pytest.raises(InvalidInput, match="error.bad_photo"):
        outbox.store_photo(session, ticket, "cleaning", b"<svg onload=alert(1)>")
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0]))
    with pytest.raises(NotAllowed):
        outbox.store_photo(session, outbox.photo_ticket(resident), "cleaning", _jpeg())


def test_a_tick_queued_with_its_photo_names_them_and_a_photo_item_without_one_is_refused(db_url, day, session, boss):
    item = cleaning.add_item(session, boss, "lobby", "擦玻璃门", "daily", photo_required=True)
    cleaning.keep_tasks_current(session, day["lobby"].estate_id)
    session.commit()
    task = session.exec(select(CleaningTask).where(CleaningTask.item_id == item.id)).one()
    name = outbox.store_photo(session, outbox.photo_ticket(cleaning_actor(session, day["user"])), "cleaning", _jpeg())
    without, with_photo = _tick(task.id), _tick(task.id, photos=[name])
    answers = outbox.dispatch(day["token"], [without, with_photo], db_url=db_url)
    assert [a.key for a in answers] == ["error.photo_required", "ok"]
    session.expire_all()
    assert session.exec(select(CleaningTick).where(CleaningTick.task_id == task.id)).one().photos == [name]

"""Responsible cleaners over time, ticks recorded exactly once, inspections making rework, and who may do what."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import CleaningAssignment, CleaningTask, CleaningTick, TaskKind
from estate_pwa.services import cleaning
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW, at, audit_entries, expect_refused

PHOTO = "cleaning/" + "a" * 32 + ".jpg"


def _task(session, area, item):
    return session.exec(select(CleaningTask).where(CleaningTask.area_id == area.id, CleaningTask.item_id == item.id,
                                                   CleaningTask.kind == TaskKind.ROUTINE)).one()


@pytest.fixture
def ready(session, boss, estate, lobby, cleaner, mop, glass):
    """The cleaner is responsible for the lobby; today's tasks are made."""
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(7))
    cleaning.generate_tasks(session, estate.id, date(2026, 3, 10))
    session.commit()
    return _task(session, lobby, mop), _task(session, lobby, glass)


def test_reassignment_closes_the_previous_with_the_same_instant(session, boss, lobby, cleaner, cleaner2, fresh_session,
                                                               estate):
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(8))
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(9))  # already responsible: nothing changes
    cleaning.assign(session, boss, lobby.id, cleaner2.id, now=at(10))
    session.commit()
    first, second = cleaning.history(session, boss, lobby.id)
    assert (first.cleaner_id, first.starts_at, first.ends_at) == (cleaner.id, at(8), at(10))
    assert (second.cleaner_id, second.starts_at, second.ends_at) == (cleaner2.id, at(10), None)
    assert [e.detail["previous"] for e in audit_entries(fresh_session, estate.id, "cleaner_assigned")] == [
        None, cleaner.id]
    # the past stays true: who was responsible at 09:00
    assert cleaning.rules.responsible_for(session, lobby.id, at(9)) == cleaner.id
    assert cleaning.rules.responsible_for(session, lobby.id, at(11)) == cleaner2.id


def test_only_cleaners_of_the_estate_can_be_made_responsible(session, boss, lobby, others, fresh_session, estate):
    expect_refused(fresh_session, estate.id, "cleaning_refused", InvalidInput, "error.not_a_cleaner",
                   lambda: cleaning.assign(session, boss, lobby.id, others["guard"].id))
    expect_refused(fresh_session, estate.id, "cleaning_refused", NotFound, "error.not_found",
                   lambda: cleaning.assign(session, boss, lobby.id, others["other_manager"].id))
    assert session.exec(select(CleaningAssignment).where(CleaningAssignment.area_id == lobby.id)).all() == []


def test_one_open_assignment_per_area_in_the_database(session, estate, lobby, cleaner, cleaner2, boss):
    from sqlalchemy.exc import IntegrityError
    for who in (cleaner, cleaner2):
        session.add(CleaningAssignment(estate_id=estate.id, area_id=lobby.id, cleaner_id=who.id, starts_at=NOW,
                                       assigned_by_id=boss.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_tick_sent_twice_is_recorded_once(session, ready, cleaner, fresh_session, estate):
    mop, _ = ready
    first = cleaning.tick(session, cleaner, mop.id, "uid-1", client_time="2026-03-10T11:58:00+08:00", now=NOW)
    session.commit()
    again = cleaning.tick(session, cleaner, mop.id, "uid-1", now=NOW + timedelta(minutes=5))
    other_uid = cleaning.tick(session, cleaner, mop.id, "uid-2", now=NOW + timedelta(minutes=6))
    session.commit()
    assert not first.replayed and again.replayed and other_uid.replayed
    assert first.tick_id == again.tick_id == other_uid.tick_id
    fresh_session.expire_all()
    ticks = fresh_session.exec(select(CleaningTick).where(CleaningTick.task_id == mop.id)).all()
    assert [(t.tick_uid, t.done_at, t.present) for t in ticks] == [("uid-1", NOW, False)]
    assert fresh_session.get(CleaningTask, mop.id).done_at == NOW
    assert len(audit_entries(fresh_session, estate.id, "cleaning_ticked")) == 1


def test_a_photo_item_needs_a_photo_and_the_area_code_marks_presence(session, ready, cleaner, lobby, car_park,
                                                                     fresh_session, estate):
    _, glass = ready
    expect_refused(fresh_session, estate.id, "cleaning_refused", InvalidInput, "error.photo_required",
                   lambda: cleaning.tick(session, cleaner, glass.id, "g-1", now=NOW))
    expect_refused(fresh_session, estate.id, "cleaning_refused", InvalidInput, "error.qr_invalid",
                   lambda: cleaning.tick(session, cleaner, glass.id, "g-2", [PHOTO], area_code="forged.code", now=NOW))
    elsewhere = cleaning.tick(session, cleaner, glass.id, "g-3", [PHOTO], area_code=cleaning.area_code(car_park),
                              now=NOW)
    assert elsewhere.present is False
    session.rollback()
    session.exec(select(CleaningTick)).all()


def test_presence_with_the_right_area_code(session, ready, cleaner, lobby):
    _, glass = ready
    result = cleaning.tick(session, cleaner, glass.id, "p-1", [PHOTO], area_code=cleaning.area_code(lobby), now=NOW)
    assert result.present and not result.late


def test_ticks_are_refused_to_everyone_but_the_responsible_cleaner(session, ready, cleaner2, others, boss,
                                                                   fresh_session, estate, factory):
    mop, _ = ready
    expect_refused(fresh_session, estate.id, "cleaning_refused", NotAllowed, "error.not_your_area",
                   lambda: cleaning.tick(session, cleaner2, mop.id, "x-1", now=NOW))
    for who in ("guard", "technician", "resident"):
        expect_refused(fresh_session, estate.id, "cleaning_refused", NotAllowed, "error.not_allowed",
                       lambda who=who: cleaning.tick(session, others[who], mop.id, "x-2", now=NOW))
    expect_refused(fresh_session, estate.id, "cleaning_refused", NotAllowed, "error.not_allowed",
                   lambda: cleaning.tick(session, boss, mop.id, "x-3", now=NOW))
    with pytest.raises(NotAllowed):
        cleaning.tick(session, None, mop.id, "x-4", now=NOW)
    from estate_pwa.models import Role
    stranger = factory.actor(factory.user(factory.estate(), Role.CLEANER))
    with pytest.raises(NotFound):
        cleaning.tick(session, stranger, mop.id, "x-5", now=NOW)
    for hostile in (None, "", "x" * 65, "a b", {"$ne": 1}, 12):
        with pytest.raises(InvalidInput):
            cleaning.tick(session, ReadyCleaner.of(session, mop), mop.id, hostile, now=NOW)
    assert session.get(CleaningTask, mop.id).done_at is None


class ReadyCleaner:
    @staticmethod
    def of(session, task):
        from estate_pwa.models import User
        from estate_pwa.services.permissions import actor_for
        owner = cleaning.rules.responsible_for(session, task.area_id, NOW)
        return actor_for(session, session.get(User, owner))


def test_managers_and_nobody_else_set_up_and_inspect(session, lobby, cleaner, others, fresh_session, estate, mop):
    for who in ("guard", "technician", "resident"):
        for call in (lambda: cleaning.assign(session, others[who], lobby.id, cleaner.id),
                     lambda: cleaning.add_item(session, others[who], "lobby", "拖地", "daily"),
                     lambda: cleaning.inspect(session, others[who], lobby.id, [{"item_id": mop.id, "result": "pass"}]),
                     lambda: cleaning.coverage(session, others[who])):
            expect_refused(fresh_session, estate.id, "cleaning_refused", NotAllowed, "error.not_allowed", call)
    expect_refused(fresh_session, estate.id, "cleaning_refused", NotAllowed, "error.not_allowed",
                   lambda: cleaning.inspect(session, cleaner, lobby.id, [{"item_id": mop.id, "result": "pass"}]))
    for call in (lambda: cleaning.assign(session, None, lobby.id, cleaner.id),
                 lambda: cleaning.inspect(session, None, lobby.id, []), lambda: cleaning.cleaner_today(session, None)):
        with pytest.raises(NotAllowed):
            call()
    with pytest.raises(NotFound):
        cleaning.inspect(session, others["other_manager"], lobby.id, [{"item_id": mop.id, "result": "pass"}])


def test_a_failed_item_becomes_rework_for_the_responsible_cleaner(session, ready, boss, cleaner, lobby, mop,
                                                                  glass, fresh_session, estate):
    inspection = cleaning.inspect(session, boss, lobby.id, [
        {"item_id": mop.id, "result": "pass"},
        {"item_id": glass.id, "result": "fail", "note": "有手印", "photos": [PHOTO]},
    ], now=NOW)
    session.commit()
    rework = session.exec(select(CleaningTask).where(CleaningTask.kind == TaskKind.REWORK,
                                                     CleaningTask.area_id == lobby.id)).one()
    assert (rework.cleaner_id, rework.starts_at, rework.due_at, rework.item_id) == (
        cleaner.id, NOW, NOW + timedelta(hours=2), glass.id)
    assert len(audit_entries(fresh_session, estate.id, "cleaning_rework_created")) == 1
    assert audit_entries(fresh_session, estate.id, "cleaning_inspected")[-1].target_id == lobby.id
    assert inspection.id
    # on the cleaner's phone, first, with a tick; overdue after two hours
    (card,) = cleaning.cleaner_today(session, cleaner, NOW + timedelta(minutes=1))
    assert card.tasks[0].slot == "rework" and card.tasks[0].actions == ["tick"] and not card.tasks[0].overdue
    (card,) = cleaning.cleaner_today(session, cleaner, NOW + timedelta(hours=3))
    assert card.tasks[0].overdue
    (row,) = [r for r in cleaning.coverage(session, boss, NOW + timedelta(hours=3)) if r.id == lobby.id]
    assert (row.rework_open, row.rework_overdue) == (1, 1)


def test_hostile_inspections_are_refused(session, ready, boss, lobby, mop, car_park, fresh_session, estate):
    other_kind = cleaning.add_item(session, boss, "car_park", "清扫", "daily")
    session.commit()
    for results in ([], None, "pass", [{"item_id": other_kind.id, "result": "pass"}],
                    [{"item_id": mop.id, "result": "maybe"}], [{"item_id": str(mop.id), "result": "pass"}],
                    [{"item_id": mop.id, "result": "pass"}, {"item_id": mop.id, "result": "fail"}],
                    [{"item_id": mop.id, "result": "fail", "photos": ["../etc/passwd"]}]):
        with pytest.raises(InvalidInput):
            cleaning.inspect(session, boss, lobby.id, results, now=NOW)


def test_coverage_flags_unassigned_areas_and_overdue_work(session, ready, boss, cleaner, lobby, car_park, estate):
    mop, glass = ready
    cleaning.add_item(session, boss, "car_park", "清扫", "daily")
    cleaning.generate_tasks(session, estate.id, date(2026, 3, 10))
    cleaning.tick(session, cleaner, mop.id, "c-1", now=NOW)
    session.commit()
    rows = {r.id: r for r in cleaning.coverage(session, boss, NOW)}
    assert rows[car_park.id].unassigned and rows[car_park.id].cleaner == ""
    assert (rows[lobby.id].cleaner, rows[lobby.id].status, rows[lobby.id].done, rows[lobby.id].total) == (
        "保洁甲", "partly", 1, 2)
    tomorrow = at(1, day=11)
    assert {r.id: r.status for r in cleaning.coverage(session, boss, tomorrow)}[lobby.id] == "nothing_due"
    (card,) = cleaning.cleaner_today(session, cleaner, NOW)
    assert (card.name, card.done, card.total) == ("1栋大堂", 1, 2)
    assert [t.actions for t in card.tasks] == [[], ["tick"]]


def test_the_clock_is_wired(session):
    assert utcnow()


def test_a_daily_task_is_due_at_24_00_not_00_00(session, ready, cleaner):
    """A window closing at midnight reads as due at the end of its day."""
    rows = [task for card in cleaning.cleaner_today(session, cleaner, at(12)) for task in card.tasks]
    assert rows and {task.due for task in rows} == {"24:00"}

"""Cleaning in the field: the inspector right, damage found by an inspection opening a repair request, presence by
scanning an area's code (in either order with the ticks), and the coverage indicator's arithmetic."""

from datetime import date

import pytest
from sqlmodel import select

from estate_pwa.models import (
    CleaningResult,
    CleaningTask,
    CleaningTick,
    CleaningVisit,
    RequestKind,
    Role,
    ServiceRequest,
    TaskKind,
    User,
    UserRole,
)
from estate_pwa.services import cleaning
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.indicators.registry import REGISTRY, Context, Window
from tests.unit.conftest import at, audit_entries, expect_refused

PHOTO = "cleaning/" + "b" * 32 + ".jpg"


def _task(session, area, item, kind=TaskKind.ROUTINE):
    return session.exec(select(CleaningTask).where(CleaningTask.area_id == area.id, CleaningTask.item_id == item.id,
                                                   CleaningTask.kind == kind)).one()


@pytest.fixture
def ready(session, boss, estate, lobby, cleaner, mop, glass):
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(7))
    cleaning.generate_tasks(session, estate.id, date(2026, 3, 10))
    session.commit()
    return _task(session, lobby, mop), _task(session, lobby, glass)


def test_a_manager_gives_and_takes_back_the_inspector_right_and_only_then_staff_inspect(
        session, fresh_session, boss, estate, factory, lobby, mop, others, ready):
    guard = others["guard"]
    with pytest.raises(NotAllowed):
        cleaning.inspect(session, guard, lobby.id, [{"item_id": mop.id, "result": "pass"}], now=at(12))
    assert cleaning.set_inspector(session, boss, guard.id, True) is True
    assert cleaning.set_inspector(session, boss, guard.id, True) is True  # again: nothing changes
    session.commit()
    inspector = factory.actor(session.get(User, guard.id))
    assert inspector.has(Role.INSPECTOR)
    done = cleaning.inspect(session, inspector, lobby.id, [{"item_id": mop.id, "result": "pass"}], now=at(12))
    assert done.inspector_id == guard.id
    cleaning.set_inspector(session, boss, guard.id, False)
    session.commit()
    assert fresh_session.get(UserRole, (guard.id, Role.INSPECTOR.value)) is None
    assert [e.action for e in audit_entries(fresh_session, estate.id, "inspector_granted")] == ["inspector_granted"]
    resident = others["resident"]
    expect_refused(fresh_session, estate.id, "cleaning_refused", InvalidInput, "error.not_staff",
                   lambda: cleaning.set_inspector(session, boss, resident.id, True))
    for who in (others["guard"], others["technician"], others["resident"]):
        with pytest.raises(NotAllowed):
            cleaning.set_inspector(session, who, guard.id, True)
    with pytest.raises(Exception):  # noqa: B017 - another estate's manager cannot even see the person
        cleaning.set_inspector(session, others["other_manager"], guard.id, True)
    with pytest.raises(InvalidInput):
        cleaning.set_inspector(session, boss, guard.id, "yes")


def test_damage_found_by_an_inspection_opens_a_repair_request_linked_both_ways(session, boss, estate, lobby, mop,
                                                                               glass, cleaner, ready):
    inspection = cleaning.inspect(session, boss, lobby.id, [
        {"item_id": mop.id, "result": "fail", "note": "地面有水渍"},
        {"item_id": glass.id, "result": "damage", "note": "门禁玻璃破裂", "photos": [PHOTO]},
    ], now=at(14))
    session.commit()
    dirty, broken = session.exec(select(CleaningResult).where(CleaningResult.inspection_id == inspection.id)
                                 .order_by(CleaningResult.id)).all()
    assert (dirty.passed, dirty.damage, dirty.repair_request_id) == (False, False, None)
    assert (broken.passed, broken.damage) == (False, True) and broken.rework_task_id is not None
    request = session.get(ServiceRequest, broken.repair_request_id)
    assert (request.kind, request.area_id, request.first_receiver_id) == (RequestKind.REPAIR, lobby.id, boss.id)
    assert "门禁玻璃破裂" in request.description and lobby.name in request.description
    assert cleaning.result_of_request(session, boss, request.id).id == broken.id  # and back
    rework = session.get(CleaningTask, broken.rework_task_id)
    assert (rework.cleaner_id, rework.due_at) == (cleaner.id, at(16))


def test_an_inspection_sent_twice_with_its_uid_is_recorded_once(session, boss, lobby, mop, ready):
    results = [{"item_id": mop.id, "result": "damage"}]
    first = cleaning.inspect(session, boss, lobby.id, results, now=at(14), inspection_uid="insp-1")
    again = cleaning.inspect(session, boss, lobby.id, results, now=at(15), inspection_uid="insp-1")
    session.commit()
    assert first.id == again.id
    assert len(session.exec(select(ServiceRequest).where(ServiceRequest.area_id == lobby.id)).all()) == 1


def test_presence_counts_whichever_of_the_scan_and_the_tick_arrives_first(session, cleaner, lobby, car_park, ready):
    mop_task, glass_task = ready
    code = cleaning.area_code(lobby)
    before = cleaning.tick(session, cleaner, mop_task.id, "t-1", client_time=at(9), now=at(9, 30))
    assert before.present is False  # queued offline; the scan of the code comes after it
    cleaning.visit(session, cleaner, code, "v-1", client_time=at(9, 20), now=at(9, 40))
    session.commit()
    session.expire_all()
    assert session.exec(select(CleaningTick).where(CleaningTick.task_id == mop_task.id)).one().present is True
    after = cleaning.tick(session, cleaner, glass_task.id, "t-2", [PHOTO], client_time=at(9, 50), now=at(9, 55))
    assert after.present is True
    cleaning.visit(session, cleaner, code, "v-1", client_time=at(9, 20), now=at(10))  # sent again: once
    assert len(session.exec(select(CleaningVisit).where(CleaningVisit.cleaner_id == cleaner.id)).all()) == 1
    with pytest.raises(InvalidInput):
        cleaning.visit(session, cleaner, "forged-code", "v-2", now=at(10))


def test_a_tick_far_from_any_scan_of_the_area_is_flagged_as_without_presence(session, cleaner, lobby, car_park, ready):
    mop_task, _ = ready
    cleaning.visit(session, cleaner, cleaning.area_code(car_park), "v-1", client_time=at(9), now=at(9))
    cleaning.visit(session, cleaner, cleaning.area_code(lobby), "v-2", client_time=at(6), now=at(6))
    assert cleaning.tick(session, cleaner, mop_task.id, "t-1", client_time=at(9), now=at(9)).present is False


def test_coverage_is_tasks_done_by_their_deadline_over_tasks_due(session, boss, estate, cleaner, lobby, mop, glass):
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(7, day=8))
    for day in (8, 9, 10):
        cleaning.generate_tasks(session, estate.id, date(2026, 3, day))
    session.commit()
    tasks = {(t.day.day, t.item_id): t for t in session.exec(select(CleaningTask).where(
        CleaningTask.area_id == lobby.id))}
    tasks[8, mop.id].done_at = at(10, day=8)                      # on time
    tasks[8, glass.id].done_at = at(1, day=9)                     # after midnight: late
    tasks[9, mop.id].done_at = at(23, 59, day=9)                  # on time, just
    session.add_all(tasks.values())                               # 9 glass: never done; day 10: not yet due
    session.commit()
    context = Context(estate.id, at(12, day=10))
    window = Window(at(0, day=8), at(0, day=11))
    [reading] = REGISTRY["cleaning_coverage"].measure(session, context, [window])
    assert (reading.numerator, reading.denominator) == (2, 4)
    assert REGISTRY["cleaning_coverage"].parent == "cleaning_rate" and "到期" in REGISTRY["cleaning_coverage"].definition_zh
    rows, total = REGISTRY["cleaning_coverage"].drill(session, context, window, 0, 10)
    assert total == 4 and [r.counts for r in rows] == [False, False, True, True]

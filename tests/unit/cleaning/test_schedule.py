"""Task generation: every frequency, across midnight and week boundaries, in the estate's timezone, idempotent."""

from datetime import date, time, timedelta

from sqlmodel import select

from estate_pwa.models import ChecklistItem, CleaningTask, Frequency, Shift
from estate_pwa.services import cleaning
from tests.unit.conftest import at

TZ = "Asia/Shanghai"
DAY = Shift(id=1, estate_id=1, name="白班", starts=time(8), ends=time(20))
NIGHT = Shift(id=2, estate_id=1, name="夜班", starts=time(20), ends=time(8))


def item(frequency: str, weekdays: str = "") -> ChecklistItem:
    return ChecklistItem(id=9, estate_id=1, area_kind="lobby", text="拖地", frequency=frequency, weekdays=weekdays)


def test_every_shift_gives_one_slot_per_shift_and_the_night_shift_ends_next_morning():
    slots = cleaning.slots_for(item(Frequency.EVERY_SHIFT), date(2026, 3, 10), [DAY, NIGHT], TZ)
    assert [(s.slot, s.shift_id, s.starts_at, s.due_at) for s in slots] == [
        ("shift:1", 1, at(8), at(20)),
        ("shift:2", 2, at(20), at(8, day=11)),
    ]


def test_daily_runs_from_local_midnight_to_local_midnight():
    (slot,) = cleaning.slots_for(item(Frequency.DAILY), date(2026, 3, 10), [DAY], TZ)
    assert (slot.day, slot.slot, slot.starts_at, slot.due_at) == (date(2026, 3, 10), "day", at(0), at(0, day=11))
    assert slot.starts_at.hour == 16  # 00:00 in Shanghai is 16:00 UTC the day before


def test_weekly_is_one_task_per_week_whichever_day_asks():
    # 2026-03-09 is a Monday, 03-15 a Sunday, 03-16 the next Monday
    monday = cleaning.slots_for(item(Frequency.WEEKLY), date(2026, 3, 9), [DAY], TZ)
    sunday = cleaning.slots_for(item(Frequency.WEEKLY), date(2026, 3, 15), [DAY], TZ)
    next_monday = cleaning.slots_for(item(Frequency.WEEKLY), date(2026, 3, 16), [DAY], TZ)
    assert monday == sunday
    assert (monday[0].day, monday[0].slot, monday[0].starts_at, monday[0].due_at) == (
        date(2026, 3, 9), "week", at(0, day=9), at(0, day=16))
    assert next_monday[0].day == date(2026, 3, 16) and next_monday[0].starts_at == monday[0].due_at


def test_given_weekdays_only():
    mon_wed_fri = item(Frequency.WEEKDAYS, "0,2,4")
    days = [date(2026, 3, 9) + timedelta(days=i) for i in range(7)]
    assert [bool(cleaning.slots_for(mon_wed_fri, d, [DAY], TZ)) for d in days] == [
        True, False, True, False, True, False, False]


def test_generation_makes_each_task_once(session, boss, estate, lobby, car_park, factory):
    cleaning.add_item(session, boss, "lobby", "拖地", "daily")
    cleaning.add_item(session, boss, "lobby", "倒垃圾", "every_shift")
    cleaning.add_item(session, boss, "lobby", "擦扶手", "weekly")
    cleaning.add_item(session, boss, "car_park", "清扫车位", "weekdays", weekdays=[1, 3])
    session.commit()
    tuesday = date(2026, 3, 10)
    # nobody rostered: every-shift items get the earliest shift only (白班)
    assert cleaning.generate_tasks(session, estate.id, tuesday) == 4  # mop, bins (day shift), rail, car park
    assert cleaning.generate_tasks(session, estate.id, tuesday) == 0
    session.commit()
    assert cleaning.generate_tasks(session, estate.id, tuesday + timedelta(days=1)) == 2  # Wednesday: mop, bins
    tasks = session.exec(select(CleaningTask).where(CleaningTask.estate_id == estate.id)).all()
    assert sorted((t.day.isoformat(), t.slot) for t in tasks if t.area_id == lobby.id)[:3] == [
        ("2026-03-09", "week"), ("2026-03-10", "day"), ("2026-03-10", f"shift:{factory.shifts(estate)['白班'].id}")]


def test_rostered_night_cleaners_get_the_night_shift_tasks(session, boss, estate, lobby, factory):
    from estate_pwa.models import DutyAssignment, Role
    cleaner = factory.user(estate, Role.CLEANER)
    shifts = factory.shifts(estate)
    for shift in shifts.values():
        session.add(DutyAssignment(estate_id=estate.id, user_id=cleaner.id, shift_id=shift.id, role=Role.CLEANER,
                                   day=date(2026, 3, 10)))
    cleaning.add_item(session, boss, "lobby", "倒垃圾", "every_shift")
    session.commit()
    assert cleaning.generate_tasks(session, estate.id, date(2026, 3, 10)) == 2
    night = session.exec(select(CleaningTask).where(CleaningTask.area_id == lobby.id,
                                                    CleaningTask.shift_id == shifts["夜班"].id)).one()
    assert (night.starts_at, night.due_at) == (at(20), at(8, day=11))


def test_the_clock_uses_the_estates_local_day(session, boss, estate, lobby, mop):
    # 23:30 UTC on the 9th is already 07:30 on the 10th in Shanghai
    assert cleaning.keep_tasks_current(session, estate.id, at(7, 30)) == 1
    task = session.exec(select(CleaningTask).where(CleaningTask.area_id == lobby.id)).one()
    assert task.day == date(2026, 3, 10)


def test_the_scheduler_makes_the_tasks(session, boss, estate, lobby, mop, db_url):
    from estate_pwa.scheduler import patrol_tick
    session.commit()
    patrol_tick(at(9), db_url)
    patrol_tick(at(9, 1), db_url)
    session.expire_all()
    assert len(session.exec(select(CleaningTask).where(CleaningTask.area_id == lobby.id)).all()) == 1

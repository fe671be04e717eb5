"""The duty roster: shift instants across midnight, who is on duty, and assignments."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from estate_pwa.models import AuditEntry, DutyAssignment, Role, Shift
from estate_pwa.services import roster
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound

DAY = date(2026, 3, 10)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Asia/Shanghai (UTC+8) local time in March 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def shifts(factory, estate):
    return factory.shifts(estate)


@pytest.fixture
def guard(factory, estate):
    return factory.user(estate, Role.GUARD, name="保安甲")


@pytest.fixture
def cleaner(factory, estate):
    return factory.user(estate, Role.CLEANER, Role.GUARD, name="保洁乙")


# shift_bounds

def test_night_shift_crosses_midnight_in_shanghai(shifts):
    starts, ends = roster.shift_bounds(shifts["夜班"], DAY, "Asia/Shanghai")
    assert starts == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert ends == datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
    assert starts.utcoffset() == timedelta(0) and ends.utcoffset() == timedelta(0)


def test_day_shift_same_day(shifts):
    starts, ends = roster.shift_bounds(shifts["白班"], DAY, "Asia/Shanghai")
    assert (starts, ends) == (datetime(2026, 3, 10, 0, tzinfo=UTC), datetime(2026, 3, 10, 12, tzinfo=UTC))


def test_shift_ending_when_it_starts_lasts_a_whole_day():
    shift = Shift(estate_id=1, name="全天", starts=time(7), ends=time(7))
    starts, ends = roster.shift_bounds(shift, DAY, "UTC")
    assert ends - starts == timedelta(hours=24)


def test_shift_bounds_follow_daylight_saving():
    """In Berlin the night of 28-29 March 2026 is one hour shorter (clocks go 02:00 -> 03:00)."""
    night = Shift(estate_id=1, name="夜班", starts=time(20), ends=time(8))
    starts, ends = roster.shift_bounds(night, date(2026, 3, 28), "Europe/Berlin")
    assert starts == datetime(2026, 3, 28, 19, tzinfo=UTC)
    assert ends == datetime(2026, 3, 29, 6, tzinfo=UTC)


# on_duty

@pytest.fixture
def rostered(session, boss, shifts, guard, cleaner):
    """guard: night shift starting 10 March; cleaner: day shift on 11 March as cleaner."""
    roster.assign(session, boss, guard.id, shifts["夜班"].id, DAY, "guard")
    roster.assign(session, boss, cleaner.id, shifts["白班"].id, DAY + timedelta(days=1), Role.CLEANER)
    session.commit()


def on_duty_ids(session, estate, moment, role=None):
    return [d.user_id for d in roster.on_duty(session, estate.id, role, now=moment)]


def test_night_shift_that_started_yesterday_still_counts(session, estate, rostered, guard):
    duties = roster.on_duty(session, estate.id, now=at(11, 3))
    assert [(d.user_id, d.role, d.shift_name) for d in duties] == [(guard.id, Role.GUARD, "夜班")]
    assert duties[0].starts_at == datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert duties[0].ends_at == datetime(2026, 3, 11, 0, tzinfo=UTC)
    assert duties[0].user_name == "保安甲"


def test_day_shift_at_nine(session, estate, rostered, cleaner):
    assert on_duty_ids(session, estate, at(11, 9)) == [cleaner.id]
    assert on_duty_ids(session, estate, at(11, 9), Role.CLEANER) == [cleaner.id]
    assert on_duty_ids(session, estate, at(11, 9), Role.GUARD) == []


@pytest.mark.parametrize("moment", [at(10, 19, 59), at(10, 9), at(11, 20), at(12, 3), at(9, 23)])
def test_nobody_in_a_gap(session, estate, rostered, moment):
    assert on_duty_ids(session, estate, moment) == []


def test_shift_edges_are_start_inclusive_end_exclusive(session, estate, rostered, guard, cleaner):
    assert on_duty_ids(session, estate, at(10, 20)) == [guard.id]
    assert on_duty_ids(session, estate, at(11, 7, 59)) == [guard.id]
    assert on_duty_ids(session, estate, at(11, 8)) == [cleaner.id]
    assert on_duty_ids(session, estate, at(11, 20)) == []


def test_disabled_users_are_not_on_duty(session, estate, rostered, guard):
    guard.is_active = False
    session.commit()
    assert on_duty_ids(session, estate, at(11, 3)) == []


def test_on_duty_is_per_estate(session, factory, estate, rostered, guard):
    other = factory.estate()
    boss = factory.actor(factory.user(other, Role.MANAGER))
    other_guard = factory.user(other, Role.GUARD)
    roster.assign(session, boss, other_guard.id, factory.shifts(other)["夜班"].id, DAY, "guard")
    assert on_duty_ids(session, estate, at(11, 3)) == [guard.id]
    assert on_duty_ids(session, other, at(11, 3)) == [other_guard.id]


def test_is_on_duty(session, factory, rostered, guard, cleaner):
    me = factory.actor(guard)
    assert roster.is_on_duty(session, me, Role.GUARD, now=at(11, 3))
    assert not roster.is_on_duty(session, me, Role.CLEANER, now=at(11, 3))
    assert not roster.is_on_duty(session, me, Role.GUARD, now=at(11, 9))
    # The cleaner also holds the guard role but is rostered as a cleaner.
    assert roster.is_on_duty(session, factory.actor(cleaner), Role.CLEANER, now=at(11, 9))
    assert not roster.is_on_duty(session, factory.actor(cleaner), Role.GUARD, now=at(11, 9))


def test_on_duty_follows_the_estate_timezone(session, factory):
    estate = factory.estate(timezone="UTC")
    boss = factory.actor(factory.user(estate, Role.MANAGER))
    guard = factory.user(estate, Role.GUARD)
    roster.assign(session, boss, guard.id, factory.shifts(estate)["白班"].id, DAY, "guard")
    assert on_duty_ids(session, estate, datetime(2026, 3, 10, 19, tzinfo=UTC)) == [guard.id]
    assert on_duty_ids(session, estate, datetime(2026, 3, 10, 7, tzinfo=UTC)) == []


@pytest.mark.parametrize("timezone", ["Pacific/Kiritimati", "Asia/Shanghai", "UTC", "Pacific/Pago_Pago"])
def test_covering_days_find_every_shift_on_duty_whatever_the_timezone(session, factory, timezone):
    """The scan's own duty check (assignments on covering_days, kept when a shift covers now) agrees with
    is_on_duty hour by hour, for estates 14 hours ahead of UTC to 11 hours behind it."""
    estate = factory.estate(timezone=timezone)
    boss = factory.actor(factory.user(estate, Role.MANAGER))
    guard = factory.user(estate, Role.GUARD)
    shifts = factory.shifts(estate)
    for offset, name in ((-1, "夜班"), (0, "白班"), (1, "夜班")):
        roster.assign(session, boss, guard.id, shifts[name].id, DAY + timedelta(days=offset), "guard")
    session.commit()
    assignments = session.exec(select(DutyAssignment, Shift).join(Shift).where(
        DutyAssignment.user_id == guard.id)).all()
    moments = [datetime(2026, 3, 9, tzinfo=UTC) + timedelta(hours=h, minutes=30) for h in range(4 * 24)]
    for moment in moments:
        found = any(roster.covers(shift, duty.day, timezone, moment) for duty, shift in assignments
                    if duty.day in roster.covering_days(moment))
        assert found == roster.is_on_duty(session, factory.actor(guard), Role.GUARD, now=moment), moment
    on_duty = [roster.is_on_duty(session, factory.actor(guard), Role.GUARD, now=m) for m in moments]
    assert any(on_duty) and not all(on_duty)


# upcoming_for

def test_upcoming_lists_only_own_future_shifts(session, factory, boss, shifts, guard, cleaner):
    night, day = shifts["夜班"].id, shifts["白班"].id
    roster.assign(session, boss, guard.id, night, DAY - timedelta(days=1), "guard")   # ended 10 Mar 08:00
    roster.assign(session, boss, guard.id, night, DAY, "guard")                       # running at 11 Mar 03:00
    roster.assign(session, boss, guard.id, day, DAY + timedelta(days=2), "guard")
    roster.assign(session, boss, guard.id, day, DAY + timedelta(days=7), "guard")     # inside the 7 days
    roster.assign(session, boss, guard.id, day, DAY + timedelta(days=8), "guard")     # beyond the window
    roster.assign(session, boss, cleaner.id, day, DAY + timedelta(days=1), "cleaner")  # someone else's
    session.commit()
    duties = roster.upcoming_for(session, factory.actor(guard), now=at(11, 3))
    assert [(d.user_id, d.starts_at) for d in duties] == [
        (guard.id, at(10, 20)), (guard.id, at(12, 8)), (guard.id, at(17, 8)),
    ]
    assert roster.upcoming_for(session, factory.actor(guard), now=at(11, 3), days=1) == duties[:1]
    assert roster.upcoming_for(session, factory.actor(cleaner), now=at(12, 20)) == []


# assign / unassign

def test_assign_refuses_a_role_not_held(session, boss, shifts, guard):
    for role in ("cleaner", Role.MANAGER, "resident"):
        with pytest.raises(InvalidInput) as info:
            roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, role)
        assert info.value.key == "error.role_not_held"
    assert session.exec(select(DutyAssignment).where(DutyAssignment.user_id == guard.id)).first() is None


def test_assign_refuses_resident_even_if_held(session, factory, estate, boss, shifts):
    resident = factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0])
    with pytest.raises(InvalidInput) as info:
        roster.assign(session, boss, resident.id, shifts["白班"].id, DAY, "resident")
    assert info.value.key == "error.role_not_held"


def test_assign_refuses_disabled_user(session, boss, shifts, guard):
    guard.is_active = False
    session.commit()
    with pytest.raises(InvalidInput) as info:
        roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, "guard")
    assert info.value.key == "error.role_not_held"


@pytest.mark.parametrize("role", ["janitor", "", None, {}, 3])
def test_assign_refuses_unknown_role(session, boss, shifts, guard, role):
    with pytest.raises(InvalidInput) as info:
        roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, role)
    assert info.value.key == "error.bad_request"


def test_assign_is_idempotent(session, estate, boss, shifts, guard):
    first = roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, "guard")
    session.commit()
    again = roster.assign(session, boss, str(guard.id), str(shifts["白班"].id), DAY, Role.GUARD)
    session.commit()
    assert again.id == first.id
    rows = session.exec(select(DutyAssignment).where(DutyAssignment.user_id == guard.id)).all()
    assert len(rows) == 1
    assert (rows[0].role, rows[0].day, rows[0].estate_id) == ("guard", DAY, estate.id)
    logged = session.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate.id, AuditEntry.action == "duty_assigned")).all()
    assert len(logged) == 1
    assert logged[0].detail == {"shift": "白班", "day": "2026-03-10", "role": "guard"}


def test_same_person_two_roles_or_shifts_are_separate(session, boss, shifts, cleaner):
    roster.assign(session, boss, cleaner.id, shifts["白班"].id, DAY, "guard")
    roster.assign(session, boss, cleaner.id, shifts["白班"].id, DAY, "cleaner")
    roster.assign(session, boss, cleaner.id, shifts["夜班"].id, DAY, "guard")
    assert len(session.exec(select(DutyAssignment).where(DutyAssignment.user_id == cleaner.id)).all()) == 3


def test_assign_and_unassign_require_manager(session, factory, estate, boss, shifts, guard):
    assignment = roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, "guard")
    me = factory.actor(guard)
    with pytest.raises(NotAllowed):
        roster.assign(session, me, guard.id, shifts["夜班"].id, DAY, "guard")
    with pytest.raises(NotAllowed):
        roster.unassign(session, me, assignment.id)
    with pytest.raises(NotAllowed):
        roster.day_roster(session, me, DAY)
    with pytest.raises(NotAllowed) as info:
        roster.assign(session, None, guard.id, shifts["夜班"].id, DAY, "guard")
    assert info.value.key == "error.login_required"
    assert len(session.exec(select(DutyAssignment).where(DutyAssignment.user_id == guard.id)).all()) == 1


def test_unassign(session, estate, boss, shifts, guard):
    assignment = roster.assign(session, boss, guard.id, shifts["夜班"].id, DAY, "guard")
    session.commit()
    assert [d.assignment_id for d in roster.day_roster(session, boss, DAY)] == [assignment.id]
    roster.unassign(session, boss, assignment.id)
    session.commit()
    assert session.get(DutyAssignment, assignment.id) is None
    assert roster.day_roster(session, boss, DAY) == []
    assert roster.on_duty(session, estate.id, now=at(11, 3)) == []
    entry = session.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate.id, AuditEntry.action == "duty_removed")).one()
    assert entry.target_id == guard.id and entry.detail == {"day": "2026-03-10", "role": "guard"}
    with pytest.raises(NotFound):
        roster.unassign(session, boss, assignment.id)


def test_day_roster_lists_that_day_sorted(session, boss, shifts, guard, cleaner):
    roster.assign(session, boss, guard.id, shifts["夜班"].id, DAY, "guard")
    roster.assign(session, boss, cleaner.id, shifts["白班"].id, DAY, "cleaner")
    roster.assign(session, boss, guard.id, shifts["白班"].id, DAY + timedelta(days=1), "guard")
    names = [(d.shift_name, d.user_name) for d in roster.day_roster(session, boss, DAY)]
    assert names == [("白班", "保洁乙"), ("夜班", "保安甲")]


def test_cross_estate_refusal(session, factory, estate, boss, shifts, guard):
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER))
    other_guard = factory.user(other, Role.GUARD)
    other_shift = factory.shifts(other)["白班"]
    # A manager cannot roster another estate's person, nor use another estate's shift.
    with pytest.raises(NotFound):
        roster.assign(session, boss, other_guard.id, shifts["白班"].id, DAY, "guard")
    with pytest.raises(NotFound):
        roster.assign(session, boss, guard.id, other_shift.id, DAY, "guard")
    with pytest.raises(NotFound):
        roster.assign(session, other_boss, guard.id, other_shift.id, DAY, "guard")
    # Nor remove another estate's assignment.
    mine = roster.assign(session, boss, guard.id, shifts["白班"].id, DAY, "guard")
    session.commit()
    with pytest.raises(NotFound):
        roster.unassign(session, other_boss, mine.id)
    session.commit()
    assert session.get(DutyAssignment, mine.id) is not None
    assert roster.day_roster(session, other_boss, DAY) == []
    assert session.exec(select(DutyAssignment).where(DutyAssignment.estate_id == other.id)).first() is None


def test_shifts_listed_by_start(session, estate):
    assert [s.name for s in roster.shifts(session, estate.id)] == ["白班", "夜班"]


# Rows for the screens

def test_day_rows_in_local_time_with_the_remove_action(session, factory, estate, boss, shifts, guard):
    roster.assign(session, boss, guard.id, shifts["夜班"].id, DAY, "guard")
    session.commit()
    [row] = roster.day_rows(session, boss, DAY)
    assert (row.name, row.role, row.shift, row.starts, row.ends) == ("保安甲", "role.guard", "夜班", "20:00", "08:00")
    assert row.actions == [roster.REMOVE]
    stranger = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    assert roster.duty_actions(stranger, estate.id) == [] and roster.duty_actions(factory.actor(guard), estate.id) == []
    with pytest.raises(NotFound):
        roster.unassign(session, stranger, row.id)
    roster.unassign(session, boss, row.id)
    assert roster.day_rows(session, boss, DAY) == []


def test_duty_status_of_a_staff_home(session, factory, boss, shifts, guard, cleaner):
    roster.assign(session, boss, guard.id, shifts["夜班"].id, DAY, "guard")
    roster.assign(session, boss, guard.id, shifts["白班"].id, DAY + timedelta(days=2), "guard")
    session.commit()
    status = roster.duty_status(session, factory.actor(guard), Role.GUARD, now=at(11, 3))
    assert (status.on_duty, status.shift, status.until) == (True, "夜班", "08:00")
    assert [(s.day, s.weekday, s.starts, s.ends) for s in status.shifts] == [
        ("03-10", "weekday.1", "20:00", "08:00"), ("03-12", "weekday.3", "08:00", "20:00")]
    idle = roster.duty_status(session, factory.actor(cleaner), Role.CLEANER, now=at(11, 3))
    assert (idle.on_duty, idle.shift, idle.until, idle.shifts) == (False, "", "", [])
    with pytest.raises(NotAllowed):
        roster.duty_status(session, factory.actor(guard), Role.CLEANER, now=at(11, 3))


def test_on_duty_rows_and_roster_choices(session, factory, estate, boss, rostered, guard, cleaner):
    assert [(r.name, r.role, r.until) for r in roster.on_duty_rows(session, boss, at(11, 3))] == [
        ("保安甲", "role.guard", "08:00")]
    guard.is_active = False
    session.commit()
    options = roster.choices(session, boss)
    assert guard.id not in {p.id for p in options.people} and cleaner.id in {p.id for p in options.people}
    assert [s.name for s in options.shifts] == ["白班 08:00–20:00", "夜班 20:00–08:00"]
    with pytest.raises(NotAllowed):
        roster.choices(session, factory.actor(cleaner))

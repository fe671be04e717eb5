"""24-hour cover of the plumbing-and-electrical team: gaps across midnight in Asia/Shanghai, and emergencies at
night going to the technician on call."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from estate_pwa.models import RequestStatus, Role, Shift, User
from estate_pwa.services import jobs, oncall, roster
from estate_pwa.services.errors import NotAllowed
from tests.unit.conftest import at, audit_entries
from tests.unit.jobs.helpers import configure, row

DAY = date(2026, 3, 10)


@pytest.fixture
def shifts(session, estate):
    """An on-site day shift 08:00–18:00 and an on-call shift 18:00–08:00 (across midnight)."""
    day = Shift(estate_id=estate.id, name="日班", starts=time(8), ends=time(18))
    night = Shift(estate_id=estate.id, name="值班", starts=time(18), ends=time(8), on_call=True)
    session.add_all([day, night])
    session.commit()
    return {"day": day, "night": night}


@pytest.fixture
def team(factory, estate):
    return [factory.actor(factory.user(estate, Role.TECHNICIAN, name=name)) for name in ("水电甲", "水电乙")]


@pytest.fixture
def resident(factory, estate):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0], name="业主"))


def put(session, boss, person, shift, day, role="technician"):
    roster.assign(session, boss, person.id, shift.id, day, role)
    session.commit()


def cover_fortnight(session, boss, team, shifts, first=DAY - timedelta(days=1), days=16, skip=()):
    for offset in range(days):
        day = first + timedelta(days=offset)
        put(session, boss, team[0], shifts["day"], day)
        if day not in skip:
            put(session, boss, team[1], shifts["night"], day)


def test_full_cover_has_no_gap(session, estate, boss, team, shifts):
    cover_fortnight(session, boss, team, shifts)
    assert oncall.cover_gaps(session, estate.id, at(12)) == []


def test_a_missing_night_is_one_gap_from_18_to_08_across_midnight(session, estate, boss, team, shifts):
    cover_fortnight(session, boss, team, shifts, skip={date(2026, 3, 15)})
    gaps = oncall.cover_gaps(session, estate.id, at(12))
    assert gaps == [oncall.Gap(datetime(2026, 3, 15, 10, tzinfo=UTC), datetime(2026, 3, 16, 0, tzinfo=UTC))]
    # 18:00 on the 15th to 08:00 on the 16th, Shanghai time (UTC+8, no daylight saving)
    assert (gaps[0].starts_at + timedelta(hours=8)).hour == 18 and (gaps[0].ends_at + timedelta(hours=8)).hour == 8


def test_the_night_already_running_covers_now(session, estate, boss, team, shifts):
    """At 02:00 the cover comes from the on-call shift that began yesterday at 18:00."""
    put(session, boss, team[1], shifts["night"], DAY - timedelta(days=1))
    # nobody on the day shift, nobody on call tonight: one gap from 08:00 to the end of the day (the window)
    assert oncall.cover_gaps(session, estate.id, at(2), days=1) == [oncall.Gap(at(8), at(0, day=11))]
    assert oncall.on_call(session, estate.id, at(2)) == [team[1].id]
    assert oncall.on_site(session, estate.id, at(2)) == []


def test_an_empty_roster_is_one_gap_of_the_whole_window(session, estate, team, shifts):
    """The window runs from now to the end of the 14th local day (today is the first)."""
    assert oncall.cover_gaps(session, estate.id, at(12), days=14) == [oncall.Gap(at(12), at(0, day=24))]


def test_overlapping_and_back_to_back_shifts_leave_no_gap(session, estate, boss, team, shifts):
    put(session, boss, team[0], shifts["day"], DAY)
    put(session, boss, team[1], shifts["day"], DAY)  # both on the day shift: overlap
    put(session, boss, team[1], shifts["night"], DAY)  # 18:00 follows 18:00 exactly
    assert oncall.cover_gaps(session, estate.id, at(9), days=1) == []
    assert oncall.cover_gaps(session, estate.id, at(9), days=2) == [oncall.Gap(at(8, day=11), at(0, day=12))]


def test_other_roles_and_disabled_technicians_do_not_cover(session, factory, estate, boss, team, shifts):
    guard = factory.actor(factory.user(estate, Role.GUARD, Role.TECHNICIAN, name="保安兼"))
    put(session, boss, guard, shifts["night"], DAY, role="guard")
    put(session, boss, team[1], shifts["night"], DAY)
    user = session.get(User, team[1].id)
    user.is_active = False
    session.add(user)
    session.commit()
    assert oncall.cover_gaps(session, estate.id, at(12), days=1) == [oncall.Gap(at(12), at(0, day=11))]


def test_the_manager_card_lists_gaps_in_local_time(session, estate, boss, team, shifts):
    cover_fortnight(session, boss, team, shifts, skip={date(2026, 3, 15)})
    card = oncall.cover_card(session, boss, at(20))
    assert card.on_call_now == ["水电乙 08:00"] and card.now_names == []
    assert [(g.starts, g.ends) for g in card.gaps] == [("03-15 18:00", "03-16 08:00")]
    with pytest.raises(NotAllowed):
        oncall.cover_card(session, team[0], at(20))
    with pytest.raises(NotAllowed):
        oncall.cover_card(session, None, at(20))


# Night dispatch


def emergency(session, resident, when, urgency="emergency"):
    request = jobs.submit(session, resident, "repair", "总水管爆裂", "plumbing", urgency, now=when)
    session.commit()
    return request


def test_a_night_emergency_goes_to_the_technician_on_call(session, fresh_session, estate, boss, team, shifts,
                                                          resident):
    put(session, boss, team[0], shifts["day"], DAY)
    put(session, boss, team[1], shifts["night"], DAY)
    configure(session, estate, auto_dispatch=True)
    request = emergency(session, resident, at(23))
    stored = row(fresh_session, request.id)
    assert (stored["technician_id"], stored["status"]) == (team[1].id, RequestStatus.DISPATCHED)
    # after midnight the same on-call shift still answers
    late = emergency(session, resident, at(3, day=11))
    assert row(fresh_session, late.id)["technician_id"] == team[1].id


def test_a_routine_repair_at_night_waits_for_the_morning(session, fresh_session, estate, boss, team, shifts,
                                                         resident):
    put(session, boss, team[1], shifts["night"], DAY)
    configure(session, estate, auto_dispatch=True)
    request = emergency(session, resident, at(23), urgency="routine")
    stored = row(fresh_session, request.id)
    assert (stored["technician_id"], stored["status"]) == (None, RequestStatus.RECEIVED)


def test_by_day_the_on_site_technician_gets_it_as_before(session, fresh_session, estate, boss, team, shifts,
                                                         resident):
    put(session, boss, team[0], shifts["day"], DAY)
    put(session, boss, team[1], shifts["night"], DAY - timedelta(days=1))  # on call until 08:00 only
    configure(session, estate, auto_dispatch=True)
    for urgency in ("emergency", "routine"):
        request = emergency(session, resident, at(12), urgency=urgency)
        assert row(fresh_session, request.id)["technician_id"] == team[0].id
    assert audit_entries(fresh_session, estate.id, "emergency_uncovered") == []


def test_nobody_on_call_leaves_it_in_the_pool_flagged(session, fresh_session, estate, boss, team, shifts,
                                                      resident):
    put(session, boss, team[0], shifts["day"], DAY)
    configure(session, estate, auto_dispatch=True)
    request = emergency(session, resident, at(23))
    stored = row(fresh_session, request.id)
    assert (stored["technician_id"], stored["status"]) == (None, RequestStatus.RECEIVED)
    flagged = audit_entries(fresh_session, estate.id, "emergency_uncovered")
    assert [(e.target_type, e.target_id) for e in flagged] == [("request", request.id)]
    assert [r.id for r in jobs.pool(fresh_session, team[0], now=at(23))] == [request.id]

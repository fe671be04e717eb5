"""Reading the estate: summary, units and a resident's household."""

import pytest
from sqlmodel import select

from estate_pwa.models import Building, Facility, Role, Unit
from estate_pwa.services import estate as estate_service
from estate_pwa.services.errors import NotAllowed, NotFound


@pytest.fixture
def manager(factory, estate):
    return factory.user(estate, Role.MANAGER, Role.GUARD, name="经理")


@pytest.fixture
def boss(factory, manager):
    return factory.actor(manager)


@pytest.fixture
def units(factory, estate):
    return {u.number: u for u in factory.units(estate)}


@pytest.fixture
def people(factory, estate, units, manager):
    """Two residents in 101, one in 202, one disabled resident in 102, a guard, a cleaner and a disabled cleaner."""
    made = {
        "a": factory.user(estate, Role.RESIDENT, unit=units["101"], name="甲"),
        "b": factory.user(estate, Role.RESIDENT, unit=units["101"], name="乙"),
        "c": factory.user(estate, Role.RESIDENT, unit=units["202"], name="丙"),
        "gone": factory.user(estate, Role.RESIDENT, unit=units["102"], name="丁"),
        "guard": factory.user(estate, Role.GUARD),
        "cleaner": factory.user(estate, Role.CLEANER, Role.TECHNICIAN),
        "quit": factory.user(estate, Role.CLEANER),
    }
    made["gone"].is_active = False
    made["quit"].is_active = False
    factory.session.commit()
    return made


def test_summary_counts(session, factory, estate, boss, people):
    factory.user(factory.estate(), Role.GUARD)  # another estate's staff do not count
    summary = estate_service.summary(session, boss)
    assert summary.estate_name == estate.name
    assert (summary.buildings, summary.units, summary.occupied_units) == (1, 4, 2)
    assert summary.residents == 3
    assert summary.staff == 3  # manager (also a guard, counted once), guard, cleaner-technician
    assert (summary.areas, summary.facilities, summary.facilities_in_order) == (0, 0, 0)


def test_summary_counts_facilities(session, estate, boss):
    session.add(Facility(estate_id=estate.id, name="路灯1", category="street_light"))
    session.add(Facility(estate_id=estate.id, name="灭火器", category="fire_equipment", in_good_order=False))
    session.commit()
    summary = estate_service.summary(session, boss)
    assert (summary.facilities, summary.facilities_in_order) == (2, 1)


def test_summary_only_for_manager(session, factory, people, estate):
    for who in (people["guard"], people["a"]):
        with pytest.raises(NotAllowed):
            estate_service.summary(session, factory.actor(who))
    with pytest.raises(NotAllowed):
        estate_service.summary(session, None)


def numbers(rows):
    return [unit.number for unit, _building, _count in rows]


def test_units_lists_with_resident_counts(session, boss, people):
    rows = estate_service.units(session, boss)
    assert numbers(rows) == ["101", "102", "201", "202"]
    assert {unit.number: count for unit, _b, count in rows} == {"101": 2, "102": 0, "201": 0, "202": 1}
    assert {building.name for _u, building, _c in rows} == {"1栋"}


def test_units_search(session, boss):
    assert numbers(estate_service.units(session, boss, search="20")) == ["201", "202"]
    assert numbers(estate_service.units(session, boss, search=" 102 ")) == ["102"]
    assert numbers(estate_service.units(session, boss, search="999")) == []
    assert numbers(estate_service.units(session, boss, search="1' OR '1'='1")) == []


def test_units_search_is_literal(session, boss):
    assert numbers(estate_service.units(session, boss, search="%")) == []
    assert numbers(estate_service.units(session, boss, search="1_1")) == []


def test_units_building_filter(session, estate, boss, units):
    tower = Building(estate_id=estate.id, name="2栋", floors=30)
    session.add(tower)
    session.flush()
    session.add(Unit(estate_id=estate.id, building_id=tower.id, number="1201", floor=12, area_m2=120.5))
    session.commit()
    assert numbers(estate_service.units(session, boss, building_id=tower.id)) == ["1201"]
    assert numbers(estate_service.units(session, boss, building_id=units["101"].building_id)) == [
        "101", "102", "201", "202"]
    assert len(estate_service.units(session, boss)) == 5
    assert [b.name for b in estate_service.buildings(session, boss)] == ["1栋", "2栋"]


def test_units_are_isolated_per_estate(session, factory, estate, boss, units):
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER))
    other_units = {u.id for u in factory.units(other)}
    mine = {unit.id for unit, _b, _c in estate_service.units(session, boss)}
    theirs = {unit.id for unit, _b, _c in estate_service.units(session, other_boss)}
    assert mine == {u.id for u in units.values()}
    assert theirs == other_units and not mine & theirs
    # Filtering by another estate's building shows nothing.
    assert estate_service.units(session, boss, building_id=units["101"].building_id) != []
    assert estate_service.units(session, other_boss, building_id=units["101"].building_id) == []
    assert [b.estate_id for b in estate_service.buildings(session, other_boss)] == [other.id]


def test_units_paging(session, estate, boss, units):
    building_id = units["101"].building_id
    for i in range(estate_service.UNIT_PAGE):
        session.add(Unit(estate_id=estate.id, building_id=building_id, number=f"9{i:02d}", floor=9, area_m2=50))
    session.commit()
    first = estate_service.units(session, boss)
    second = estate_service.units(session, boss, page=1)
    assert len(first) == estate_service.UNIT_PAGE and len(second) == 4
    assert not {u.id for u, _b, _c in first} & {u.id for u, _b, _c in second}
    assert numbers(estate_service.units(session, boss, page=-3)) == numbers(first)


def test_units_only_for_manager(session, factory, people):
    with pytest.raises(NotAllowed):
        estate_service.units(session, factory.actor(people["guard"]))
    with pytest.raises(NotAllowed):
        estate_service.buildings(session, factory.actor(people["a"]))


def test_household_of_a_resident(session, factory, estate, people):
    home = estate_service.household(session, factory.actor(people["b"]))
    assert home.estate_name == estate.name
    assert (home.building_name, home.unit_number, home.area_m2) == ("1栋", "101", 88.0)
    assert home.members == ["甲", "乙"]
    assert estate_service.household(session, factory.actor(people["c"])).members == ["丙"]


def test_household_needs_resident_with_unit(session, factory, estate, people, boss):
    with pytest.raises(NotAllowed):
        estate_service.household(session, boss)
    homeless = factory.user(estate, Role.RESIDENT)
    with pytest.raises(NotFound):
        estate_service.household(session, factory.actor(homeless))


# Rows for the screens

def test_unit_rows_carry_the_invite_action(session, boss, people, units):
    rows = {row.label.split()[-1]: row for row in estate_service.unit_rows(session, boss)}
    assert rows["101"].residents == 2 and rows["102"].residents == 0
    assert rows["101"].id == units["101"].id and rows["101"].area == f"{units['101'].area_m2:g}"
    assert all(row.actions == ["invite"] for row in rows.values())
    assert [r.label for r in estate_service.unit_rows(session, boss, search="202")] == [rows["202"].label]


def test_overview_counts_and_recent_activity_by_name(session, factory, estate, boss, people):
    from estate_pwa.services import audit

    audit.record(session, estate.id, people["guard"], "login", "user", people["guard"].id)
    audit.record(session, estate.id, None, "account_locked", "user", people["guard"].id)
    session.commit()
    home = estate_service.overview(session, boss)
    stats = {s.label: s.value for s in home.stats}
    assert stats["manager.units"] == str(estate_service.summary(session, boss).units)
    assert stats["manager.residents"] == "3"
    assert [(r.who, r.what) for r in home.recent[:2]] == [("", "audit.account_locked"),
                                                           (people["guard"].name, "audit.login")]
    with pytest.raises(NotAllowed):
        estate_service.overview(session, factory.actor(people["guard"]))


def test_building_rows(session, estate, boss):
    assert [b.name for b in estate_service.building_rows(session, boss)] == sorted(
        b.name for b in session.exec(select(Building).where(Building.estate_id == estate.id)))

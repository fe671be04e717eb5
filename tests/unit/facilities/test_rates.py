"""The intact rates on hand-computed registers: housing by the floor area of its good grades, m², metres and
counts, asset-days across a period's edges, and assets not inspected kept apart (never counted as intact)."""

from decimal import Decimal

import pytest

from estate_pwa.services.indicators import REGISTRY
from estate_pwa.services.indicators.registry import Context, Window
from tests.unit.facilities.conftest import END, START, day

WINDOW = Window(START, END)
BEFORE = Window(day(-10), START)


def measure(session, estate, key, *windows):
    readings = REGISTRY[key].measure(session, Context(estate.id, END), list(windows or [WINDOW]))
    return [(r.numerator, r.denominator, r.value, r.why) for r in readings]


def not_inspected(session, estate, key, *windows):
    readings = REGISTRY[key + "_not_inspected"].measure(session, Context(estate.id, END), list(windows or [WINDOW]))
    return [r.numerator for r in readings]


def test_housing_counts_the_floor_area_of_good_and_basically_good_buildings(session, estate, make, inspect):
    for code, area, grade in (("H1", 1000, "good"), ("H2", 500, "basically_good"), ("H3", 300, "damaged"),
                              ("H4", 200, "dangerous"), ("H5", 150, "seriously_damaged")):
        inspect(make(code, "housing", "building", area, grade=grade), day(2))
    [(good, total, value, why)] = measure(session, estate, "housing_intact")
    assert (good, total) == (1500 * 10, 2150 * 10)  # m²-days
    assert value == pytest.approx(100 * 1500 / 2150)
    assert why == ""


def test_a_defective_good_building_counts_only_its_intact_days(session, estate, make, inspect, defect):
    good = make("H1", "housing", "building", 800, grade="good")
    bad = make("H2", "housing", "building", 200, grade="damaged")
    for asset in (good, bad):
        inspect(asset, day(1))
    defect(good, day(4), day(6))  # 2 of 10 days
    defect(bad, day(1), day(9))   # a damaged building is never intact: its defect changes nothing
    [(good_days, total, value, _)] = measure(session, estate, "housing_intact")
    assert (good_days, total) == (800 * 8, 1000 * 10)
    assert value == pytest.approx(64.0)


def test_roads_by_m2_with_defects_across_the_period_edges(session, estate, make, inspect, defect):
    r1 = make("R1", "road", "road", "600")
    r2 = make("R2", "road", "path", "400")
    r3 = make("R3", "road", "road", "200", since=day(5))  # in service for the last 5 days only
    for asset in (r1, r2, r3):
        inspect(asset, day(6))
    defect(r2, day(-2), day(3))   # 3 days inside the window, 2 in the one before
    defect(r1, day(8))             # still open at the end: 2 days
    [(intact, total, value, _), (intact_before, total_before, before, _)] = measure(
        session, estate, "road_intact", WINDOW, BEFORE)
    assert total == 600 * 10 + 400 * 10 + 200 * 5
    assert intact == total - 400 * 3 - 600 * 2
    assert value == pytest.approx(100 * 8600 / 11000)
    # the window before: only R2 was inspected then (its defect was found in it), 2 of its 10 days defective
    assert (intact_before, total_before) == (400 * 8, 400 * 10)
    assert before == pytest.approx(80.0)
    assert not_inspected(session, estate, "road_intact", WINDOW, BEFORE) == [0, 1]  # R1 (R3 was not yet there)


def test_green_and_car_parks_by_m2(session, estate, make, inspect, defect):
    lawn = make("G1", "green", "lawn", "1250.50")
    hedge = make("G2", "green", "hedge", "249.50")
    park = make("P1", "car_park", "underground", "3000")
    for asset in (lawn, hedge, park):
        inspect(asset, day(0.5))
    defect(hedge, day(5))  # half the window
    [(_, _, green, _)] = measure(session, estate, "greenery_intact")
    assert green == pytest.approx(100 * (1500 * 10 - 249.5 * 5) / (1500 * 10))
    [(_, _, cars, _)] = measure(session, estate, "car_park_intact")
    assert cars == pytest.approx(100.0)


def test_wells_by_count_with_one_not_inspected(session, estate, make, inspect, defect):
    wells = [make(f"W{i}", "well", kind, 1) for i, kind in
             enumerate(("septic_tank", "rain_well", "sewage_well", "sand_well"))]
    for well in wells[:3]:
        inspect(well, day(2))
    defect(wells[1], day(0), day(5))
    [(intact, total, value, _)] = measure(session, estate, "wells_intact")
    assert (intact, total) == (3 * 10 - 5, 3 * 10)
    assert value == pytest.approx(100 * 25 / 30)
    assert not_inspected(session, estate, "wells_intact") == [1]


def test_drains_by_metre(session, estate, make, inspect, defect):
    pipe = make("D1", "drain", "pipe", "120.5")
    ditch = make("D2", "drain", "open_ditch", "79.5")
    inspect(pipe, day(1))
    defect(ditch, day(-5))  # open all window long; found before it, so it was inspected when? not in the window
    inspect(ditch, day(2))
    [(intact, total, value, _)] = measure(session, estate, "drains_intact")
    assert (intact, total) == (pytest.approx(120.5 * 10), pytest.approx(200 * 10))
    assert value == pytest.approx(60.25)


@pytest.mark.parametrize(("key", "category", "kinds"), [
    ("street_lights_intact", "street_light", ("street_light", "garden_light")),
    ("public_facilities_intact", "sports_culture", ("fitness", "pavilion")),
    ("fire_equipment_intact", "fire_equipment", ("extinguisher", "hydrant")),
    ("public_equipment_intact", "public_equipment", ("lift", "pump")),
])
def test_item_rates_by_count(session, estate, make, inspect, defect, key, category, kinds):
    items = [make(f"X{i}", category, kinds[i % 2], 1) for i in range(5)]
    for item in items:
        inspect(item, day(9.5))
    defect(items[0], day(2), day(4))
    [(intact, total, value, _)] = measure(session, estate, key)
    assert (intact, total) == (5 * 10 - 2, 5 * 10)
    assert value == pytest.approx(96.0)


def test_no_assets_and_none_inspected_are_no_data_with_the_reason(session, estate, make, inspect):
    [(_, total, value, why)] = measure(session, estate, "street_lights_intact")
    assert (total, value, why) == (0, None, "indicator.why.no_assets")
    light = make("L1", "street_light", "street_light", 1)
    inspect(light, day(11))  # after the window: not inspected in it
    [(_, total, value, why)] = measure(session, estate, "street_lights_intact")
    assert (total, value, why) == (0, None, "indicator.why.none_inspected")
    assert not_inspected(session, estate, "street_lights_intact") == [1]


def test_a_retired_asset_counts_until_it_was_retired(session, estate, boss, make, inspect):
    from estate_pwa.services.facilities import register
    lamp = make("L1", "street_light", "street_light", 1)
    other = make("L2", "street_light", "street_light", 1)
    inspect(lamp, day(1))
    inspect(other, day(1))
    register.retire_asset(session, boss, lamp.id, now=day(4))
    session.commit()
    [(intact, total, _, _)] = measure(session, estate, "street_lights_intact")
    assert (intact, total) == (4 + 10, 4 + 10)
    assert lamp.quantity == Decimal("1.00")


def test_the_drill_down_lists_defective_then_not_inspected_then_intact(session, estate, make, inspect, defect):
    a, _, c = (make(code, "fire_equipment", "hydrant", 1) for code in ("F1", "F2", "F3"))
    inspect(a, day(1))
    inspect(c, day(1))
    defect(c, day(2), day(3))
    rows, total = REGISTRY["fire_equipment_intact"].drill(session, Context(estate.id, END), WINDOW, 0, 10)
    assert total == 3
    assert [(r.title.split(" ")[0], r.counts, r.note_key) for r in rows] == [
        ("F3", False, "facilities.drill_defective"), ("F2", False, "facilities.drill_not_inspected"),
        ("F1", True, "facilities.drill_intact")]
    assert rows[0].link == f"/facilities/asset?id={c.id}"

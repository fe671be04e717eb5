"""Rates: the most specific scope wins (a type in a building, a type, a building, the estate), history is kept,
and a changed rate never rewrites a bill already issued."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from estate_pwa.models import Building, FeeBill, FeeRate, Role, Unit
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from estate_pwa.services.fees.rates import rate_for, rates_in_force
from tests.unit.conftest import NOW, expect_refused
from tests.unit.fees.conftest import SINCE


@pytest.fixture
def tower(session, estate):
    """A second building, 2栋, with a flat (100 m²) and a shop (50 m²)."""
    building = Building(estate_id=estate.id, name="2栋", floors=3)
    session.add(building)
    session.flush()
    session.add(Unit(estate_id=estate.id, building_id=building.id, number="101", floor=1, area_m2=100.0))
    session.add(Unit(estate_id=estate.id, building_id=building.id, number="S1", floor=1, area_m2=50.0,
                     unit_type="shop"))
    session.commit()
    return building


def _bills(session, estate_id, month) -> dict[str, FeeBill]:
    session.expire_all()
    return {f"{b} {n}": bill for bill, b, n in session.exec(
        select(FeeBill, Building.name, Unit.number).join(Unit, Unit.id == FeeBill.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(FeeBill.estate_id == estate_id, FeeBill.period == month))}


def test_the_most_specific_rate_wins(session, boss, estate, units, tower):
    first = units[0].building_id
    fees.set_unit_terms(session, boss, first, "202", "shop")
    fees.set_rate(session, boss, "2.00", effective_from=SINCE, now=NOW)                   # the estate
    fees.set_rate(session, boss, "2.50", tower.id, effective_from=SINCE, now=NOW)         # building 2
    fees.set_rate(session, boss, "4.00", unit_type="shop", effective_from=SINCE, now=NOW)  # every shop
    fees.set_rate(session, boss, "5.00", tower.id, "shop", effective_from=SINCE, now=NOW)  # shops of building 2
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 6
    session.commit()
    bills = _bills(session, estate.id, date(2026, 3, 1))
    assert {k: (b.rate, b.amount) for k, b in bills.items()} == {
        "1栋 101": (Decimal("2.00"), Decimal("176.00")), "1栋 102": (Decimal("2.00"), Decimal("176.00")),
        "1栋 201": (Decimal("2.00"), Decimal("176.00")), "1栋 202": (Decimal("4.00"), Decimal("352.00")),
        "2栋 101": (Decimal("2.50"), Decimal("250.00")), "2栋 S1": (Decimal("5.00"), Decimal("250.00"))}


def test_rate_for_order():
    rates = {(None, ""): Decimal(1), (7, ""): Decimal(2), (None, "shop"): Decimal(3), (7, "shop"): Decimal(4)}
    assert [rate_for(rates, b, t) for b, t in ((8, "residential"), (7, "residential"), (8, "shop"), (7, "shop"))] \
        == [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]
    assert rate_for({}, 7, "shop") is None


def test_history_is_kept_and_issued_bills_never_change(session, fresh_session, boss, estate, units):
    fees.set_rate(session, boss, "2.00", effective_from=SINCE, now=NOW)
    fees.generate_month(session, boss, "2026-02", now=NOW)
    fees.set_rate(session, boss, "3.00", effective_from="2026-03", now=NOW)
    fees.set_rate(session, boss, "3.50", effective_from="2026-04", now=NOW)  # next month's, not in force yet
    session.commit()
    # a unit added later is billed for February at February's rate, and for March at March's
    session.add(Unit(estate_id=estate.id, building_id=units[0].building_id, number="301", floor=3, area_m2=50.0))
    session.commit()
    assert fees.generate_month(session, boss, "2026-02", now=NOW) == 1
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 5
    session.commit()
    february, march = _bills(fresh_session, estate.id, date(2026, 2, 1)), _bills(fresh_session, estate.id,
                                                                                  date(2026, 3, 1))
    assert {b.rate for b in february.values()} == {Decimal("2.00")}
    assert {b.rate for b in march.values()} == {Decimal("3.00")} and march["1栋 301"].amount == Decimal("150.00")
    assert len(fresh_session.exec(select(FeeRate).where(FeeRate.estate_id == estate.id)).all()) == 3
    assert rates_in_force(session, estate.id, date(2026, 4, 1)) == {(None, ""): Decimal("3.50")}
    rows = fees.rate_rows(session, boss, now=NOW)
    assert [(r.rate, r.effective_from, r.current) for r in rows] == [
        ("3.50", "2026-04", False), ("3.00", "2026-03", True), ("2.00", "2024-01", False)]
    assert rows[0].building == "" and rows[0].unit_type == "" and rows[0].set_by == "经理"


def test_rate_refusals(session, fresh_session, factory, boss, estate, units):
    count = lambda: len(fresh_session.exec(select(FeeRate).where(FeeRate.estate_id == estate.id)).all())
    for kwargs, key in (({"effective_from": "2027-04"}, "error.rate_too_far"),
                        ({"effective_from": "2026-13"}, "error.period_invalid"),
                        ({"unit_type": "castle"}, "error.unit_type"),
                        ({"unit_type": {"x": 1}}, "error.unit_type")):
        expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, key,
                       lambda k=kwargs: fees.set_rate(session, boss, "2.00", now=NOW, **k), unchanged=count)
    for rate, key in (("-1", "error.money_invalid"), ("0", "error.money_zero"), (2.5, "error.money_invalid")):
        expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, key,
                       lambda r=rate: fees.set_rate(session, boss, r, now=NOW), unchanged=count)
    elsewhere = factory.estate()
    other_building = session.exec(select(Building).where(Building.estate_id == elsewhere.id)).one()
    expect_refused(fresh_session, estate.id, "fee_refused", NotFound, "error.not_found",
                   lambda: fees.set_rate(session, boss, "2", other_building.id, now=NOW), unchanged=count)
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0]))
    for actor in (None, resident, factory.actor(factory.user(estate, Role.GUARD))):
        with pytest.raises(NotAllowed):
            fees.set_rate(session, actor, "2", now=NOW)
        with pytest.raises(NotAllowed):
            fees.rate_rows(session, actor, now=NOW)
        with pytest.raises(NotAllowed):
            fees.set_unit_terms(session, actor, units[0].building_id, "101", "shop")
        with pytest.raises(NotAllowed):
            fees.set_late_fee(session, actor, "0.05")
    assert count() == 0


def test_unit_terms_refusals(session, fresh_session, factory, boss, estate, units):
    building = units[0].building_id
    unchanged = lambda: [(u.unit_type, u.occupied_from) for u in fresh_session.exec(
        select(Unit).where(Unit.estate_id == estate.id).execution_options(populate_existing=True))]
    for args, key in (((building, "999", "shop"), "error.unit_unknown"),
                      ((building, "", "shop"), "error.unit_number"),
                      ((building, "101", "castle"), "error.unit_type"),
                      ((building, "101", "shop", "2026-02-30"), "error.day_invalid"),
                      ((building, "101", "shop", "15/03/2026"), "error.day_invalid"),
                      ((building, "101", "shop", {"d": 1}), "error.day_invalid")):
        expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, key,
                       lambda a=args: fees.set_unit_terms(session, boss, *a), unchanged=unchanged)
    elsewhere = factory.estate()
    other_building = session.exec(select(Building).where(Building.estate_id == elsewhere.id)).one()
    expect_refused(fresh_session, estate.id, "fee_refused", NotFound, "error.not_found",
                   lambda: fees.set_unit_terms(session, boss, other_building.id, "101", "shop"), unchanged=unchanged)
    unit = fees.set_unit_terms(session, boss, building, "101", "villa", "2026-03-15")
    session.commit()
    assert (unit.unit_type, unit.occupied_from) == ("villa", date(2026, 3, 15))

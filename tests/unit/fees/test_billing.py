"""Rates, a month's bills in bulk, and who may see which bills."""

import time
from decimal import Decimal

import pytest
from sqlmodel import func, select

from estate_pwa.models import Building, FeeBill, Role, Unit
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW, expect_refused
from tests.unit.fees.conftest import SINCE


def test_month_bills_are_area_times_rate_with_building_override(session, fresh_session, factory, estate, boss,
                                                               units):
    other = Building(estate_id=estate.id, name="2栋", floors=1)
    session.add(other)
    session.flush()
    session.add(Unit(estate_id=estate.id, building_id=other.id, number="101", floor=1, area_m2=120.35))
    session.commit()
    fees.set_rate(session, boss, "2.50", effective_from=SINCE, now=NOW)
    fees.set_rate(session, boss, "3.15", other.id, effective_from=SINCE, now=NOW)
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 5
    session.commit()
    bills = {b.unit_id: b for b in fresh_session.exec(select(FeeBill).where(FeeBill.estate_id == estate.id))}
    assert bills[units[0].id].amount == Decimal("220.00")  # 88 × 2.50
    special = next(b for u, b in bills.items() if u not in {x.id for x in units})
    assert special.rate == Decimal("3.15") and special.amount == Decimal("379.10")  # 120.35 × 3.15 = 379.1025
    assert all(isinstance(b.amount, Decimal) for b in bills.values())


def test_generating_again_adds_only_missing_units(session, boss, billed, estate):
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 0
    assert fees.generate_month(session, boss, "2026-02", now=NOW) == 4


def test_refusals(session, fresh_session, boss, estate, units):
    count = lambda: fresh_session.exec(select(func.count()).select_from(FeeBill)
                                       .where(FeeBill.estate_id == estate.id)).one()
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.fee_rate_missing",
                   lambda: fees.generate_month(session, boss, "2026-03", now=NOW), unchanged=count)
    fees.set_rate(session, boss, "2.00", effective_from=SINCE, now=NOW)
    session.commit()
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.period_ahead",
                   lambda: fees.generate_month(session, boss, "2026-05", now=NOW), unchanged=count)
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.period_invalid",
                   lambda: fees.generate_month(session, boss, "2026-13", now=NOW), unchanged=count)
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.money_invalid",
                   lambda: fees.set_rate(session, boss, 2.5))


def test_bulk_generation_of_3000_units_is_fast(session, factory, boss, estate):
    building = session.exec(select(Building).where(Building.estate_id == estate.id)).first()
    session.bulk_insert_mappings(Unit, [{"estate_id": estate.id, "building_id": building.id, "number": f"x{i}",
                                         "floor": 1, "area_m2": 75.5 + i % 40} for i in range(2996)])
    session.commit()
    fees.set_rate(session, boss, "1.85", effective_from=SINCE, now=NOW)
    started = time.perf_counter()
    made = fees.generate_month(session, boss, "2026-03", now=NOW)
    session.commit()
    assert made == 3000
    assert time.perf_counter() - started < 5


def test_a_resident_sees_only_their_units_bills(session, fresh_session, estate, resident, neighbour, billed, units):
    rows = fees.my_bills(session, resident)
    assert [r.id for r in rows] == [billed[units[0].id].id]
    assert rows[0].amount == "220.00" and rows[0].status == "unpaid" and rows[0].actions == []
    expect_refused(fresh_session, estate.id, "fee_refused", NotFound, "error.not_found",
                   lambda: fees.bill_for(session, resident, billed[units[1].id].id))
    assert fees.bill_for(session, neighbour, billed[units[1].id].id).unit_id == units[1].id


def test_permissions_per_role_and_anonymous(session, factory, estate, resident, billed, units):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    for actor, error in ((None, NotAllowed), (guard, NotAllowed), (resident, NotAllowed)):
        with pytest.raises(error):
            fees.generate_month(session, actor, "2026-03", now=NOW)
        with pytest.raises(error):
            fees.record_payment(session, actor, billed[units[0].id].id, "1", "cash", "", "k" * 20, now=NOW)
        with pytest.raises(error):
            fees.period_bills(session, actor, "2026-03")
        with pytest.raises(error):
            fees.set_rate(session, actor, "3")
    with pytest.raises(NotAllowed):
        fees.my_bills(session, None)
    with pytest.raises(NotAllowed):
        fees.my_bills(session, guard)


def test_another_estate_cannot_touch_the_bills(session, factory, billed, units):
    other = factory.estate()
    stranger = factory.actor(factory.user(other, Role.MANAGER))
    with pytest.raises(NotFound):
        fees.record_payment(session, stranger, billed[units[0].id].id, "1", "cash", "", "k" * 20, now=NOW)


def test_office_rows_unpaid_first_and_summary(session, boss, billed, units):
    from tests.unit.fees.conftest import pay
    pay(session, boss, billed[units[0].id], "220")
    rows = fees.period_bills(session, boss, "2026-03")
    assert [r.status for r in rows] == ["unpaid", "unpaid", "unpaid", "paid"]
    assert rows[0].actions == ["pay"] and rows[-1].actions == []
    assert [r.unit for r in fees.period_bills(session, boss, "2026-03", "102")] == ["1栋 102"]
    total = fees.summary(session, boss, "2026-03")
    assert (total.due, total.received, total.rate, total.bills, total.settled) == ("880.00", "220.00", "25.0%", 4, 1)

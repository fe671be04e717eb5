"""A unit handed over or moved into mid-month is billed for the days from that day: area × rate × days occupied ÷
days in the month, rounded half up to the fen; a unit whose billing starts after the month is not billed for it."""

from datetime import date
from decimal import Decimal

from sqlmodel import select

from estate_pwa.models import FeeBill, Unit
from estate_pwa.services import fees
from estate_pwa.services.fees.billing import billed_days, prorated
from tests.unit.conftest import NOW
from tests.unit.fees.conftest import SINCE


def test_days_billed_rule():
    march = date(2026, 3, 1)
    assert billed_days(march, None) == 31
    assert billed_days(march, date(2025, 7, 9)) == 31
    assert billed_days(march, date(2026, 3, 1)) == 31
    assert billed_days(march, date(2026, 3, 15)) == 17  # the 15th to the 31st, both counted
    assert billed_days(march, date(2026, 3, 31)) == 1
    assert billed_days(march, date(2026, 4, 1)) == 0
    assert billed_days(date(2024, 2, 1), date(2024, 2, 29)) == 1


def test_prorated_amount_rounds_half_up():
    assert prorated(Decimal("60.15"), Decimal("1.00"), 1, 30) == Decimal("2.01")  # 2.005: half up, not to even
    assert prorated(Decimal("88.00"), Decimal("2.50"), 17, 31) == Decimal("120.65")  # 120.6451…
    assert prorated(Decimal("88.00"), Decimal("2.50"), 31, 31) == Decimal("220.00")
    assert isinstance(prorated(Decimal("88.00"), Decimal("2.50"), 3, 31), Decimal)


def test_a_mid_month_move_in_is_billed_from_that_day(session, fresh_session, boss, estate, units, resident):
    building = units[0].building_id
    fees.set_rate(session, boss, "2.50", effective_from=SINCE, now=NOW)
    fees.set_unit_terms(session, boss, building, "101", "residential", "2026-03-15")
    fees.set_unit_terms(session, boss, building, "102", "residential", "2026-04-02")  # handed over next month
    fees.set_unit_terms(session, boss, building, "201", "residential", "2026-03-01")
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 3
    assert fees.generate_month(session, boss, "2026-02", now=NOW) == 1  # only 202 was there in February
    session.commit()
    bills = {(b.unit_id, b.period): b for b in fresh_session.exec(select(FeeBill).where(
        FeeBill.estate_id == estate.id))}
    march = date(2026, 3, 1)
    moved_in = bills[units[0].id, march]
    assert (moved_in.amount, moved_in.billed_from) == (Decimal("120.65"), date(2026, 3, 15))
    assert (units[1].id, march) not in bills
    assert (bills[units[2].id, march].amount, bills[units[2].id, march].billed_from) == (Decimal("220.00"), None)
    assert (units[0].id, date(2026, 2, 1)) not in bills
    row = fees.my_bills(session, resident, now=NOW)[0]
    assert (row.amount, row.days, row.balance, row.due) == ("120.65", "17/31", "120.65", "2026-03-31")
    full = fees.office_bill(session, boss, bills[units[2].id, march].id, now=NOW)
    assert full.days == ""


def test_moving_in_again_never_changes_an_issued_bill(session, fresh_session, boss, estate, units):
    fees.set_rate(session, boss, "2.50", effective_from=SINCE, now=NOW)
    fees.generate_month(session, boss, "2026-03", now=NOW)
    fees.set_unit_terms(session, boss, units[0].building_id, "101", "residential", "2026-03-20")
    session.commit()
    assert fees.generate_month(session, boss, "2026-03", now=NOW) == 0
    bill = fresh_session.exec(select(FeeBill).where(FeeBill.unit_id == units[0].id)).one()
    assert bill.amount == Decimal("220.00") and bill.billed_from is None
    assert fresh_session.get(Unit, units[0].id).occupied_from == date(2026, 3, 20)

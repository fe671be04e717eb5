"""管理费收缴率 and its parts on a hand-computed dataset, and the special services count."""

from datetime import UTC, datetime


from estate_pwa.services import bookings, fees
from estate_pwa.services.indicators.periods import PeriodKind, current
from estate_pwa.services.indicators import view
from estate_pwa.services.indicators.registry import REGISTRY, Context, Reading
from tests.unit.conftest import NOW, at
from tests.unit.fees.conftest import pay
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")


def _value(session, estate_id, key, back=0):
    window = current(PeriodKind.MONTH, NOW.astimezone(ZONE).date(), ZONE, back).window
    return REGISTRY[key].measure(session, Context(estate_id, NOW), [window])[0]


def test_collection_rate_hand_computed(session, boss, units, billed):
    """Feb: 4 bills of 220 = 880; unit 0 pays 220 in Feb, unit 1 pays 110 in Feb and 110 in March (清欠).
    March: 880 due; unit 0 pays 220, unit 2 pays 100 in March."""
    fees.generate_month(session, boss, "2026-02", now=NOW)
    session.commit()
    from sqlmodel import select
    from estate_pwa.models import FeeBill
    feb = {b.unit_id: b for b in session.exec(select(FeeBill).where(
        FeeBill.estate_id == boss.estate_id, FeeBill.period == datetime(2026, 2, 1).date()))}
    in_feb = datetime(2026, 2, 15, 4, tzinfo=UTC)
    pay(session, boss, feb[units[0].id], "220", now=in_feb)
    pay(session, boss, feb[units[1].id], "110", now=in_feb)
    pay(session, boss, feb[units[1].id], "110", now=at(9))
    pay(session, boss, billed[units[0].id], "220", now=at(9))
    pay(session, boss, billed[units[2].id], "100", now=at(9))
    march = _value(session, boss.estate_id, "fee_collection")
    assert (march.numerator, march.denominator) == (320, 880) and round(march.value, 2) == 36.36
    february = _value(session, boss.estate_id, "fee_collection", back=1)
    assert (february.numerator, february.denominator) == (440, 880) and february.value == 50
    units_paid = _value(session, boss.estate_id, "fee_collection_units")
    assert (units_paid.numerator, units_paid.denominator) == (1, 4)
    assert (_value(session, boss.estate_id, "fee_collection_units", 1).numerator) == 2
    current_feb = _value(session, boss.estate_id, "fee_collection_current", 1)
    assert (current_feb.numerator, current_feb.denominator) == (330, 880)
    recovered = _value(session, boss.estate_id, "fee_arrears_recovery")
    assert (recovered.numerator, recovered.denominator) == (110, 550)  # 880 owed − 330 paid in Feb
    assert REGISTRY["fee_collection"].met(march.value) is False


def test_a_month_not_yet_over_is_collecting_not_failed(session, boss, units, billed):
    """Bills are due on their month's last day: March, still running, is in progress; February, over, fails."""
    fees.generate_month(session, boss, "2026-02", now=NOW)
    session.commit()
    march, february = (_value(session, boss.estate_id, "fee_collection", back) for back in (0, 1))
    assert (march.not_yet_due, february.not_yet_due) == (True, False)
    tiles = {key: view._tile(REGISTRY["fee_collection"], None, reading, None)
             for key, reading in (("march", march), ("february", february))}
    assert (tiles["march"].status, tiles["march"].why) == (view.Status.IN_PROGRESS, "indicator.why.not_yet_due")
    assert tiles["february"].status == view.Status.NOT_MET
    paid_up = view._tile(REGISTRY["fee_collection"], None, Reading(880, 880, not_yet_due=True), None)
    assert paid_up.status == view.Status.MET  # met early is met


def test_no_bills_is_no_data(session, boss):
    reading = _value(session, boss.estate_id, "fee_collection")
    assert reading.value is None and reading.why == "indicator.why.no_bills"


def test_special_services_count(session, boss):
    assert _value(session, boss.estate_id, "special_services").value == 0
    for i in range(3):
        bookings.save_service(session, boss, {"name_zh": f"服务{i}", "category": "housekeeping", "special": "on",
                                              "price": "50", "price_unit": "visit"})
    bookings.save_service(session, boss, {"name_zh": "公共保洁", "category": "public"})
    item = bookings.save_service(session, boss, {"name_zh": "停用", "category": "car", "special": "on", "price": "9"})
    bookings.set_active(session, boss, item.id, False)
    session.commit()
    assert _value(session, boss.estate_id, "special_services").value == 3

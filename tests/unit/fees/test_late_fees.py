"""The late fee (违约金): off by default; when the contract has one, a percentage per day of the balance owed after
the due date (the month's last day), shown on the bill and taken first from what is paid. Decimal throughout."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from estate_pwa.models import FeeBill, FeePayment, FeeReceipt, FeeSettings
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.fees.late import due_on, late_fee_owed
from estate_pwa.services.fees.receipts import receipt_pdf
from tests.unit.conftest import NOW, expect_refused
from tests.unit.fees.conftest import SINCE, form_key, pay

JANUARY = date(2026, 1, 1)
PERCENT = Decimal("0.05")  # 万分之五 a day


def test_the_rule_by_hand():
    assert due_on(JANUARY) == date(2026, 1, 31) and due_on(date(2024, 2, 1)) == date(2024, 2, 29)
    on = date(2026, 3, 10)  # 38 days after 31 January
    assert late_fee_owed(Decimal("220.00"), PERCENT, JANUARY, [], on) == Decimal("4.18")  # 220 × 38 × 0.0005
    assert late_fee_owed(Decimal("220.00"), Decimal(0), JANUARY, [], on) == Decimal("0.00")
    assert late_fee_owed(Decimal("220.00"), PERCENT, JANUARY, [], date(2026, 1, 31)) == Decimal("0.00")
    # 100 paid 10 days late, 120 still owed after 38 days: (1000 + 4560) × 0.0005 = 2.78
    partly = [(date(2026, 2, 10), Decimal("100.00"), Decimal("0.00"))]
    assert late_fee_owed(Decimal("220.00"), PERCENT, JANUARY, partly, on) == Decimal("2.78")
    # the late fee already paid is deducted; paying before the due date costs nothing
    assert late_fee_owed(Decimal("220.00"), PERCENT, JANUARY, [(date(2026, 2, 10), Decimal("100.00"),
                                                                 Decimal("0.50"))], on) == Decimal("2.28")
    assert late_fee_owed(Decimal("220.00"), PERCENT, JANUARY, [(date(2026, 1, 20), Decimal("220.00"),
                                                                 Decimal("0.00"))], on) == Decimal("0.00")
    # half up to the fen: 100 × 1 day × 0.0005 = 0.05; 10 × 1 × 0.0005 = 0.005 → 0.01
    assert late_fee_owed(Decimal("10.00"), PERCENT, JANUARY, [], date(2026, 2, 1)) == Decimal("0.01")


def test_off_by_default(session, boss, billed, units):
    fees.generate_month(session, boss, "2026-01", now=NOW)
    session.commit()
    assert session.get(FeeSettings, boss.estate_id) is None
    assert fees.terms(session, boss).late_fee_percent == ""
    january = [r for r in fees.period_bills(session, boss, "2026-01", now=NOW)]
    assert january and all(r.late_fee == "" and r.owed == r.balance for r in january)


@pytest.fixture
def late(session, boss, units):
    """0.05% a day from the contract, set before January 2026's bills were made."""
    fees.set_rate(session, boss, "2.50", effective_from=SINCE, now=NOW)
    fees.set_late_fee(session, boss, "0.05", now=NOW)
    fees.generate_month(session, boss, "2026-01", now=NOW)
    session.commit()
    return {b.unit_id: b for b in session.exec(select(FeeBill).where(FeeBill.estate_id == boss.estate_id))}


def test_shown_on_the_bill_and_paid_first(session, fresh_session, estate, boss, resident, late, units):
    bill = late[units[0].id]
    assert bill.late_fee_percent == PERCENT
    row = fees.my_bills(session, resident, now=NOW)[0]
    assert (row.balance, row.late_fee, row.owed) == ("220.00", "4.18", "224.18")
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_over_balance",
                   lambda: fees.record_payment(session, boss, bill.id, "224.19", "cash", "", form_key(), now=NOW))
    partial = pay(session, boss, bill, "50")
    assert (partial.amount, partial.late_fee) == (Decimal("45.82"), Decimal("4.18"))
    row = fees.my_bills(session, resident, now=NOW)[0]
    assert (row.paid, row.balance, row.late_fee, row.owed) == ("45.82", "174.18", "", "174.18")
    assert row.payments[0].amount == "50.00" and row.payments[0].late_fee == "4.18"
    rest = pay(session, boss, bill, "174.18")
    assert (rest.amount, rest.late_fee) == (Decimal("174.18"), Decimal("0.00"))
    fresh_session.expire_all()
    assert fresh_session.get(FeeBill, bill.id).paid == Decimal("220.00")
    receipt = fresh_session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == partial.id)).one()
    assert receipt_pdf(session, boss, receipt.id).content.startswith(b"%PDF")


def test_it_keeps_accruing_on_what_is_left_and_a_void_gives_it_back(session, boss, late, units):
    bill = late[units[1].id]
    payment = pay(session, boss, bill, "104.18")  # 4.18 late fee + 100 of the bill, on 10 March
    later = datetime(2026, 3, 30, 4, tzinfo=UTC)  # 20 days later: 120 × 20 × 0.0005 = 1.20
    assert fees.office_bill(session, boss, bill.id, now=later).late_fee == "1.20"
    fees.void_payment(session, boss, payment.id, "付错了", now=later)
    session.commit()
    # voided: 220 owed for 58 days (6.38), nothing paid
    row = fees.office_bill(session, boss, bill.id, now=later)
    assert (row.balance, row.late_fee, row.owed) == ("220.00", "6.38", "226.38")


def test_bills_issued_before_keep_their_terms(session, boss, late, units):
    fees.set_late_fee(session, boss, "0", now=NOW)
    fees.generate_month(session, boss, "2026-02", now=NOW)
    session.commit()
    by_month = {(b.unit_id, b.period): b for b in session.exec(select(FeeBill).where(
        FeeBill.estate_id == boss.estate_id))}
    assert by_month[units[0].id, JANUARY].late_fee_percent == PERCENT
    assert by_month[units[0].id, date(2026, 2, 1)].late_fee_percent == Decimal(0)
    assert fees.terms(session, boss).late_fee_percent == ""


def test_a_payment_replayed_with_its_late_fee_is_recorded_once(session, boss, late, units):
    bill = late[units[2].id]
    key = form_key()
    first = pay(session, boss, bill, "100", key=key)
    again = pay(session, boss, bill, "100", key=key)
    assert again.id == first.id
    assert len(session.exec(select(FeePayment).where(FeePayment.bill_id == bill.id)).all()) == 1


def test_late_fee_setting_refusals(session, fresh_session, estate, boss):
    for raw in ("2", "-0.05", "0.00001", "abc", 0.05, None, {"p": 1}, "NaN", "1e-2"):
        expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.late_fee_invalid",
                       lambda r=raw: fees.set_late_fee(session, boss, r, now=NOW),
                       unchanged=lambda: fresh_session.get(FeeSettings, estate.id))
    assert fees.set_late_fee(session, boss, "0.3%", now=NOW).late_fee_percent == Decimal("0.3000")

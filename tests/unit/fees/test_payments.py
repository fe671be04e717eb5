"""Partial payments, balance checks, idempotency, voids, receipts numbered without gaps, arrears by age."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import FeeBill, FeePayment, FeeReceipt
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.fees.payments import bucket_of
from tests.unit.conftest import NOW, expect_refused
from tests.unit.fees.conftest import SINCE
from tests.unit.fees.conftest import form_key, pay


def _bill(fresh, bill_id) -> FeeBill:
    fresh.expire_all()
    return fresh.get(FeeBill, bill_id)


def test_partial_payments_until_paid(session, fresh_session, boss, billed, units):
    bill = billed[units[0].id]
    pay(session, boss, bill, "100")
    pay(session, boss, bill, "20.50", "wechat", "WX0001")
    assert _bill(fresh_session, bill.id).paid == Decimal("120.50")
    assert fees.my_bills.__name__  # rows below
    rows = fees.period_bills(session, boss, "2026-03", "101")
    assert rows[0].status == "partial" and rows[0].balance == "99.50"
    assert [p.receipt for p in rows[0].payments] == ["00000001", "00000002"]
    pay(session, boss, bill, "99.50", "alipay", "ALI-9")
    assert _bill(fresh_session, bill.id).paid == Decimal("220.00")
    assert fees.period_bills(session, boss, "2026-03", "101")[0].status == "paid"


def test_balance_checks_refused_and_audited(session, fresh_session, estate, boss, billed, units):
    bill = billed[units[0].id]
    paid = lambda: _bill(fresh_session, bill.id).paid
    for amount, key in (("0", "error.money_zero"), ("-5", "error.money_invalid"), (5.0, "error.money_invalid"),
                        ("220.01", "error.payment_over_balance"), ("1000000", "error.money_too_large")):
        expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, key,
                       lambda a=amount: fees.record_payment(session, boss, bill.id, a, "cash", "", form_key(), now=NOW),
                       unchanged=paid)
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_reference",
                   lambda: fees.record_payment(session, boss, bill.id, "1", "wechat", "", form_key(), now=NOW),
                   unchanged=paid)
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_method",
                   lambda: fees.record_payment(session, boss, bill.id, "1", "bitcoin", "", form_key(), now=NOW),
                   unchanged=paid)
    pay(session, boss, bill, "220")
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.bill_paid",
                   lambda: fees.record_payment(session, boss, bill.id, "1", "cash", "", form_key(), now=NOW),
                   unchanged=paid, target_id=bill.id)


def test_the_same_payment_is_recorded_once(session, fresh_session, estate, boss, billed, units):
    bill = billed[units[0].id]
    key = form_key()
    first = pay(session, boss, bill, "50", key=key)
    again = pay(session, boss, bill, "50", key=key)
    assert again.id == first.id
    transfer = pay(session, boss, bill, "20", "wechat", "WX-77")
    assert pay(session, boss, bill, "20", "wechat", "WX-77").id == transfer.id
    assert _bill(fresh_session, bill.id).paid == Decimal("70.00")
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_recorded",
                   lambda: fees.record_payment(session, boss, billed[units[1].id].id, "20", "wechat", "WX-77",
                                               form_key(), now=NOW))


def test_void_keeps_everything_visible(session, fresh_session, estate, boss, resident, billed, units):
    bill = billed[units[0].id]
    first = pay(session, boss, bill, "100")
    pay(session, boss, bill, "20")
    fees.void_payment(session, boss, first.id, "收错户了", now=NOW + timedelta(hours=1))
    session.commit()
    assert _bill(fresh_session, bill.id).paid == Decimal("20.00")
    payment = fresh_session.get(FeePayment, first.id)
    assert payment.voided_at is not None and payment.void_reason == "收错户了" and payment.voided_by_id == boss.id
    receipts = list(fresh_session.exec(select(FeeReceipt).where(FeeReceipt.estate_id == estate.id)
                                       .order_by(FeeReceipt.number)))
    assert [(r.number, r.voided_at is not None) for r in receipts] == [(1, True), (2, False)]
    lines = fees.my_bills(session, resident)[0].payments
    assert [(p.receipt, p.void, p.void_reason) for p in lines] == [("00000001", True, "收错户了"),
                                                                    ("00000002", False, "")]
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_void",
                   lambda: fees.void_payment(session, boss, first.id, "again", now=NOW))
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.void_reason_required",
                   lambda: fees.void_payment(session, boss, first.id + 1, " ", now=NOW))
    # a voided payment's key does not block recording the real one again under a new form
    assert pay(session, boss, bill, "100").id != first.id


def test_receipt_pdf_for_the_owner_and_the_office_only(session, boss, resident, neighbour, billed, units):
    from estate_pwa.services.errors import NotFound
    from estate_pwa.services.fees.receipts import receipt_pdf
    pay(session, boss, billed[units[0].id], "100")
    receipt = session.exec(select(FeeReceipt).where(FeeReceipt.estate_id == boss.estate_id)).one()
    for actor in (boss, resident):
        document = receipt_pdf(session, actor, receipt.id)
        assert document.content.startswith(b"%PDF") and document.filename == "receipt-00000001.pdf"
    with pytest.raises(NotFound):
        receipt_pdf(session, neighbour, receipt.id)
    assert fees.my_bills(session, resident)[0].payments[0].receipt_url.startswith("/files/")


def test_receipts_are_gapless_per_estate(session, factory, boss, billed, units):
    for unit in units:
        pay(session, boss, billed[unit.id], "10")
    other = factory.estate()
    from estate_pwa.models import Role
    other_boss = factory.actor(factory.user(other, Role.MANAGER))
    fees.set_rate(session, other_boss, "1", effective_from=SINCE, now=NOW)
    fees.generate_month(session, other_boss, "2026-03", now=NOW)
    session.commit()
    bill = session.exec(select(FeeBill).where(FeeBill.estate_id == other.id)).first()
    pay(session, other_boss, bill, "5")
    numbers = lambda e: [r.number for r in session.exec(select(FeeReceipt).where(FeeReceipt.estate_id == e)
                                                        .order_by(FeeReceipt.number))]
    assert numbers(boss.estate_id) == [1, 2, 3, 4] and numbers(other.id) == [1]


def test_concurrent_payments_number_receipts_without_gap_or_repeat(db_url, session, boss, billed, units):
    """20 threads, each in its own session: 19 distinct payments (two bills) and one replay of the same transfer
    race; the receipts are 1..19 with no gap or repeat, and the bills never go over."""
    bills = [billed[units[0].id], billed[units[1].id]]
    start = threading.Barrier(20)
    errors = []

    def worker(i: int) -> None:
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            start.wait()
            try:
                reference = "SAME" if i >= 18 else f"T{i}"
                fees.record_payment(own, boss, bills[i % 2].id, "10", "bank_transfer", reference, None, now=NOW)
                own.commit()
            except Exception as error:  # noqa: BLE001  (collected and asserted below)
                own.rollback()
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    session.expire_all()
    numbers = sorted(session.exec(select(FeeReceipt.number).where(FeeReceipt.estate_id == boss.estate_id)))
    refused = [e for e in errors if getattr(e, "key", "") == "error.payment_recorded"]
    assert len(errors) == len(refused) <= 1
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) in (18, 19)
    payments = session.exec(select(FeePayment).where(FeePayment.estate_id == boss.estate_id)).all()
    assert len(payments) == len(numbers) and sum(1 for p in payments if p.reference == "SAME") == 1
    for bill in bills:
        session.refresh(bill)
        assert bill.paid == sum((p.amount for p in payments if p.bill_id == bill.id), Decimal("0"))


def test_ageing_buckets():
    assert [bucket_of(m) for m in (0, 1, 3, 4, 6, 7, 12, 13, 40)] == [None, 0, 0, 1, 1, 2, 2, 3, 3]


def test_arrears_by_age(session, boss, units, billed):
    for month in ("2026-02", "2025-12", "2025-09", "2025-03", "2024-12"):
        fees.generate_month(session, boss, month, now=NOW)
    session.commit()
    by = {(b.unit_id, b.period): b for b in session.exec(select(FeeBill).where(FeeBill.estate_id == boss.estate_id))}
    for unit in units[1:]:  # everyone else paid everything
        for (unit_id, _), bill in by.items():
            if unit_id == unit.id:
                pay(session, boss, bill, str(bill.amount))
    pay(session, boss, by[units[0].id, date(2026, 2, 1)], "20")
    result = fees.arrears(session, boss, now=NOW)
    assert result.units == 1
    row = result.rows[0]
    assert row.unit == "1栋 101" and row.months == 5 and row.oldest == "2024-12"
    # Feb (1 month) 200 left + Dec (3) 220 | Sep (6) 220 | Mar 2025 (12) 220 | Dec 2024 (15) 220
    assert row.buckets == ["420.00", "220.00", "220.00", "220.00"] and row.owed == "1,080.00"
    assert result.totals == row.buckets and result.total == "1,080.00"

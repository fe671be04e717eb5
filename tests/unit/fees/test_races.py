"""Races with real parallel sessions (threads, each with its own connection; on PostgreSQL truly concurrent):
two cashiers recording the same payment at once record it once, and 200 concurrent payments get receipt numbers
1..200 with no gap or repeat while no bill takes more than it owes."""

import threading
from decimal import Decimal

from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import FeeBill, FeePayment, FeeReceipt
from estate_pwa.services import fees
from tests.unit.conftest import NOW
from tests.unit.fees.conftest import form_key

THREADS = 20
PAYMENTS = 200


def _race(db_url: str, calls: list) -> tuple[list, list[Exception]]:
    """Run each of `calls(session)` in its own thread and session, all released at once; results and errors."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call) -> None:
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            start.wait()
            try:
                results.extend(call(own))
            except Exception as error:  # noqa: BLE001  (collected and asserted by the caller)
                own.rollback()
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_cashiers_recording_the_same_payment_record_it_once(db_url, session, boss, billed, units):
    """Five rounds: the same cash form (one key) submitted by two cashiers at the same instant, and the same
    WeChat transfer (method and reference) entered at two counters at once."""
    for round_number, unit in enumerate(units):
        bill = billed[unit.id]
        key = form_key()
        same = ("100", "cash", "", key) if round_number % 2 == 0 else ("100", "wechat", f"WX-RACE-{round_number}",
                                                                       form_key())

        def cashier(own, same=same, bill=bill, fresh_key=round_number % 2 == 1):
            amount, method, reference, k = same
            payment = fees.record_payment(own, boss, bill.id, amount, method, reference,
                                          form_key() if fresh_key else k, now=NOW)
            own.commit()
            return [payment.id]

        ids, errors = _race(db_url, [cashier, cashier])
        assert errors == [] and len(ids) == 2 and ids[0] == ids[1], (round_number, errors)
        session.expire_all()
        assert len(session.exec(select(FeePayment).where(FeePayment.bill_id == bill.id)).all()) == 1
        assert session.get(FeeBill, bill.id).paid == Decimal("100.00")
    receipts = sorted(session.exec(select(FeeReceipt.number).where(FeeReceipt.estate_id == boss.estate_id)))
    assert receipts == [1, 2, 3, 4]


def test_200_concurrent_payments_number_receipts_without_gap_or_repeat(db_url, session, boss, billed, units):
    bills = [billed[u.id] for u in units]
    per_thread = PAYMENTS // THREADS

    def cashier(index: int):
        def run(own):
            made = []
            for n in range(per_thread):
                bill = bills[(index + n) % len(bills)]
                payment = fees.record_payment(own, boss, bill.id, "1.00", "alipay", f"ALI-{index:02d}-{n:02d}",
                                              None, now=NOW)
                own.commit()
                made.append(payment.id)
            return made
        return run

    ids, errors = _race(db_url, [cashier(i) for i in range(THREADS)])
    assert errors == [] and len(set(ids)) == PAYMENTS
    session.expire_all()
    numbers = sorted(session.exec(select(FeeReceipt.number).where(FeeReceipt.estate_id == boss.estate_id)))
    assert numbers == list(range(1, PAYMENTS + 1))
    for bill in bills:
        paid = session.get(FeeBill, bill.id).paid
        assert paid == Decimal(PAYMENTS // len(bills)) and paid <= bill.amount

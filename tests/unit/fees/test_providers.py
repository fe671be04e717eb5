"""The payment provider interface and its one implementation: recording money received (no online payment)."""

from decimal import Decimal

import pytest
from sqlmodel import select

from estate_pwa.models import FeeReceipt, PaymentMethod
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.fees.providers import PaymentProvider, RecordReceived
from tests.unit.conftest import NOW, expect_refused
from tests.unit.fees.conftest import form_key


def test_the_only_provider_records_money_received():
    assert set(fees.PROVIDERS) == {"received"} and isinstance(fees.PROVIDERS["received"], RecordReceived)
    provider: PaymentProvider = fees.RECEIVED
    assert set(provider.methods) == set(PaymentMethod)


def test_recording_a_confirmed_transfer_once_with_its_receipt(session, boss, billed, units):
    bill = billed[units[0].id]
    received = fees.Received(bill.id, "120.00", "bank_transfer", "ICBC-20260310-0042")
    first = fees.RECEIVED.record(session, boss, received, now=NOW)
    session.commit()
    again = fees.RECEIVED.record(session, boss, received, now=NOW)  # the statement line confirmed twice
    session.commit()
    assert again.id == first.id and first.amount == Decimal("120.00") and first.method == "bank_transfer"
    assert session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == first.id)).one().number == 1
    cash = fees.RECEIVED.record(session, boss, fees.Received(bill.id, "100", "cash", "", form_key()), now=NOW)
    session.commit()
    assert cash.reference == "" and fees.office_bill(session, boss, bill.id, now=NOW).status == "paid"


def test_the_provider_refuses_like_the_office(session, fresh_session, estate, boss, billed, units, resident):
    bill = billed[units[0].id]
    with pytest.raises(NotAllowed):
        fees.RECEIVED.record(session, resident, fees.Received(bill.id, "10", "cash", "", form_key()), now=NOW)
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_reference",
                   lambda: fees.RECEIVED.record(session, boss, fees.Received(bill.id, "10", "alipay"), now=NOW))
    expect_refused(fresh_session, estate.id, "fee_refused", InvalidInput, "error.payment_over_balance",
                   lambda: fees.RECEIVED.record(session, boss, fees.Received(bill.id, "220.01", "cash", "",
                                                                             form_key()), now=NOW))

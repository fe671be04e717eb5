"""One bill as the office's payment form shows it: cashiers only, the estate's own bills only, and its actions."""

import pytest

from estate_pwa.models import Role
from estate_pwa.services import fees
from estate_pwa.services.errors import NotAllowed, NotFound
from tests.unit.conftest import expect_refused
from tests.unit.fees.conftest import pay


def test_the_office_sees_a_bill_with_its_payments_and_actions(session, boss, billed, units):
    bill = billed[units[0].id]
    row = fees.office_bill(session, boss, bill.id)
    assert (row.id, row.amount, row.balance, row.status, row.actions) == (bill.id, "220.00", "220.00", "unpaid",
                                                                          ["pay"])
    payment = pay(session, boss, bill, "220.00")
    row = fees.office_bill(session, boss, bill.id)
    assert (row.status, row.actions, [p.id for p in row.payments]) == ("paid", [], [payment.id])
    assert row.payments[0].actions == ["void"] and row.payments[0].receipt_url.startswith("/files/")


def test_nobody_else_gets_it(session, fresh_session, factory, estate, boss, billed, units, resident):
    own = billed[units[0].id]
    expect_refused(fresh_session, estate.id, "fee_refused", NotAllowed, "error.not_allowed",
                   lambda: fees.office_bill(session, resident, own.id))
    with pytest.raises(NotAllowed):
        fees.office_bill(session, None, own.id)
    elsewhere = factory.estate()
    stranger = factory.actor(factory.user(elsewhere, Role.MANAGER, name="别处经理"))
    expect_refused(fresh_session, elsewhere.id, "fee_refused", NotFound, "error.not_found",
                   lambda: fees.office_bill(session, stranger, own.id))

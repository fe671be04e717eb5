"""Cancelling: free until the rule's hours before the slot, the fee after; refunds of what was paid follow the
rule and are recorded with who and why, voided receipts stay visible; nobody cancels someone else's booking."""

from decimal import Decimal

from sqlmodel import select

from estate_pwa.models import Booking, BookingRefund, FeeBill, FeePayment, FeeReceipt, RequestStatus, ServiceRequest
from estate_pwa.services import bookings, fees
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.bookings.conftest import finish, slot
from tests.unit.conftest import NOW, at, expect_refused


def _pay(session, boss, booking, amount="80", reference="WX1"):
    fees.record_payment(session, boss, bookings.booking_bill(session, boss, booking.id), amount, "wechat",
                        reference, None, now=NOW)
    session.commit()


def test_free_cancellation_refunds_everything(session, fresh_session, boss, resident, technicians, service):
    booking = bookings.book(session, resident, service.id, slot(16), now=NOW)  # tomorrow 16:00: free until 04:00
    session.commit()
    _pay(session, boss, booking)
    row = bookings.my_bookings(session, resident, NOW)[0]
    assert (row.actions, row.cancel_fee_now) == (["cancel"], "0.00")
    bookings.cancel(session, resident, booking.id, now=at(3, day=11))
    session.commit()
    fresh_session.expire_all()
    stored = fresh_session.get(Booking, booking.id)
    assert stored.cancelled_at is not None and stored.cancellation_fee == Decimal("0.00")
    assert fresh_session.get(ServiceRequest, booking.request_id).status == RequestStatus.CLOSED
    bill = fresh_session.exec(select(FeeBill).where(FeeBill.booking_id == booking.id)).one()
    assert (bill.amount, bill.paid) == (Decimal("0.00"), Decimal("0.00"))
    payment = fresh_session.exec(select(FeePayment).where(FeePayment.bill_id == bill.id)).one()
    assert payment.voided_at is not None and payment.voided_by_id == resident.id
    assert fresh_session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == payment.id)).one().voided_at
    refund = fresh_session.exec(select(BookingRefund).where(BookingRefund.booking_id == booking.id)).one()
    assert (refund.amount, refund.kept, refund.refunded_by_id, refund.reason) == (
        Decimal("80.00"), Decimal("0.00"), resident.id, "resident_cancelled")
    row = bookings.my_bookings(session, resident, at(3, day=11))[0]
    assert (row.status, row.actions, row.bill.payments[0].void, row.bill.refunds[0].amount) == (
        "cancelled", [], True, "80.00")
    # The slot is free again: someone else may book it.
    assert bookings.free_staff(session, service, at(16, day=11), "Asia/Shanghai") == [t.id for t in technicians]


def test_late_cancellation_keeps_the_fee_with_a_new_receipt(session, fresh_session, boss, resident, technicians,
                                                            service):
    booking = bookings.book(session, resident, service.id, slot(16), now=NOW)
    session.commit()
    _pay(session, boss, booking)
    assert bookings.my_bookings(session, resident, at(5, day=11))[0].cancel_fee_now == "20.00"
    bookings.cancel(session, resident, booking.id, now=at(5, day=11))
    session.commit()
    fresh_session.expire_all()
    bill = fresh_session.exec(select(FeeBill).where(FeeBill.booking_id == booking.id)).one()
    assert (bill.amount, bill.paid) == (Decimal("20.00"), Decimal("20.00"))
    payments = fresh_session.exec(select(FeePayment).where(FeePayment.bill_id == bill.id).order_by(FeePayment.id)).all()
    assert [(p.amount, p.voided_at is None) for p in payments] == [(Decimal("80.00"), False), (Decimal("20.00"), True)]
    refund = fresh_session.exec(select(BookingRefund).where(BookingRefund.booking_id == booking.id)).one()
    assert (refund.amount, refund.kept) == (Decimal("60.00"), Decimal("20.00"))
    numbers = [r.number for r in fresh_session.exec(select(FeeReceipt).where(
        FeeReceipt.estate_id == boss.estate_id).order_by(FeeReceipt.number))]
    assert numbers == [1, 2]


def test_late_cancellation_unpaid_leaves_the_fee_owing(session, fresh_session, boss, resident, technicians, service):
    booking = bookings.book(session, resident, service.id, slot(16), now=NOW)
    session.commit()
    bookings.cancel(session, resident, booking.id, now=at(5, day=11))
    session.commit()
    row = bookings.day_bookings(session, boss, "2026-03-11", now=at(5, day=11))[0]
    assert (row.status, row.cancellation_fee, row.bill.balance, row.actions) == ("cancelled", "20.00", "20.00",
                                                                                  ["pay"])


def test_office_cancels_free_with_a_reason(session, fresh_session, estate, boss, resident, technicians, service):
    booking = bookings.book(session, resident, service.id, slot(16), now=NOW)
    session.commit()
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.reason_required",
                   lambda: bookings.cancel(session, boss, booking.id, "", now=at(15, day=11)))
    bookings.cancel(session, boss, booking.id, "师傅生病", now=at(15, day=11))
    session.commit()
    assert fresh_session.get(Booking, booking.id).cancellation_fee == Decimal("0.00")


def test_cancelling_refused_for_others_twice_started_or_done(session, fresh_session, estate, boss, resident,
                                                             neighbour, technicians, service):
    booking = bookings.book(session, resident, service.id, slot(16), now=NOW)
    session.commit()
    unchanged = lambda: fresh_session.get(Booking, booking.id).cancelled_at  # noqa: E731
    expect_refused(fresh_session, estate.id, "booking_refused", NotAllowed, "error.not_your_booking",
                   lambda: bookings.cancel(session, neighbour, booking.id, now=NOW), unchanged=unchanged,
                   target_id=booking.id)
    for hostile in ("1 OR 1=1", -1, None, {"id": 1}, 2**40):
        expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.bad_request",
                       lambda hostile=hostile: bookings.cancel(session, resident, hostile, now=NOW))
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.booking_started",
                   lambda: bookings.cancel(session, resident, booking.id, now=at(16, 5, day=11)),
                   unchanged=unchanged)
    staff = next(t for t in technicians if t.id == booking.staff_id)
    finish(session, staff, booking, at(16, day=11))
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.booking_started",
                   lambda: bookings.cancel(session, boss, booking.id, "晚了", now=at(15, day=11)))
    other = bookings.book(session, resident, service.id, slot(18), now=NOW)
    session.commit()
    bookings.cancel(session, resident, other.id, now=NOW)
    session.commit()
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.booking_cancelled",
                   lambda: bookings.cancel(session, resident, other.id, now=NOW))

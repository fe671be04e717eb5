"""A booking is a job: dispatched to the staff member it holds, in their job list, completed and rated through the
jobs system; its charge is a service bill paid at the office, outside the management-fee collection rate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from estate_pwa.models import BillKind, FeeBill, RequestKind, RequestStatus, ServiceRequest
from estate_pwa.services import bookings, fees, jobs
from estate_pwa.services.errors import NotAllowed
from estate_pwa.services.files import build_download
from tests.unit.bookings.conftest import finish, slot
from tests.unit.conftest import NOW, at


def test_booking_to_job_to_completion_to_rating(session, fresh_session, boss, resident, neighbour, technicians,
                                                service):
    booking = bookings.book(session, resident, service.id, slot(10), quantity="2", note="两台挂机", now=NOW)
    session.commit()
    assert (booking.amount, booking.price, booking.quantity) == (Decimal("160.00"), Decimal("80.00"), Decimal("2"))
    request = fresh_session.get(ServiceRequest, booking.request_id)
    assert (request.kind, request.status, request.technician_id, request.promised_at) == (
        RequestKind.BOOKED, RequestStatus.DISPATCHED, booking.staff_id, booking.ends_at)
    staff = next(t for t in technicians if t.id == booking.staff_id)
    assert [r.id for r in jobs.for_technician(session, staff, NOW)] == [request.id]
    assert jobs.allowed(staff, request) == ["accept"]  # no 3-minute arrival to excuse
    assert bookings.my_bookings(session, resident, NOW)[0].status == "booked"
    bill = fresh_session.exec(select(FeeBill).where(FeeBill.booking_id == booking.id)).one()
    assert (bill.kind, bill.amount, bill.unit_id) == (BillKind.SERVICE, Decimal("160.00"), resident.unit_id)

    finish(session, staff, booking, at(10, day=11))
    row = bookings.my_bookings(session, resident, at(12, day=11))[0]
    assert (row.status, row.actions) == ("completed", ["rate"])
    with pytest.raises(NotAllowed):
        jobs.rate(session, neighbour, booking.request_id, True, now=at(12, day=11))
    jobs.rate(session, resident, booking.request_id, True, "很好", now=at(12, day=11))
    session.commit()
    row = bookings.my_bookings(session, resident, at(12, day=11))[0]
    assert (row.status, row.satisfied, row.actions) == ("closed", "yes", [])


def test_paid_at_the_office_with_a_receipt_outside_the_collection_rate(session, boss, resident, technicians,
                                                                       service):
    fees.set_rate(session, boss, "2.00", now=NOW)
    fees.generate_month(session, boss, "2026-03", now=NOW)
    session.commit()
    before = fees.summary(session, boss, "2026-03")
    booking = bookings.book(session, resident, service.id, slot(10), now=NOW)
    session.commit()
    office = bookings.day_bookings(session, boss, "2026-03-11", now=NOW)
    assert [r.id for r in office] == [booking.id] and "pay" in office[0].actions and "cancel" in office[0].actions
    bill_id = bookings.booking_bill(session, boss, booking.id)
    fees.record_payment(session, boss, bill_id, "80", "wechat", "WX123", None, now=NOW)
    session.commit()
    after = fees.summary(session, boss, "2026-03")
    assert (after.due, after.received, after.bills) == (before.due, before.received, before.bills)
    assert all(b.id != bill_id for b in fees.my_bills(session, resident))
    row = bookings.my_bookings(session, resident, NOW)[0]
    assert (row.bill.status, row.bill.paid, len(row.bill.payments)) == ("paid", "80.00", 1)
    link = row.bill.payments[0].receipt_url
    pdf = build_download(session, link.removeprefix("/files/"), now=NOW)
    assert pdf.content.startswith(b"%PDF") and pdf.filename == f"receipt-{row.bill.payments[0].receipt}.pdf"


def test_bookings_are_private(session, boss, resident, neighbour, technicians, service):
    bookings.book(session, resident, service.id, slot(10), now=NOW)
    session.commit()
    assert bookings.my_bookings(session, neighbour, NOW) == []
    for actor in (None, neighbour, technicians[0]):
        with pytest.raises(NotAllowed):
            bookings.day_bookings(session, actor, None, now=NOW)
    with pytest.raises(NotAllowed):
        bookings.book(session, technicians[0], service.id, slot(11), now=NOW)
    assert bookings.my_bookings(session, resident, NOW + timedelta(days=3))[0].status == "booked"

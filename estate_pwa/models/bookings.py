"""Bookings of special services (特约服务): a resident books a slot of a service; the booking holds one qualified
staff member for the slot's window, becomes a job of kind "booked" in the jobs system, and is charged by a bill
of kind "service". Nothing is deleted: a cancellation is marked with who, when and why; refunds are records.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped
from estate_pwa.models.fees import MONEY


class Booking(EstateOwned, Timestamped, table=True):
    """One resident's booking of one slot of a service, held by the staff member who will do it. The price is
    the service's marked price when booked (a later price change does not touch it); `amount` = price × quantity.
    A cancelled booking holds nobody; its completion is its job's (the request named by `request_id`)."""

    __table_args__ = (
        Index("ix_booking_estate_starts", "estate_id", "starts_at"),
        Index("ix_booking_staff_starts", "staff_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="serviceitem.id", index=True)
    resident_id: int = Field(foreign_key="user.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    staff_id: int = Field(foreign_key="user.id")
    starts_at: datetime
    ends_at: datetime
    quantity: Decimal = Field(default=Decimal("1.00"), max_digits=8, decimal_places=2)
    price: Decimal = Field(**MONEY)
    amount: Decimal = Field(**MONEY)
    note: str = Field(default="", max_length=200)
    request_id: int | None = Field(default=None, foreign_key="servicerequest.id", index=True)
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = Field(default=None, foreign_key="user.id")
    cancel_reason: str = Field(default="", max_length=200)
    cancellation_fee: Decimal | None = Field(default=None, **MONEY)


class BookingRefund(EstateOwned, table=True):
    """Money given back after a cancellation: the payment voided (its receipt stays, marked void), how much of
    it was kept as the cancellation fee (recorded again as a new payment with its own receipt), how much is
    handed back, who did it and why."""

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    payment_id: int = Field(foreign_key="feepayment.id", unique=True)
    amount: Decimal = Field(**MONEY)
    kept: Decimal = Field(default=Decimal("0.00"), **MONEY)
    reason: str = Field(max_length=200)
    refunded_by_id: int = Field(foreign_key="user.id")
    refunded_at: datetime


class SlotClosure(EstateOwned, Timestamped, table=True):
    """A slot of a service the office cancelled (staff away, works in the building …): not bookable."""

    __table_args__ = (UniqueConstraint("service_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="serviceitem.id")
    starts_at: datetime
    reason: str = Field(max_length=200)
    closed_by_id: int = Field(foreign_key="user.id")

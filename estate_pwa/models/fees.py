"""Management fees and the priced service menu: rates per m², monthly bills per unit, payments against them,
gaplessly numbered receipts, and the catalogue of included and special services (明码标价).

Money is `Decimal` yuan with fen precision, stored as NUMERIC(12, 2); no float is ever on the path. Nothing here
is deleted: a refunded payment and its receipt are marked void, with who and why.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped

MONEY = {"max_digits": 12, "decimal_places": 2}
"""The column shape of every amount: NUMERIC(12, 2)."""
LATE_FEE = {"max_digits": 6, "decimal_places": 4}
"""A late fee's percentage of the overdue balance per day: NUMERIC(6, 4) (0.05 is 万分之五 a day)."""


class PaymentMethod(StrEnum):
    """How a payment was received (recorded by staff; no online payment is made by the app)."""

    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK_TRANSFER = "bank_transfer"


class PriceUnit(StrEnum):
    """What a service's price is per."""

    VISIT = "visit"
    HOUR = "hour"
    ITEM = "item"
    M2 = "m2"


class ServiceCategory(StrEnum):
    """Groups of the service menu."""

    HOUSEKEEPING = "housekeeping"
    REPAIR = "repair"
    CAR = "car"
    ERRANDS = "errands"
    CARE = "care"
    PUBLIC = "public"


class BillKind(StrEnum):
    """What a bill charges: the monthly management fee, or a booked special service (its booking named)."""

    FEE = "fee"
    SERVICE = "service"


class StaffRole(StrEnum):
    """Who may do a bookable service (the roster says when they are on duty)."""

    TECHNICIAN = "technician"
    CLEANER = "cleaner"
    GUARD = "guard"


class FeeRate(EstateOwned, Timestamped, table=True):
    """A management fee per m² per month from a month on (`effective_from`, a month's first day), for a scope: the
    estate's (no building, no unit type), one building's, one unit type's, or one unit type's in one building. Rows
    are never changed: a new rate is a new row, so the history stays and bills already issued keep theirs."""

    __table_args__ = (Index("ix_feerate_scope", "estate_id", "building_id", "unit_type", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    unit_type: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    rate: Decimal = Field(**MONEY)
    effective_from: date
    changed_by_id: int = Field(foreign_key="user.id")


class FeeSettings(SQLModel, table=True):
    """An estate's fee terms from its contract: the late fee (违约金) as a percentage of the overdue balance per day,
    0 (off) by default. A bill keeps the percentage in force when it was issued."""

    estate_id: int = Field(foreign_key="estate.id", primary_key=True)
    late_fee_percent: Decimal = Field(default=Decimal(0), **LATE_FEE)
    changed_by_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime | None = None


class FeeBill(EstateOwned, Timestamped, table=True):
    """One unit's management fee for one month (kind fee), or a booked service's charge (kind service) (`period` is
    the month's first day): area × rate (× days occupied ÷ days in the month when billing starts on `billed_from`, a
    move-in or handover within the month), and how much of it has been paid (the sum of its payments that are not
    void, kept under the bill's row lock); a fee bill keeps the late fee percentage per day in force when it was
    issued (0: none)."""

    __table_args__ = (
        Index("uq_feebill_fee_unit_period", "unit_id", "period", unique=True,
              sqlite_where=text("kind = 'fee'"), postgresql_where=text("kind = 'fee'")),
        Index("ix_feebill_estate_period", "estate_id", "period"),
        Index("ix_feebill_unpaid", "estate_id", "period", sqlite_where=text("paid < amount"),
              postgresql_where=text("paid < amount")),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    period: date
    area_m2: Decimal = Field(max_digits=10, decimal_places=2)
    rate: Decimal = Field(**MONEY)
    amount: Decimal = Field(**MONEY)
    paid: Decimal = Field(default=Decimal("0.00"), **MONEY)
    billed_from: date | None = None
    late_fee_percent: Decimal = Field(default=Decimal(0), sa_column_kwargs={"server_default": "0"}, **LATE_FEE)
    generated_by_id: int = Field(foreign_key="user.id")
    kind: str = Field(default=BillKind.FEE, max_length=10)
    """fee: one per unit and month (the unique index holds only for these); service: a booking's charge."""
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)


class FeePayment(EstateOwned, table=True):
    """Money received against a bill: `amount` pays the bill, `late_fee` the late fee owed with it (the money
    received is their sum). `key` makes recording idempotent: the same transfer (method and reference) or the same
    submitted form is recorded once. A refund voids it, with who and why."""

    __table_args__ = (UniqueConstraint("estate_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="feebill.id", index=True)
    amount: Decimal = Field(**MONEY)
    late_fee: Decimal = Field(default=Decimal("0.00"), sa_column_kwargs={"server_default": "0"}, **MONEY)
    method: str = Field(max_length=20)
    reference: str = Field(default="", max_length=64)
    key: str = Field(max_length=100)
    received_at: datetime = Field(index=True)
    recorded_by_id: int = Field(foreign_key="user.id")
    voided_at: datetime | None = None
    voided_by_id: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str = Field(default="", max_length=200)


class ReceiptCounter(SQLModel, table=True):
    """The last receipt number an estate issued; locked FOR UPDATE by every payment, so numbers never skip or
    repeat (a payment rolled back gives its number back with it)."""

    estate_id: int = Field(foreign_key="estate.id", primary_key=True)
    last_number: int = 0


class FeeReceipt(EstateOwned, table=True):
    """A numbered receipt (收据) for one payment; voided with its payment, never removed."""

    __table_args__ = (UniqueConstraint("estate_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int
    payment_id: int = Field(foreign_key="feepayment.id", unique=True)
    issued_at: datetime
    voided_at: datetime | None = None


class ServiceItem(EstateOwned, Timestamped, table=True):
    """One entry of the service menu: included in the fee (public) or special (特约, paid at its marked price)."""

    id: int | None = Field(default=None, primary_key=True)
    name_zh: str = Field(max_length=50)
    name_en: str = Field(max_length=80)
    description_zh: str = Field(default="", max_length=300)
    description_en: str = Field(default="", max_length=500)
    category: str = Field(max_length=20)
    price: Decimal = Field(default=Decimal("0.00"), **MONEY)
    price_unit: str = Field(default=PriceUnit.VISIT, max_length=10)
    special: bool = True
    active: bool = True
    sort: int = 0
    duration_minutes: int = 60
    """How long one booking typically takes: the length of its slots."""
    lead_hours: int = 2
    """A slot must start at least this long after the booking is made."""
    free_cancel_hours: int = 24
    """Cancelling is free until this long before the slot; after that `cancel_fee` is charged."""
    cancel_fee: Decimal = Field(default=Decimal("0.00"), **MONEY)
    staff_role: str | None = Field(default=None, max_length=20)
    """Who does it: staff holding this role (on duty per the roster), or only `staff_id` when set."""
    staff_id: int | None = Field(default=None, foreign_key="user.id")

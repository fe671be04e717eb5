"""Management fees and the priced service menu: rates per m², monthly bills per unit, payments against them,
gaplessly numbered receipts, and the catalogue of included and special services (明码标价).

Money is `Decimal` yuan with fen precision, stored as NUMERIC(12, 2); no float is ever on the path. Nothing here
is deleted: a refunded payment and its receipt are marked void, with who and why.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from estate_pwa.models.base import EstateOwned, Timestamped

MONEY = {"max_digits": 12, "decimal_places": 2}
"""The column shape of every amount: NUMERIC(12, 2)."""


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


class FeeRate(EstateOwned, Timestamped, table=True):
    """The management fee per m² per month: the estate's (building_id None) or one building's override."""

    __table_args__ = (UniqueConstraint("estate_id", "building_id"),)

    id: int | None = Field(default=None, primary_key=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    rate: Decimal = Field(**MONEY)
    changed_by_id: int = Field(foreign_key="user.id")


class FeeBill(EstateOwned, Timestamped, table=True):
    """One unit's management fee for one month (`period` is the month's first day): area × rate, and how much of
    it has been paid (the sum of its payments that are not void, kept under the bill's row lock)."""

    __table_args__ = (UniqueConstraint("unit_id", "period"), Index("ix_feebill_estate_period", "estate_id", "period"))

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    period: date
    area_m2: Decimal = Field(max_digits=10, decimal_places=2)
    rate: Decimal = Field(**MONEY)
    amount: Decimal = Field(**MONEY)
    paid: Decimal = Field(default=Decimal("0.00"), **MONEY)
    generated_by_id: int = Field(foreign_key="user.id")


class FeePayment(EstateOwned, table=True):
    """Money received against a bill. `key` makes recording idempotent: the same transfer (method and reference)
    or the same submitted form is recorded once. A refund voids it, with who and why."""

    __table_args__ = (UniqueConstraint("estate_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="feebill.id", index=True)
    amount: Decimal = Field(**MONEY)
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

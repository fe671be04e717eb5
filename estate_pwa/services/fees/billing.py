"""Management fee bills: the rate per m² per month (the estate's, overridden per building), a month's bills for
every unit generated in bulk, and the bills each viewer may see as typed rows with their payments and actions."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, insert
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import Building, Estate, FeeBill, FeePayment, FeeRate, FeeReceipt, Role, Unit, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.fees.common import (
    CASHIERS, FEES, ZERO, add_months, area_of, fee_for, label, period_of, status_of_amounts, unit_labels, yuan,
)
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import money, positive_id, text

BATCH = 1000
PAGE = 50
RESIDENT_MONTHS = 36
AHEAD_MONTHS = 1
"""Bills may be generated for the current month and the next one, never further ahead."""


@dataclass
class RateRow:
    """The estate's rate or one building's: `override` when the building has its own."""

    building_id: int = 0
    name: str = ""
    rate: str = ""
    override: bool = False


@dataclass
class PaymentLine:
    """A payment on a bill, with its receipt (number and download link) and whether it was voided, why."""

    id: int = 0
    amount: str = ""
    method: str = ""
    reference: str = ""
    received: str = ""
    receipt: str = ""
    receipt_url: str = ""
    void: bool = False
    void_reason: str = ""
    actions: list[str] = field(default_factory=list)


@dataclass
class BillRow:
    """One unit's bill for one month as a screen shows it; `status` is paid, partial or unpaid."""

    id: int = 0
    period: str = ""
    unit: str = ""
    area: str = ""
    rate: str = ""
    amount: str = ""
    paid: str = ""
    balance: str = ""
    status: str = ""
    payments: list[PaymentLine] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class PeriodSummary:
    """A month's bills at a glance: amounts due and received, the collection rate, bills and bills paid."""

    period: str = ""
    due: str = ""
    received: str = ""
    rate: str = ""
    bills: int = 0
    settled: int = 0



def set_rate(session: Session, actor: Actor | None, rate: object, building_id: object = None) -> FeeRate:
    """A manager sets the estate's rate per m² per month, or one building's (`building_id`)."""
    actor = require(session, actor, FEES, Role.MANAGER)
    with refusing(session, actor, FEES):
        value = money(rate)
        building = in_estate(session, actor, Building, positive_id(building_id)).id if building_id else None
    row = session.exec(select(FeeRate).where(FeeRate.estate_id == actor.estate_id,
                                             FeeRate.building_id == building if building else
                                             col(FeeRate.building_id).is_(None))).first()
    if row is None:
        row = FeeRate(estate_id=actor.estate_id, building_id=building, rate=value, changed_by_id=actor.id)
        session.add(row)
    else:
        row.rate, row.changed_by_id = value, actor.id
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_rate_set", "building" if building else "estate", building or actor.estate_id,
                 rate=str(value))
    return row


def _rates(session: Session, estate_id: int) -> tuple[Decimal | None, dict[int, Decimal]]:
    estate_rate, overrides = None, {}
    for building_id, rate in session.exec(select(FeeRate.building_id, FeeRate.rate)
                                          .where(FeeRate.estate_id == estate_id)):
        if building_id is None:
            estate_rate = rate
        else:
            overrides[building_id] = rate
    return estate_rate, overrides


def rate_rows(session: Session, actor: Actor | None) -> list[RateRow]:
    """The estate's rate, then each building's (its own or the estate's)."""
    actor = require(session, actor, FEES, Role.MANAGER)
    estate_rate, overrides = _rates(session, actor.estate_id)
    rows = [RateRow(0, "", yuan(estate_rate) if estate_rate is not None else "", False)]
    for building in session.exec(select(Building).where(Building.estate_id == actor.estate_id)
                                 .order_by(col(Building.id))):
        own = overrides.get(building.id)
        shown = own if own is not None else estate_rate
        rows.append(RateRow(building.id, building.name, yuan(shown) if shown is not None else "", own is not None))
    return rows


def generate_month(session: Session, actor: Actor | None, period: object, now: datetime | None = None) -> int:
    """A manager generates a month's bills for every unit (area × its building's rate, or the estate's); units
    already billed for that month are left as they are. Returns how many bills were made."""
    actor = require(session, actor, FEES, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, FEES):
        month = period_of(period)
        today = local_today(session, actor.estate_id, now)
        if month > add_months(today.replace(day=1), AHEAD_MONTHS):
            raise InvalidInput("error.period_ahead")
        estate_rate, overrides = _rates(session, actor.estate_id)
        units = session.exec(select(Unit.id, Unit.building_id, Unit.area_m2).where(
            Unit.estate_id == actor.estate_id)).all()
        if any(estate_rate is None and b not in overrides for _, b, _ in units):
            raise InvalidInput("error.fee_rate_missing")
    # One generation at a time per estate: the estate's row is the lock (a second manager waits, then skips).
    session.exec(select(Estate.id).where(Estate.id == actor.estate_id).with_for_update()).one()
    billed = set(session.exec(select(FeeBill.unit_id).where(FeeBill.estate_id == actor.estate_id,
                                                           FeeBill.period == month)))
    rows = []
    for unit_id, building_id, area in units:
        if unit_id in billed:
            continue
        rate, exact_area = overrides.get(building_id, estate_rate), area_of(area)
        rows.append({"estate_id": actor.estate_id, "unit_id": unit_id, "period": month, "area_m2": exact_area,
                     "rate": rate, "amount": fee_for(exact_area, rate), "paid": ZERO,
                     "generated_by_id": actor.id, "created_at": now})
    for start in range(0, len(rows), BATCH):
        session.execute(insert(FeeBill.__table__), rows[start:start + BATCH])
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_bills_generated", "estate", actor.estate_id, period=label(month), bills=len(rows))
    return len(rows)


def status_of(bill: FeeBill) -> str:
    """paid, partial or unpaid."""
    return status_of_amounts(bill.amount, bill.paid)


def bill_rows(session: Session, actor: Actor, bills: list[FeeBill], now: datetime | None = None) -> list[BillRow]:
    """Rows of bills the viewer may already see, with their payments and receipts (links for the viewer)."""
    from estate_pwa.services.fees.receipts import receipt_link, receipt_number

    if not bills:
        return []
    timezone = session.get(Estate, actor.estate_id).timezone
    labels = unit_labels(session, {b.unit_id for b in bills})
    cashier = actor.has(*CASHIERS)
    lines: dict[int, list[PaymentLine]] = {}
    for payment, receipt in session.exec(
            select(FeePayment, FeeReceipt).join(FeeReceipt, col(FeeReceipt.payment_id) == FeePayment.id, isouter=True)
            .where(col(FeePayment.bill_id).in_([b.id for b in bills])).order_by(col(FeePayment.received_at))):
        void = payment.voided_at is not None
        lines.setdefault(payment.bill_id, []).append(PaymentLine(
            payment.id, yuan(payment.amount), payment.method, payment.reference,
            format_local(payment.received_at, timezone), receipt_number(receipt.number) if receipt else "",
            receipt_link(actor, receipt.id, now) if receipt else "", void, payment.void_reason,
            ["void"] if cashier and not void else []))
    rows = []
    for bill in bills:
        status = status_of(bill)
        rows.append(BillRow(
            bill.id, label(bill.period), labels.get(bill.unit_id, ""), f"{bill.area_m2:.2f}", yuan(bill.rate),
            yuan(bill.amount), yuan(bill.paid), yuan(bill.amount - bill.paid), status, lines.get(bill.id, []),
            ["pay"] if cashier and status != "paid" else []))
    return rows


def my_bills(session: Session, actor: Actor | None, now: datetime | None = None) -> list[BillRow]:
    """A resident's own unit's bills, newest first (only theirs: the unit comes from their account)."""
    actor = require(session, actor, FEES, Role.RESIDENT)
    if actor.unit_id is None:
        return []
    bills = list(session.exec(select(FeeBill).where(FeeBill.estate_id == actor.estate_id,
                                                    FeeBill.unit_id == actor.unit_id)
                              .order_by(col(FeeBill.period).desc()).limit(RESIDENT_MONTHS)))
    return bill_rows(session, actor, bills, now)


def bill_for(session: Session, actor: Actor | None, bill_id: object) -> FeeBill:
    """One bill the actor may see: any of the estate's for a cashier, their own unit's for a resident."""
    actor = require(session, actor, FEES)
    with refusing(session, actor, FEES):
        bill = in_estate(session, actor, FeeBill, positive_id(bill_id))
        if not actor.has(*CASHIERS) and (not actor.has(Role.RESIDENT) or bill.unit_id != actor.unit_id):
            raise NotFound("error.not_found")
    return bill


def office_bill(session: Session, actor: Actor | None, bill_id: object, now: datetime | None = None) -> BillRow:
    """One of the estate's bills as the office sees it (with its payments and `actions`), for a cashier about to
    record a payment against it or to show the bill just paid."""
    actor = require(session, actor, FEES, *CASHIERS)
    return bill_rows(session, actor, [bill_for(session, actor, bill_id)], now)[0]


def period_bills(session: Session, actor: Actor | None, period: object, search: object = "",
                 now: datetime | None = None) -> list[BillRow]:
    """A month's bills for the office, unpaid first, optionally only units whose label contains `search`."""
    actor = require(session, actor, FEES, *CASHIERS)
    with refusing(session, actor, FEES):
        month = period_of(period)
        wanted = text(search, "error.bad_request", 20, required=False)
    query = (select(FeeBill).join(Unit, col(Unit.id) == FeeBill.unit_id)
             .join(Building, col(Building.id) == Unit.building_id)
             .where(FeeBill.estate_id == actor.estate_id, FeeBill.period == month))
    if wanted:
        query = query.where((col(Building.name) + " " + col(Unit.number)).contains(wanted))
    query = query.order_by(col(FeeBill.paid) >= col(FeeBill.amount), col(Building.id), col(Unit.number))
    return bill_rows(session, actor, list(session.exec(query.limit(PAGE))), now)


def summary(session: Session, actor: Actor | None, period: object) -> PeriodSummary:
    """A month's amounts due and received (payments not void), and bills settled."""
    actor = require(session, actor, FEES, *CASHIERS)
    with refusing(session, actor, FEES):
        month = period_of(period)
    due, received, bills, settled = session.exec(
        select(func.coalesce(func.sum(FeeBill.amount), 0), func.coalesce(func.sum(FeeBill.paid), 0),
               func.count(), func.coalesce(func.sum(_settled()), 0))
        .where(FeeBill.estate_id == actor.estate_id, FeeBill.period == month)).one()
    due, received = Decimal(str(due)).quantize(ZERO), Decimal(str(received)).quantize(ZERO)
    rate = f"{(100 * received / due):.1f}%" if due else ""
    return PeriodSummary(label(month), yuan(due), yuan(received), rate, int(bills), int(settled))


def _settled():
    return case((col(FeeBill.paid) >= col(FeeBill.amount), 1), else_=0)

"""Management fee bills: a month's bills for every unit generated in bulk (area × the rate in force for its
building and type, prorated from a move-in or handover within the month), and the bills each viewer may see as
typed rows with their payments, late fees and actions.

Proration: a unit whose billing starts on day S of a month of N days (its `occupied_from`) is billed for the
days from S to the month's end: area × rate × (N − S + 1) ÷ N, rounded half up to the fen; a unit whose billing
starts after the month is not billed for it."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, insert
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import BillKind, Building, Estate, FeeBill, FeePayment, FeeReceipt, Role, Unit, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.fees.common import (
    CASHIERS, FEES, FEN, ZERO, add_months, area_of, fee_for, label, period_of, status_of_amounts, unit_labels, yuan,
)
from estate_pwa.services.fees.late import due_on, late_fee_owed
from estate_pwa.services.fees.rates import late_fee_percent, rate_for, rates_in_force
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import positive_id, text

BATCH = 1000
PAGE = 50
RESIDENT_MONTHS = 36
AHEAD_MONTHS = 1
"""Bills may be generated for the current month and the next one, never further ahead."""


@dataclass
class PaymentLine:
    """A payment on a bill (`late_fee`: the part of it that paid the late fee), with its receipt (number and
    download link) and whether it was voided, why."""

    id: int = 0
    amount: str = ""
    late_fee: str = ""
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
    """One unit's bill for one month as a screen shows it; `status` is paid, partial or unpaid; `days` says
    '17/31' when it was prorated from a move-in; `late_fee` is what is owed in late fees today ('' when none) and
    `owed` the balance with it."""

    id: int = 0
    period: str = ""
    unit: str = ""
    area: str = ""
    rate: str = ""
    amount: str = ""
    paid: str = ""
    balance: str = ""
    status: str = ""
    due: str = ""
    days: str = ""
    late_fee: str = ""
    owed: str = ""
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


def month_days(period: date) -> int:
    """How many days the month of `period` has."""
    return calendar.monthrange(period.year, period.month)[1]


def billed_days(period: date, occupied_from: date | None) -> int:
    """The days of the month a unit is billed for: all of them, those from its move-in or handover within the
    month, or none when that is after the month."""
    days = month_days(period)
    if occupied_from is None or occupied_from <= period:
        return days
    return max(0, days - (occupied_from - period).days)


def prorated(area_m2: Decimal, rate: Decimal, days: int, of_days: int) -> Decimal:
    """Area × rate × days ÷ days in the month, rounded half up to the fen (the whole month: area × rate)."""
    if days == of_days:
        return fee_for(area_m2, rate)
    return (area_m2 * rate * days / of_days).quantize(FEN, ROUND_HALF_UP)


def generate_month(session: Session, actor: Actor | None, period: object, now: datetime | None = None) -> int:
    """A manager generates a month's management fee bills for every unit billed that month (area × the rate in
    force for it, prorated from a move-in within the month); units already billed for that month are left as they
    are. One read of the units and rates, then one multi-row INSERT per BATCH bills. Returns how many were made."""
    actor = require(session, actor, FEES, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, FEES):
        month = period_of(period)
        today = local_today(session, actor.estate_id, now)
        if month > add_months(today.replace(day=1), AHEAD_MONTHS):
            raise InvalidInput("error.period_ahead")
        rates = rates_in_force(session, actor.estate_id, month)
        units = session.exec(select(Unit.id, Unit.building_id, Unit.unit_type, Unit.area_m2, Unit.occupied_from)
                             .where(Unit.estate_id == actor.estate_id)).all()
        if any(rate_for(rates, b, t) is None for _, b, t, _, _ in units):
            raise InvalidInput("error.fee_rate_missing")
    # One generation at a time per estate: the estate's row is the lock (a second manager waits, then skips).
    session.exec(select(Estate.id).where(Estate.id == actor.estate_id).with_for_update()).one()
    billed = set(session.exec(select(FeeBill.unit_id).where(FeeBill.estate_id == actor.estate_id,
                                                           FeeBill.period == month, FeeBill.kind == BillKind.FEE)))
    late_percent, of_days, rows = late_fee_percent(session, actor.estate_id), month_days(month), []
    for unit_id, building_id, unit_type, area, occupied_from in units:
        days = billed_days(month, occupied_from)
        if unit_id in billed or days == 0:
            continue
        rate, exact_area = rate_for(rates, building_id, unit_type), area_of(area)
        rows.append({"estate_id": actor.estate_id, "unit_id": unit_id, "period": month, "area_m2": exact_area,
                     "rate": rate, "amount": prorated(exact_area, rate, days, of_days), "paid": ZERO,
                     "billed_from": occupied_from if days < of_days else None, "late_fee_percent": late_percent,
                     "kind": BillKind.FEE, "generated_by_id": actor.id, "created_at": now})
    for start in range(0, len(rows), BATCH):
        session.execute(insert(FeeBill.__table__), rows[start:start + BATCH])
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_bills_generated", "estate", actor.estate_id, period=label(month), bills=len(rows))
    return len(rows)


def status_of(bill: FeeBill) -> str:
    """paid, partial or unpaid."""
    return status_of_amounts(bill.amount, bill.paid)


def bill_rows(session: Session, actor: Actor, bills: list[FeeBill], now: datetime | None = None) -> list[BillRow]:
    """Rows of bills the viewer may already see, with their payments and receipts (links for the viewer) and the
    late fee owed today."""
    from estate_pwa.services.fees.receipts import receipt_link, receipt_number

    if not bills:
        return []
    now = now or utcnow()
    timezone = session.get(Estate, actor.estate_id).timezone
    zone, today = ZoneInfo(timezone), local_today(session, actor.estate_id, now)
    labels = unit_labels(session, {b.unit_id for b in bills})
    cashier = actor.has(*CASHIERS)
    lines: dict[int, list[PaymentLine]] = {}
    paid_on: dict[int, list[tuple[date, Decimal, Decimal]]] = {}
    for payment, receipt in session.exec(
            select(FeePayment, FeeReceipt).join(FeeReceipt, col(FeeReceipt.payment_id) == FeePayment.id, isouter=True)
            .where(col(FeePayment.bill_id).in_([b.id for b in bills]))
            .order_by(col(FeePayment.received_at), col(FeePayment.id))):
        void = payment.voided_at is not None
        lines.setdefault(payment.bill_id, []).append(PaymentLine(
            payment.id, yuan(payment.amount + payment.late_fee), yuan(payment.late_fee) if payment.late_fee else "",
            payment.method, payment.reference, format_local(payment.received_at, timezone),
            receipt_number(receipt.number) if receipt else "", receipt_link(actor, receipt.id, now) if receipt else "",
            void, payment.void_reason, ["void"] if cashier and not void else []))
        if not void:
            paid_on.setdefault(payment.bill_id, []).append(
                (payment.received_at.astimezone(zone).date(), payment.amount, payment.late_fee))
    rows = []
    for bill in bills:
        status, balance = status_of(bill), bill.amount - bill.paid
        late = late_fee_owed(bill.amount, bill.late_fee_percent, bill.period, paid_on.get(bill.id, []), today)
        days = billed_days(bill.period, bill.billed_from) if bill.billed_from else 0
        rows.append(BillRow(
            bill.id, label(bill.period), labels.get(bill.unit_id, ""), f"{bill.area_m2:.2f}", yuan(bill.rate),
            yuan(bill.amount), yuan(bill.paid), yuan(balance), status, due_on(bill.period).isoformat(),
            f"{days}/{month_days(bill.period)}" if days else "", yuan(late) if late else "", yuan(balance + late),
            lines.get(bill.id, []), ["pay"] if cashier and status != "paid" else []))
    return rows


def my_bills(session: Session, actor: Actor | None, now: datetime | None = None) -> list[BillRow]:
    """A resident's own unit's bills, newest first (only theirs: the unit comes from their account)."""
    actor = require(session, actor, FEES, Role.RESIDENT)
    if actor.unit_id is None:
        return []
    bills = list(session.exec(select(FeeBill).where(FeeBill.estate_id == actor.estate_id,
                                                    FeeBill.unit_id == actor.unit_id, FeeBill.kind == BillKind.FEE)
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
    """A month's management fee bills for the office, unpaid first, optionally only units whose label contains
    `search`."""
    actor = require(session, actor, FEES, *CASHIERS)
    with refusing(session, actor, FEES):
        month = period_of(period)
        wanted = text(search, "error.bad_request", 20, required=False)
    query = (select(FeeBill).join(Unit, col(Unit.id) == FeeBill.unit_id)
             .join(Building, col(Building.id) == Unit.building_id)
             .where(FeeBill.estate_id == actor.estate_id, FeeBill.period == month, FeeBill.kind == BillKind.FEE))
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
        .where(FeeBill.estate_id == actor.estate_id, FeeBill.period == month, FeeBill.kind == BillKind.FEE)).one()
    due, received = Decimal(str(due)).quantize(ZERO), Decimal(str(received)).quantize(ZERO)
    rate = f"{(100 * received / due):.1f}%" if due else ""
    return PeriodSummary(label(month), yuan(due), yuan(received), rate, int(bills), int(settled))


def _settled():
    return case((col(FeeBill.paid) >= col(FeeBill.amount), 1), else_=0)

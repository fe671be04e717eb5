"""Payments against bills, recorded by office staff (no online payment: providers cannot be reached from here),
refunds as voids with who and why, and arrears by age.

A payment locks its bill's row first, so two cashiers recording against one bill take turns and the second sees
the first's payment: its balance check is exact, and the same payment (the same idempotency key: the transfer's
method and reference, or the submitted form's key) is recorded once."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import BillKind, Estate, FeeBill, FeePayment, FeeReceipt, PaymentMethod, Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.fees.common import CASHIERS, FEES, FEN, ZERO, add_months, unit_labels, yuan
from estate_pwa.services.fees.late import late_fee_owed
from estate_pwa.services.fees.receipts import issue
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import choice, money, positive_id, text

REFERENCE_MAX = 64
REASON_MAX = 200
_FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
BUCKETS = ((1, 3), (4, 6), (7, 12), (13, None))
"""Arrears by age in months since the bill's month: 1–3, 4–6, 7–12, more than 12."""


@dataclass
class ArrearsRow:
    """A unit owing money: the total, the amount in each age bucket, and its oldest unpaid month."""

    unit_id: int = 0
    unit: str = ""
    owed: str = ""
    buckets: list[str] = field(default_factory=list)
    months: int = 0
    oldest: str = ""


@dataclass
class Arrears:
    """The estate's arrears: the units owing most first, and the totals per bucket."""

    rows: list[ArrearsRow] = field(default_factory=list)
    totals: list[str] = field(default_factory=list)
    total: str = ""
    units: int = 0



def _locked_bill(session: Session, actor: Actor, bill_id: int) -> FeeBill:
    """The bill, locked for this transaction. The no-op UPDATE first takes the write lock on SQLite too (where
    FOR UPDATE does nothing and a transaction would otherwise read before it may write); on PostgreSQL it locks
    the row like FOR UPDATE."""
    session.exec(update(FeeBill).where(col(FeeBill.id) == bill_id).values(paid=FeeBill.paid))
    bill = session.exec(select(FeeBill).where(FeeBill.id == bill_id).with_for_update()
                        .execution_options(populate_existing=True)).first()
    if bill is None or bill.estate_id != actor.estate_id:
        raise NotFound("error.not_found")
    return bill


def payment_key(method: str, reference: str, form_key: object) -> str:
    """What makes two recordings the same payment: a transfer's method and reference, or (cash without a
    reference) the key of the form it was submitted from."""
    if reference:
        return f"ref:{method}:{reference}"
    if not isinstance(form_key, str) or not _FORM_KEY.fullmatch(form_key):
        raise InvalidInput("error.bad_request")
    return f"form:{form_key}"


def paid_days(session: Session, bill: FeeBill) -> list[tuple[date, Decimal, Decimal]]:
    """The bill's payments that are not void as (local day received, paid on the bill, paid in late fees)."""
    zone = ZoneInfo(session.get(Estate, bill.estate_id).timezone)
    return [(at.astimezone(zone).date(), amount, late) for at, amount, late in session.exec(
        select(FeePayment.received_at, FeePayment.amount, FeePayment.late_fee)
        .where(FeePayment.bill_id == bill.id, col(FeePayment.voided_at).is_(None)))]


def record_payment(session: Session, actor: Actor | None, bill_id: object, amount: object, method: object,
                   reference: object = "", form_key: object = None, now: datetime | None = None) -> FeePayment:
    """A cashier records money received against a bill: at most its balance with the late fee owed today, never
    on a paid bill; non-cash methods need the transfer's reference. The money pays the late fee owed first, then
    the bill. Recording the same payment again returns the first one. Issues the receipt with the estate's next
    number."""
    actor = require(session, actor, FEES, *CASHIERS)
    now = now or utcnow()
    target = bill_id if isinstance(bill_id, int) and not isinstance(bill_id, bool) else None
    with refusing(session, actor, FEES, target):
        bill_id = positive_id(bill_id)
        value = money(amount)
        method = choice(method, PaymentMethod, "error.payment_method")
        reference = text(reference, "error.payment_reference", REFERENCE_MAX,
                         required=method != PaymentMethod.CASH)
        key = payment_key(method, reference, form_key)
        bill = _locked_bill(session, actor, bill_id)
        earlier = session.exec(select(FeePayment).where(FeePayment.estate_id == actor.estate_id,
                                                        FeePayment.key == key)).first()
        if earlier is not None:
            if (earlier.bill_id == bill.id and earlier.amount + earlier.late_fee == value
                    and earlier.voided_at is None):
                return earlier
            raise InvalidInput("error.payment_recorded")
        balance = bill.amount - bill.paid
        if balance <= 0:
            raise InvalidInput("error.bill_paid")
        late = late_fee_owed(bill.amount, bill.late_fee_percent, bill.period, paid_days(session, bill),
                             local_today(session, actor.estate_id, now))
        if value > balance + late:
            raise InvalidInput("error.payment_over_balance", balance=yuan(balance + late))
    late_part = min(value, late)
    payment = FeePayment(estate_id=actor.estate_id, bill_id=bill.id, amount=value - late_part, late_fee=late_part,
                         method=method, reference=reference, key=key, received_at=now, recorded_by_id=actor.id)
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:  # the same transfer recorded against another bill at this very moment
        refuse(session, actor, FEES, InvalidInput("error.payment_recorded"), bill.id)
    bill.paid = bill.paid + payment.amount
    receipt = issue(session, payment, now)
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_payment_recorded", "feebill", bill.id, payment=payment.id, amount=str(value),
                 late_fee=str(late_part), method=method, receipt=receipt.number)
    return payment


def void_payment(session: Session, actor: Actor | None, payment_id: object, reason: object,
                 now: datetime | None = None) -> FeePayment:
    """A manager voids a payment (a refund or a mistake) with the reason: the bill owes it again, the receipt
    stays, marked void. Nothing is deleted."""
    actor = require(session, actor, FEES, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, FEES):
        payment = session.get(FeePayment, positive_id(payment_id))
        if payment is None or payment.estate_id != actor.estate_id:
            raise NotFound("error.not_found")
        why = text(reason, "error.void_reason_required", REASON_MAX)
        bill = _locked_bill(session, actor, payment.bill_id)
        session.refresh(payment)
        if payment.voided_at is not None:
            raise InvalidInput("error.payment_void")
    payment.voided_at, payment.voided_by_id, payment.void_reason = now, actor.id, why
    bill.paid = bill.paid - payment.amount  # the late fee paid with it is owed again too (it is no longer paid)
    receipt = session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == payment.id)).first()
    if receipt is not None:
        receipt.voided_at = now
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_payment_voided", "feebill", bill.id, payment=payment.id,
                 amount=str(payment.amount + payment.late_fee),
                 reason=why)
    return payment


def bucket_of(age_months: int) -> int | None:
    """The index of the ageing bucket for a bill `age_months` old (None: not in arrears yet)."""
    for index, (low, high) in enumerate(BUCKETS):
        if age_months >= low and (high is None or age_months <= high):
            return index
    return None


def owed_by_unit(session: Session, estate_id: int, this_month: date) -> dict[int, tuple[list[Decimal], int, date]]:
    """Per unit owing on management fee bills of months before `this_month`: the amount in each age bucket, how
    many months are unpaid and the oldest of them (summed by the database, over the unpaid bills' index)."""
    owed_amount = col(FeeBill.amount) - col(FeeBill.paid)
    columns = []
    for low, high in BUCKETS:  # months old: [low, high] is periods from this_month − high to this_month − low
        newest = add_months(this_month, -low)
        in_bucket = col(FeeBill.period) <= newest if high is None else \
            and_(col(FeeBill.period) <= newest, col(FeeBill.period) >= add_months(this_month, -high))
        columns.append(func.coalesce(func.sum(case((in_bucket, owed_amount), else_=0)), 0))
    owed: dict[int, tuple[list[Decimal], int, date]] = {}
    for unit_id, months, oldest, *buckets in session.exec(
            select(FeeBill.unit_id, func.count(), func.min(FeeBill.period), *columns)
            .where(FeeBill.estate_id == estate_id, FeeBill.kind == BillKind.FEE, FeeBill.period < this_month,
                   col(FeeBill.paid) < col(FeeBill.amount))
            .group_by(col(FeeBill.unit_id))):
        owed[unit_id] = ([Decimal(str(b)).quantize(FEN) for b in buckets], int(months),
                         oldest if isinstance(oldest, date) else date.fromisoformat(oldest))
    return owed


def arrears(session: Session, actor: Actor | None, now: datetime | None = None, limit: int = 100) -> Arrears:
    """Units with unpaid balances on management fee bills of earlier months, by age (this month's bill is not in
    arrears; late fees are shown on the bills, not here)."""
    actor = require(session, actor, FEES, *CASHIERS)
    this_month = local_today(session, actor.estate_id, now or utcnow()).replace(day=1)
    owed = owed_by_unit(session, actor.estate_id, this_month)
    totals = [sum((b[i] for b, _, _ in owed.values()), ZERO) for i in range(len(BUCKETS))]
    ranked = sorted(owed, key=lambda u: (-sum(owed[u][0]), u))[:limit]
    labels = unit_labels(session, set(ranked))
    rows = [ArrearsRow(u, labels.get(u, ""), yuan(sum(owed[u][0])), [yuan(b) for b in owed[u][0]], owed[u][1],
                       f"{owed[u][2]:%Y-%m}") for u in ranked]
    return Arrears(rows, [yuan(t) for t in totals], yuan(sum(totals, ZERO)), len(owed))

"""Payments against bills, recorded by office staff (no online payment: providers cannot be reached from here),
refunds as voids with who and why, and arrears by age.

A payment locks its bill's row first, so two cashiers recording against one bill take turns and the second sees
the first's payment: its balance check is exact, and the same payment (the same idempotency key: the transfer's
method and reference, or the submitted form's key) is recorded once."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import FeeBill, FeePayment, FeeReceipt, PaymentMethod, Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.fees.common import CASHIERS, FEES, ZERO, months_between, unit_labels, yuan
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


def record_payment(session: Session, actor: Actor | None, bill_id: object, amount: object, method: object,
                   reference: object = "", form_key: object = None, now: datetime | None = None) -> FeePayment:
    """A cashier records money received against a bill: at most its balance, never on a paid bill; non-cash
    methods need the transfer's reference. Recording the same payment again returns the first one. Issues the
    receipt with the estate's next number."""
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
            if earlier.bill_id == bill.id and earlier.amount == value and earlier.voided_at is None:
                return earlier
            raise InvalidInput("error.payment_recorded")
        balance = bill.amount - bill.paid
        if balance <= 0:
            raise InvalidInput("error.bill_paid")
        if value > balance:
            raise InvalidInput("error.payment_over_balance", balance=yuan(balance))
    payment = FeePayment(estate_id=actor.estate_id, bill_id=bill.id, amount=value, method=method,
                         reference=reference, key=key, received_at=now, recorded_by_id=actor.id)
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:  # the same transfer recorded against another bill at this very moment
        refuse(session, actor, FEES, InvalidInput("error.payment_recorded"), bill.id)
    bill.paid = bill.paid + value
    receipt = issue(session, payment, now)
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_payment_recorded", "feebill", bill.id, payment=payment.id, amount=str(value),
                 method=method, receipt=receipt.number)
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
    bill.paid = bill.paid - payment.amount
    receipt = session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == payment.id)).first()
    if receipt is not None:
        receipt.voided_at = now
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "fee_payment_voided", "feebill", bill.id, payment=payment.id, amount=str(payment.amount),
                 reason=why)
    return payment


def bucket_of(age_months: int) -> int | None:
    """The index of the ageing bucket for a bill `age_months` old (None: not in arrears yet)."""
    for index, (low, high) in enumerate(BUCKETS):
        if age_months >= low and (high is None or age_months <= high):
            return index
    return None


def arrears(session: Session, actor: Actor | None, now: datetime | None = None, limit: int = 100) -> Arrears:
    """Units with unpaid balances on bills of earlier months, by age (this month's bill is not in arrears)."""
    actor = require(session, actor, FEES, *CASHIERS)
    this_month = local_today(session, actor.estate_id, now or utcnow()).replace(day=1)
    owed: dict[int, list[Decimal]] = {}
    oldest: dict[int, object] = {}
    months: dict[int, int] = {}
    for unit_id, period, amount, paid in session.exec(
            select(FeeBill.unit_id, FeeBill.period, FeeBill.amount, FeeBill.paid)
            .where(FeeBill.estate_id == actor.estate_id, FeeBill.period < this_month,
                   col(FeeBill.paid) < col(FeeBill.amount))):
        index = bucket_of(months_between(period, this_month))
        if index is None:
            continue
        buckets = owed.setdefault(unit_id, [ZERO] * len(BUCKETS))
        buckets[index] += amount - paid
        months[unit_id] = months.get(unit_id, 0) + 1
        oldest[unit_id] = min(oldest.get(unit_id, period), period)
    totals = [sum((b[i] for b in owed.values()), ZERO) for i in range(len(BUCKETS))]
    ranked = sorted(owed, key=lambda u: (-sum(owed[u]), u))[:limit]
    labels = unit_labels(session, set(ranked))
    rows = [ArrearsRow(u, labels.get(u, ""), yuan(sum(owed[u])), [yuan(b) for b in owed[u]], months[u],
                       f"{oldest[u]:%Y-%m}") for u in ranked]
    return Arrears(rows, [yuan(t) for t in totals], yuan(sum(totals, ZERO)), len(owed))

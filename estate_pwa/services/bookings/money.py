"""A booking's money, through the fee machinery (one bill, payments and numbered receipts for everything paid at
the office): the service charge is a bill of kind "service" made when the booking is confirmed (at booking); a
cancellation turns it into the cancellation fee (0 when free) and refunds what was paid beyond that. A refund
voids the payment (its receipt stays, marked void), records what is handed back, with who and why, and records
what the fee keeps as a new payment with its own receipt. Nothing is deleted."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local
from estate_pwa.core.pdf import Table, TextDocument
from estate_pwa.i18n import tr
from estate_pwa.models import (
    BillKind, Booking, BookingRefund, Estate, FeeBill, FeePayment, FeeReceipt, ServiceItem, User,
)
from estate_pwa.services import audit
from estate_pwa.services.bookings.common import ZERO, yuan
from estate_pwa.services.errors import NotFound
from estate_pwa.services.fees.common import CASHIERS
from estate_pwa.services.fees.receipts import issue, receipt_number
from estate_pwa.services.files import Download, download_url, downloadable
from estate_pwa.services.permissions import Actor
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import positive_id

RECEIPT_KIND = "booking_receipt"


@dataclass
class MoneyLine:
    """A payment or refund on a booking's bill as shown: receipt number and link, void or not, why."""

    id: int = 0
    amount: str = ""
    method: str = ""
    when: str = ""
    receipt: str = ""
    receipt_url: str = ""
    void: bool = False
    note: str = ""


@dataclass
class BillView:
    """A booking's bill: charged, paid, balance, and its payments and refunds."""

    id: int = 0
    amount: str = ""
    paid: str = ""
    balance: str = ""
    status: str = ""
    payments: list[MoneyLine] = field(default_factory=list)
    refunds: list[MoneyLine] = field(default_factory=list)


def open_bill(session: Session, booking: Booking, actor: Actor, now: datetime) -> FeeBill:
    """The booking's charge as a service bill of the resident's unit, in the month of the slot."""
    month = local_today(session, booking.estate_id, booking.starts_at).replace(day=1)
    bill = FeeBill(estate_id=booking.estate_id, unit_id=booking.unit_id, period=month, area_m2=ZERO,
                   rate=booking.price, amount=booking.amount, paid=ZERO, generated_by_id=actor.id,
                   kind=BillKind.SERVICE, booking_id=booking.id, created_at=now)
    session.add(bill)
    session.flush()
    return bill


def bill_of(session: Session, booking_id: int, lock: bool = False) -> FeeBill | None:
    """The booking's bill (locked for this transaction with `lock`, as payments lock it)."""
    if lock:
        session.exec(update(FeeBill).where(col(FeeBill.booking_id) == booking_id).values(paid=FeeBill.paid))
    query = select(FeeBill).where(FeeBill.booking_id == booking_id, FeeBill.kind == BillKind.SERVICE)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).first()


def settle_cancellation(session: Session, booking: Booking, actor: Actor, fee: Decimal, reason: str,
                        now: datetime) -> list[BookingRefund]:
    """The bill becomes the fee; payments beyond it are refunded (voided, what the fee keeps re-recorded)."""
    bill = bill_of(session, booking.id, lock=True)
    if bill is None:
        return []
    bill.amount = fee
    payments = list(session.exec(select(FeePayment).where(
        FeePayment.bill_id == bill.id, col(FeePayment.voided_at).is_(None)).order_by(col(FeePayment.id))))
    paid = sum((p.amount for p in payments), ZERO)
    if paid <= fee:
        return []
    keep, refunds = fee, []
    for payment in payments:
        kept = min(keep, payment.amount)
        keep -= kept
        payment.voided_at, payment.voided_by_id, payment.void_reason = now, actor.id, reason
        receipt = session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == payment.id)).first()
        if receipt is not None:
            receipt.voided_at = now
        bill.paid -= payment.amount
        refund = BookingRefund(estate_id=booking.estate_id, booking_id=booking.id, payment_id=payment.id,
                               amount=payment.amount - kept, kept=kept, reason=reason, refunded_by_id=actor.id,
                               refunded_at=now)
        session.add(refund)
        refunds.append(refund)
        if kept > 0:
            again = FeePayment(estate_id=booking.estate_id, bill_id=bill.id, amount=kept, method=payment.method,
                               reference=payment.reference, key=f"kept:{payment.id}", received_at=now,
                               recorded_by_id=actor.id)
            session.add(again)
            session.flush()
            bill.paid += kept
            issue(session, again, now)
        audit.record(session, booking.estate_id, session.get(User, actor.id), "booking_refunded", "booking",
                     booking.id, payment=payment.id, refunded=str(payment.amount - kept), kept=str(kept),
                     reason=reason)
    session.flush()
    return refunds


def bill_view(session: Session, actor: Actor, bill: FeeBill | None, timezone: str,
              now: datetime | None = None) -> BillView:
    """The bill with its payments (receipt links for the viewer) and refunds."""
    if bill is None:
        return BillView()
    lines = []
    for payment, receipt in session.exec(
            select(FeePayment, FeeReceipt).join(FeeReceipt, col(FeeReceipt.payment_id) == FeePayment.id, isouter=True)
            .where(FeePayment.bill_id == bill.id).order_by(col(FeePayment.id))):
        lines.append(MoneyLine(payment.id, yuan(payment.amount), payment.method,
                               format_local(payment.received_at, timezone),
                               receipt_number(receipt.number) if receipt else "",
                               download_url(actor, RECEIPT_KIND, now, receipt=receipt.id) if receipt else "",
                               payment.voided_at is not None, payment.void_reason))
    refunds = [MoneyLine(r.id, yuan(r.amount), "", format_local(r.refunded_at, timezone), note=r.reason)
               for r in session.exec(select(BookingRefund).where(BookingRefund.booking_id == bill.booking_id)
                                     .order_by(col(BookingRefund.id)))]
    status = "paid" if bill.paid >= bill.amount else ("partial" if bill.paid > 0 else "unpaid")
    return BillView(bill.id, yuan(bill.amount), yuan(bill.paid), yuan(bill.amount - bill.paid), status, lines,
                    refunds)


@downloadable(RECEIPT_KIND)
def receipt_pdf(session: Session, actor: Actor, receipt: int, lang: str = "zh") -> Download:
    """A service receipt (收据) as A4 PDF, for a cashier of the estate or the resident who booked (VOID when
    voided); numbered in the estate's one receipt sequence."""
    found = session.get(FeeReceipt, positive_id(receipt))
    if found is None or found.estate_id != actor.estate_id:
        raise NotFound("error.not_found")
    payment = session.get(FeePayment, found.payment_id)
    bill = session.get(FeeBill, payment.bill_id)
    booking = session.get(Booking, bill.booking_id) if bill.booking_id else None
    if booking is None or (not actor.has(*CASHIERS) and booking.resident_id != actor.id):
        raise NotFound("error.not_found")
    estate = session.get(Estate, actor.estate_id)
    item = session.get(ServiceItem, booking.service_id)
    cashier = session.get(User, payment.recorded_by_id)
    number = receipt_number(found.number)
    document = TextDocument(f"{tr('fees.receipt', lang)} {number}")
    document.heading(f"{estate.name} · {tr('fees.receipt', lang)}")
    document.line(f"{tr('fees.receipt_no', lang)} {number}")
    if found.voided_at is not None:
        document.heading(f"{tr('fees.void', lang)}: {payment.void_reason}", size=30)
    name = item.name_en if lang == "en" else item.name_zh
    document.table(Table(
        (tr('fees.item', lang), tr('bookings.when', lang), tr('bookings.quantity', lang), tr('fees.amount', lang)),
        [(name, format_local(booking.starts_at, estate.timezone), f"{booking.quantity.normalize():f}",
          yuan(payment.amount))],
        (0.35, 0.3, 0.1, 0.25)))
    document.line(f"{tr('fees.method', lang)}: {tr(f'fees.method.{payment.method}', lang)} {payment.reference}")
    document.line(f"{tr('fees.received', lang)}: {format_local(payment.received_at, estate.timezone)}")
    document.line(f"{tr('fees.cashier', lang)}: {cashier.name if cashier else ''}")
    return Download(f"receipt-{number}.pdf", "application/pdf", document.pdf())

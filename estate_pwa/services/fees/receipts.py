"""Receipts (收据): numbered per estate from a counter row locked FOR UPDATE inside the payment's own transaction,
so numbers never skip or repeat (a payment rolled back gives its number back with it; a voided receipt keeps its
number and stays visible as void), and printed as an A4 PDF."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from estate_pwa.core.clock import format_local
from estate_pwa.core.pdf import Table, TextDocument
from estate_pwa.i18n import tr
from estate_pwa.models import Estate, FeeBill, FeePayment, FeeReceipt, ReceiptCounter, User
from estate_pwa.services.errors import NotFound
from estate_pwa.services.fees.common import CASHIERS, label, unit_labels, yuan
from estate_pwa.services.files import Download, download_url, downloadable
from estate_pwa.services.permissions import Actor
from estate_pwa.services.validation import positive_id

RECEIPT_KIND = "fee_receipt"


def receipt_number(number: int) -> str:
    """A receipt number as printed: eight digits."""
    return f"{number:08d}"


def next_number(session: Session, estate_id: int) -> int:
    """The estate's next receipt number, taken under the counter row's lock (held until the caller commits)."""
    locked = (select(ReceiptCounter).where(ReceiptCounter.estate_id == estate_id).with_for_update()
              .execution_options(populate_existing=True))
    counter = session.exec(locked).first()
    if counter is None:
        try:
            with session.begin_nested():
                session.add(ReceiptCounter(estate_id=estate_id, last_number=0))
        except IntegrityError:
            pass  # another payment made it first; its row is locked below
        counter = session.exec(locked).one()
    counter.last_number += 1
    session.flush()
    return counter.last_number


def issue(session: Session, payment: FeePayment, now: datetime) -> FeeReceipt:
    """The receipt of a payment just recorded, with the estate's next number."""
    receipt = FeeReceipt(estate_id=payment.estate_id, number=next_number(session, payment.estate_id),
                         payment_id=payment.id, issued_at=now)
    session.add(receipt)
    session.flush()
    return receipt


def receipt_link(actor: Actor, receipt_id: int, now: datetime | None = None) -> str:
    """A signed link to a receipt's PDF for `actor`."""
    return download_url(actor, RECEIPT_KIND, now, receipt=receipt_id)


@downloadable(RECEIPT_KIND)
def receipt_pdf(session: Session, actor: Actor, receipt: int, lang: str = "zh") -> Download:
    """A receipt as A4 PDF, for a cashier of the estate or a resident of the bill's unit (marked VOID when
    voided)."""
    found = session.get(FeeReceipt, positive_id(receipt))
    if found is None or found.estate_id != actor.estate_id:
        raise NotFound("error.not_found")
    payment = session.get(FeePayment, found.payment_id)
    bill = session.get(FeeBill, payment.bill_id)
    if not actor.has(*CASHIERS) and bill.unit_id != actor.unit_id:
        raise NotFound("error.not_found")
    estate = session.get(Estate, actor.estate_id)
    cashier = session.get(User, payment.recorded_by_id)
    document = TextDocument(f"{tr('fees.receipt', lang)} {receipt_number(found.number)}")
    document.heading(f"{estate.name} · {tr('fees.receipt', lang)}")
    document.line(f"{tr('fees.receipt_no', lang)} {receipt_number(found.number)}")
    if found.voided_at is not None:
        document.heading(f"{tr('fees.void', lang)}: {payment.void_reason}", size=30)
    unit = unit_labels(session, {bill.unit_id}).get(bill.unit_id, "")
    lines = [(tr('fees.management_fee', lang), unit, label(bill.period), yuan(payment.amount))]
    if payment.late_fee:
        lines.append((tr('fees.late_fee', lang), unit, label(bill.period), yuan(payment.late_fee)))
        lines.append((tr('fees.total', lang), "", "", yuan(payment.amount + payment.late_fee)))
    document.table(Table(
        (tr('fees.item', lang), tr('fees.unit', lang), tr('fees.period', lang), tr('fees.amount', lang)),
        lines, (0.3, 0.25, 0.2, 0.25)))
    document.line(f"{tr('fees.method', lang)}: {tr(f'fees.method.{payment.method}', lang)} {payment.reference}")
    document.line(f"{tr('fees.received', lang)}: {format_local(payment.received_at, estate.timezone)}")
    document.line(f"{tr('fees.cashier', lang)}: {cashier.name if cashier else ''}")
    return Download(f"receipt-{receipt_number(found.number)}.pdf", "application/pdf", document.pdf())

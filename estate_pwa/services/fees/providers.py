"""How money reaches a bill: a payment provider records it. Online providers (WeChat Pay, Alipay, a bank) cannot be
reached from here, so the one provider is "record a payment received": money the office took in cash, by WeChat
Pay, Alipay or bank transfer, or a resident's own transfer that staff confirmed against the account's statement
(its method and the transfer's reference). No online payment is pretended.

A provider that could be reached would be another class with the same `record`, called when the provider
confirms the money, going through the same `record_payment` (the same balance check, idempotency and receipt)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from estate_pwa.models import FeePayment, PaymentMethod
from estate_pwa.services.fees.payments import record_payment
from estate_pwa.services.permissions import Actor


@dataclass(frozen=True)
class Received:
    """Money received for a bill as the cashier gives it (unchecked: the provider validates every field): the
    amount in yuan, how it was paid, the transfer's reference (required unless cash), and the key of the form it
    was submitted from (a cash payment without a reference is recorded once per form)."""

    bill_id: object
    amount: object
    method: object
    reference: object = ""
    form_key: object = None


class PaymentProvider(Protocol):
    """Records money for a bill once, with its receipt; refuses what the bill cannot take."""

    name: str
    methods: tuple[PaymentMethod, ...]

    def record(self, session: Session, actor: Actor | None, received: Received,
               now: datetime | None = None) -> FeePayment:
        """Record `received` as a payment of `actor`'s estate; the same payment given twice is recorded once."""
        ...


class RecordReceived:
    """Money already received, recorded by office staff: at the counter, or a resident's transfer confirmed."""

    name = "received"
    methods = tuple(PaymentMethod)

    def record(self, session: Session, actor: Actor | None, received: Received,
               now: datetime | None = None) -> FeePayment:
        """Record the money received (cashiers only; every check is record_payment's)."""
        return record_payment(session, actor, received.bill_id, received.amount, received.method, received.reference,
                              received.form_key, now=now)


RECEIVED = RecordReceived()
PROVIDERS: dict[str, PaymentProvider] = {RECEIVED.name: RECEIVED}
"""Every provider by name: only the one that records money received."""

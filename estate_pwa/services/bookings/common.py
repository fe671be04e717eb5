"""What the booking services share: their refusals, statuses, money as text."""

from decimal import ROUND_HALF_UP, Decimal

from estate_pwa.services.refusals import Refusal

MENU = Refusal("service_refused", "serviceitem")
BOOKING = Refusal("booking_refused", "booking")
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
STATUSES = ("booked", "in_progress", "completed", "closed", "cancelled")
"""A booking's status as shown (its job's, or cancelled)."""
REFUND_REASON_MAX = 200


def yuan(amount: Decimal | None) -> str:
    """An amount as shown: '1,280.00'."""
    return f"{(amount or ZERO).quantize(FEN, ROUND_HALF_UP):,.2f}"


def charge(price: Decimal, quantity: Decimal) -> Decimal:
    """Price × quantity, rounded half up to the fen."""
    return (price * quantity).quantize(FEN, ROUND_HALF_UP)

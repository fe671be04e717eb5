"""The late fee (违约金) of a bill, when its contract has one (off by default): each day after the due date, the
bill's percentage per day of the balance still owed that day.

The rule, in one place: a bill is due on the last day of its month. An amount paid on day P was overdue for
max(0, P − due) days; an amount still owed on day D has been overdue for max(0, D − due) days. The late fee
accrued by day D is percent ÷ 100 × (Σ principal paid × its days overdue + balance × its days overdue), rounded
half up to the fen; what is owed of it is that less the late fees already paid. A payment pays the late fee owed
first, then the bill (费用、利息、主债务 in that order, as 民法典 art. 561)."""

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from estate_pwa.services.fees.common import FEN, ZERO


def due_on(period: date) -> date:
    """The day a month's bill is due: the month's last day."""
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def late_fee_owed(amount: Decimal, percent: Decimal, period: date, payments: Iterable[tuple[date, Decimal, Decimal]],
                  day: date) -> Decimal:
    """What is owed in late fees on `day` for a bill of `amount` at `percent` per day, given its payments that are
    not void as (local day received, amount paid on the bill, late fee paid)."""
    if percent <= 0:
        return ZERO
    due = due_on(period)
    weighted, balance, paid_late = Decimal(0), amount, ZERO
    for received, principal, late in payments:
        weighted += principal * max(0, (received - due).days)
        balance -= principal
        paid_late += late
    weighted += max(balance, ZERO) * max(0, (day - due).days)
    accrued = (weighted * percent / 100).quantize(FEN, ROUND_HALF_UP)
    return max(accrued - paid_late, ZERO)

"""What the fee services share: who may do what, the refusal they are audited as, months, money as text, and
unit labels."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from estate_pwa.models import Building, Role, Unit
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.refusals import Refusal

FEES = Refusal("fee_refused", "feebill")
MENU = Refusal("service_refused", "serviceitem")
CASHIERS = (Role.MANAGER,)
"""Who records payments at the office (the manager role holds the office's work in this app)."""
FEN = Decimal("0.01")
ZERO = Decimal("0.00")
_PERIOD = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")


def period_of(raw: object) -> date:
    """A month given as 'YYYY-MM' (or a date), as its first day."""
    if isinstance(raw, date):
        return raw.replace(day=1)
    if not isinstance(raw, str) or not _PERIOD.fullmatch(raw.strip()):
        raise InvalidInput("error.period_invalid")
    year, month = raw.strip().split("-")
    return date(int(year), int(month), 1)


def label(period: date) -> str:
    """'2026-03'."""
    return f"{period:%Y-%m}"


def add_months(period: date, months: int) -> date:
    """The first day of the month `months` after `period`'s."""
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def yuan(amount: Decimal | None) -> str:
    """An amount as shown: '1,280.00'."""
    return f"{(amount or ZERO).quantize(FEN, ROUND_HALF_UP):,.2f}"


def fee_for(area_m2: Decimal, rate: Decimal) -> Decimal:
    """Area × rate, rounded half up to the fen."""
    return (area_m2 * rate).quantize(FEN, ROUND_HALF_UP)


def area_of(unit_area: float) -> Decimal:
    """A unit's floor area (stored as a float) as an exact number of m² with two places."""
    return Decimal(str(round(unit_area, 2))).quantize(FEN)


def unit_labels(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """'1栋 101' per unit id."""
    if not unit_ids:
        return {}
    return {u: f"{b} {n}" for u, b, n in session.exec(
        select(Unit.id, Building.name, Unit.number).join(Building, col(Building.id) == Unit.building_id)
        .where(col(Unit.id).in_(unit_ids)))}

BUCKET_LABELS = ("1_3", "4_6", "7_12", "over_12")
"""The arrears age buckets' keys (fees.age.<key>), in the order of payments.BUCKETS."""


def status_of_amounts(amount: Decimal, paid: Decimal) -> str:
    """paid, partial or unpaid."""
    if paid >= amount:
        return "paid"
    return "partial" if paid > 0 else "unpaid"

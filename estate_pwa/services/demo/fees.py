"""Demo fees, made through the services: the estate's rate (one building at its own, and shops at theirs), a
household that moved in mid-month last month (its bill prorated), no late fee (the default), and the
last three months' bills with their payments, recorded in the order they came in (so receipts are numbered in
time order): older months almost all paid, a few units in arrears, this month about half paid so far."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.models import Building, Estate, FeeBill, UnitType, User
from estate_pwa.services import fees
from estate_pwa.services.demo.estate import DEMO_RESIDENT
from estate_pwa.services.fees.common import add_months, label
from estate_pwa.services.permissions import Actor

SEED = 13
MONTHS = 3
RATE = "2.20"
HIGH_RISE_RATE = "2.60"
"""The last building's own rate (a building override)."""
SHOP_BUILDING, SHOPS, SHOP_RATE = "2栋", ("101", "102", "103", "104"), "3.80"
"""The ground floor of building 2 is shops (底商), at the shops' own rate (a unit type override)."""
MOVED_IN, MOVED_IN_DAY = ("3栋", "204"), 12
"""A household that moved in on the 12th of last month: last month's bill is prorated, earlier months have none."""
METHODS = {"wechat": 0.45, "alipay": 0.25, "cash": 0.2, "bank_transfer": 0.1}


def has_fees(session: Session, estate: Estate) -> bool:
    """Whether the demo fees are there already."""
    return session.exec(select(FeeBill.id).where(FeeBill.estate_id == estate.id)).first() is not None


def generate(session: Session, estate: Estate, manager: Actor, now: datetime) -> int:
    """The rate, the menu and three months of bills with payments (once). Returns the payments made."""
    if has_fees(session, estate):
        return 0
    rng = random.Random(SEED)
    zone = ZoneInfo(estate.timezone)
    this_month = now.astimezone(zone).date().replace(day=1)
    first = add_months(this_month, -(MONTHS - 1))
    since = label(first)
    fees.set_rate(session, manager, RATE, effective_from=since, now=now)
    buildings = {b.name: b.id for b in session.exec(select(Building).where(Building.estate_id == estate.id)
                                                      .order_by(col(Building.id)))}
    if buildings:
        fees.set_rate(session, manager, HIGH_RISE_RATE, list(buildings.values())[-1], effective_from=since, now=now)
    if SHOP_BUILDING in buildings:
        for number in SHOPS:
            fees.set_unit_terms(session, manager, buildings[SHOP_BUILDING], number, UnitType.SHOP)
        fees.set_rate(session, manager, SHOP_RATE, unit_type=UnitType.SHOP, effective_from=since, now=now)
    if MOVED_IN[0] in buildings:
        moved_in = add_months(this_month, -1).replace(day=MOVED_IN_DAY)
        fees.set_unit_terms(session, manager, buildings[MOVED_IN[0]], MOVED_IN[1], UnitType.RESIDENTIAL,
                            moved_in.isoformat())
    for back in range(MONTHS):
        month = add_months(first, back)
        fees.generate_month(session, manager, label(month), now=_local(month, 1, zone))
    return _payments(session, estate, manager, first, this_month, now, zone, rng)


def _local(month, day: int, zone: ZoneInfo, hour: int = 9) -> datetime:
    return datetime.combine(month.replace(day=day), time(hour), tzinfo=zone).astimezone(UTC)


def _payments(session, estate, manager, first, this_month, now, zone, rng) -> int:
    resident_unit = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).first()
    late_payers = set(rng.sample(sorted(session.exec(select(FeeBill.unit_id).where(
        FeeBill.estate_id == estate.id, FeeBill.period == first)).all()), 6))
    planned = []
    for bill in session.exec(select(FeeBill).where(FeeBill.estate_id == estate.id, FeeBill.period >= first)):
        current = bill.period == this_month
        if bill.unit_id in late_payers or (bill.unit_id == resident_unit and current):
            continue
        chance = 0.5 if current else 0.97
        if rng.random() > chance:
            continue
        days = max(1, (now.astimezone(zone).date() - bill.period).days) if current else 27
        moment = _local(bill.period, 1, zone, 9) + timedelta(days=rng.randrange(days), minutes=rng.randrange(600))
        if moment >= now:
            continue
        amount = bill.amount
        if rng.random() < 0.05:
            amount = (bill.amount / 2).quantize(bill.amount)
        planned.append((moment, bill.id, amount))
    planned.sort()
    for number, (moment, bill_id, amount) in enumerate(planned):
        method = rng.choices(list(METHODS), weights=list(METHODS.values()))[0]
        reference = "" if method == "cash" else f"{method[:2].upper()}{moment:%Y%m%d}{number:05d}"
        fees.record_payment(session, manager, bill_id, amount, method, reference, f"demo-payment-{number:08d}",
                            now=moment)
    return len(planned)

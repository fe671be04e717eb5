"""What a unit's management fee is made of: the rate per m² per month in force for its building and type, the day
its billing starts (a handover or move-in), and the estate's late fee terms.

Rates are history: setting one adds a row in force from a month on, and the rate of a month is, per scope, the
latest row in force by then. The most specific scope wins, in this order:

1. the unit's type in the unit's building (e.g. shops of building 3),
2. the unit's type anywhere (e.g. every shop),
3. the unit's building (e.g. the high-rise),
4. the estate.

Bills keep the rate they were issued with, so a rate changed later never rewrites them."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import Building, Estate, FeeRate, FeeSettings, Role, Unit, UnitType, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.fees.common import FEES, add_months, label, period_of, yuan
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today
from estate_pwa.services.validation import choice, money, positive_id, text

Scope = tuple[int | None, str]
"""(building id or None for every building, unit type or '' for every type)."""
RATES_AHEAD = 12
"""A rate may be set up to a year ahead."""
HISTORY_SHOWN = 30
UNIT_NUMBER_MAX = 20
LATE_FEE_MAX = Decimal(1)
"""At most 1% of the overdue balance a day (contracts say 万分之三 to 千分之三: 0.03 to 0.3)."""
_PERCENT = re.compile(r"[0-9]{1,2}(\.[0-9]{1,4})?")
_DAY = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


@dataclass
class RateRow:
    """A rate as the office shows it: its scope (a building's name and a unit type's key, '' for every), the rate,
    the month it applies from, when and by whom it was set, and whether it is the one in force now for its scope."""

    id: int = 0
    building: str = ""
    unit_type: str = ""
    rate: str = ""
    effective_from: str = ""
    set_at: str = ""
    set_by: str = ""
    current: bool = False


@dataclass
class Choice:
    """An option of a picker: its value and what it shows."""

    value: str = ""
    name: str = ""


@dataclass
class FeeTerms:
    """The estate's late fee (违约金): the percentage of the overdue balance per day ('' when off)."""

    late_fee_percent: str = ""


def _month_ahead_ok(session: Session, estate_id: int, month: date, now: datetime) -> None:
    this_month = local_today(session, estate_id, now).replace(day=1)
    if month > add_months(this_month, RATES_AHEAD):
        raise InvalidInput("error.rate_too_far")


def set_rate(session: Session, actor: Actor | None, rate: object, building_id: object = None,
             unit_type: object = "", effective_from: object = None, now: datetime | None = None) -> FeeRate:
    """A manager sets the rate per m² per month from a month on (this month unless `effective_from` names one) for
    the estate, one building, one unit type, or one unit type in one building. The rate before stays in history."""
    actor = require(session, actor, FEES, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, FEES):
        value = money(rate)
        building = in_estate(session, actor, Building, positive_id(building_id)).id if building_id else None
        kind = choice(unit_type, UnitType, "error.unit_type") if unit_type else ""
        month = (period_of(effective_from) if effective_from else
                 local_today(session, actor.estate_id, now).replace(day=1))
        _month_ahead_ok(session, actor.estate_id, month, now)
    row = FeeRate(estate_id=actor.estate_id, building_id=building, unit_type=kind, rate=value, effective_from=month,
                  changed_by_id=actor.id, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "fee_rate_set",
                 "building" if building else "estate", building or actor.estate_id, rate=str(value),
                 unit_type=kind, effective_from=label(month))
    return row


def rates_in_force(session: Session, estate_id: int, month: date) -> dict[Scope, Decimal]:
    """Per scope, the rate in force in `month`: the latest set from that month or earlier."""
    rates: dict[Scope, Decimal] = {}
    for building_id, unit_type, rate in session.exec(
            select(FeeRate.building_id, FeeRate.unit_type, FeeRate.rate)
            .where(FeeRate.estate_id == estate_id, col(FeeRate.effective_from) <= month)
            .order_by(col(FeeRate.effective_from), col(FeeRate.id))):
        rates[building_id, unit_type] = rate
    return rates


def rate_for(rates: dict[Scope, Decimal], building_id: int, unit_type: str) -> Decimal | None:
    """The most specific rate for a unit: its type in its building, its type, its building, the estate."""
    for scope in ((building_id, unit_type), (None, unit_type), (building_id, ""), (None, "")):
        if scope in rates:
            return rates[scope]
    return None


def rate_rows(session: Session, actor: Actor | None, now: datetime | None = None) -> list[RateRow]:
    """The estate's rates, newest first, those in force this month marked `current`."""
    actor = require(session, actor, FEES, Role.MANAGER)
    now = now or utcnow()
    estate = session.get(Estate, actor.estate_id)
    this_month = local_today(session, actor.estate_id, now).replace(day=1)
    in_force: dict[Scope, int] = {}
    for row_id, building_id, unit_type in session.exec(
            select(FeeRate.id, FeeRate.building_id, FeeRate.unit_type)
            .where(FeeRate.estate_id == actor.estate_id, col(FeeRate.effective_from) <= this_month)
            .order_by(col(FeeRate.effective_from), col(FeeRate.id))):
        in_force[building_id, unit_type] = row_id
    current = set(in_force.values())
    rows = session.exec(
        select(FeeRate, Building.name, User.name)
        .join(Building, col(Building.id) == FeeRate.building_id, isouter=True)
        .join(User, col(User.id) == FeeRate.changed_by_id, isouter=True)
        .where(FeeRate.estate_id == actor.estate_id)
        .order_by(col(FeeRate.effective_from).desc(), col(FeeRate.id).desc()).limit(HISTORY_SHOWN))
    return [RateRow(rate.id, building or "", rate.unit_type, yuan(rate.rate), label(rate.effective_from),
                    format_local(rate.created_at, estate.timezone), by or "",
                    rate.id in current)
            for rate, building, by in rows]


def day_of(raw: object) -> date:
    """A day given as 'YYYY-MM-DD' (or a date)."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str) or not _DAY.fullmatch(raw.strip()):
        raise InvalidInput("error.day_invalid")
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("error.day_invalid") from None


def set_unit_terms(session: Session, actor: Actor | None, building_id: object, number: object, unit_type: object,
                   occupied_from: object = "") -> Unit:
    """A manager records a unit's type and the day it was handed over or its household moved in ('' when that was
    before any bill). Bills already issued are not changed; the month's bill generated later is prorated."""
    actor = require(session, actor, FEES, Role.MANAGER)
    with refusing(session, actor, FEES):
        building = in_estate(session, actor, Building, positive_id(building_id))
        wanted = text(number, "error.unit_number", UNIT_NUMBER_MAX)
        unit = session.exec(select(Unit).where(Unit.building_id == building.id, Unit.number == wanted)).first()
        if unit is None:
            raise InvalidInput("error.unit_unknown")
        kind = choice(unit_type, UnitType, "error.unit_type")
        moved_in = day_of(occupied_from) if occupied_from else None
    unit.unit_type, unit.occupied_from = kind, moved_in
    session.add(unit)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "unit_terms_set", "unit", unit.id,
                 unit_type=kind, occupied_from=moved_in.isoformat() if moved_in else "")
    return unit


def buildings(session: Session, actor: Actor | None) -> list[Choice]:
    """The estate's buildings as choices for a rate's scope or a unit's place."""
    actor = require(session, actor, FEES, Role.MANAGER)
    return [Choice(str(i), name) for i, name in session.exec(
        select(Building.id, Building.name).where(Building.estate_id == actor.estate_id).order_by(col(Building.id)))]


def percent_of(raw: object) -> Decimal:
    """A late fee percentage per day: '0' (off) to '1', at most four decimals ('0.05' is 万分之五 a day)."""
    if isinstance(raw, Decimal):
        raw = format(raw, "f") if raw.is_finite() else "NaN"
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise InvalidInput("error.late_fee_invalid")
    value = str(raw).strip().rstrip("%")
    if not _PERCENT.fullmatch(value):
        raise InvalidInput("error.late_fee_invalid")
    try:
        percent = Decimal(value)
    except InvalidOperation:
        raise InvalidInput("error.late_fee_invalid") from None
    if percent > LATE_FEE_MAX:
        raise InvalidInput("error.late_fee_invalid")
    return percent.quantize(Decimal("0.0001"))


def late_fee_percent(session: Session, estate_id: int) -> Decimal:
    """The estate's late fee percentage per day (0: off, the default)."""
    settings = session.get(FeeSettings, estate_id)
    return settings.late_fee_percent if settings is not None else Decimal(0)


def set_late_fee(session: Session, actor: Actor | None, percent: object, now: datetime | None = None) -> FeeSettings:
    """A manager sets the contract's late fee per day (0 turns it off). Bills issued from now on carry it; bills
    issued before keep theirs."""
    actor = require(session, actor, FEES, Role.MANAGER)
    with refusing(session, actor, FEES):
        value = percent_of(percent)
    settings = session.get(FeeSettings, actor.estate_id) or FeeSettings(estate_id=actor.estate_id)
    settings.late_fee_percent, settings.changed_by_id, settings.changed_at = value, actor.id, now or utcnow()
    session.add(settings)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "fee_late_fee_set", "estate",
                 actor.estate_id, percent=str(value))
    return settings


def terms(session: Session, actor: Actor | None) -> FeeTerms:
    """The estate's late fee terms as the office shows them."""
    actor = require(session, actor, FEES, Role.MANAGER)
    percent = late_fee_percent(session, actor.estate_id)
    return FeeTerms(f"{percent.normalize():f}" if percent > 0 else "")

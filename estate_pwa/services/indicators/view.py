"""What the manager's screens show: the overview's tiles, one indicator's detail with its 12-month trend and
the records behind its number, and a manager's own targets (audited)."""

import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Estate, IndicatorSetting, Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.indicators import periods
from estate_pwa.services.indicators.periods import PeriodKind
from estate_pwa.services.indicators.registry import (
    REGISTRY, Base, Context, Indicator, Op, Reading, Unit, parts_of, plan_indicators,
)
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import Refusal, refusing, require
from estate_pwa.services.validation import choice, text, whole

REFUSAL = Refusal("indicator_refused", "indicator")
PAGE_SIZE = 20
MAX_PAGE = 10_000
TARGET_MAX = 1_000_000


class Status:
    """How a value stands against its target."""

    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"
    IN_PROGRESS = "in_progress"
    """Short of the target while what it counts is not yet due (a fee period not yet over)."""


@dataclass(frozen=True)
class Tile:
    """One indicator in a period, as the overview shows it (names in both languages; `why` is a translation key)."""

    key: str
    number: int
    name_zh: str
    name_en: str
    value: str
    target: str
    status: str
    why: str
    trend: str
    numerator: str
    denominator: str
    feature: str
    per_year: bool = False
    """The target is per year (the page says so in the viewer's language)."""


@dataclass(frozen=True)
class TrendPoint:
    """One month of an indicator's trend (value None: no data that month)."""

    label: str
    value: float | None


@dataclass(frozen=True)
class DrillLine:
    """One record behind a number."""

    record_id: int
    title: str
    when: str
    counts: bool
    note: str
    note_key: str
    link: str


@dataclass(frozen=True)
class Detail:
    """One indicator's page: its tile, definition, chosen base, the parts shown apart, trend and records."""

    tile: Tile
    definition_zh: str
    definition_en: str
    base: str
    bases: list[str]
    op: str
    target_value: str
    parts: list[Tile]
    trend: list[TrendPoint]
    lines: list[DrillLine]
    total: int
    page: int
    pages: int
    period: str


def _settings(session: Session, estate_id: int) -> dict[str, IndicatorSetting]:
    return {s.indicator: s for s in session.exec(select(IndicatorSetting).where(
        IndicatorSetting.estate_id == estate_id))}


def _number(value: float, unit: Unit) -> str:
    if unit == Unit.COUNT:
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{value:.1f}%" if value < 99.95 or value >= 100 else f"{math.floor(value * 10) / 10:.1f}%"


def _target_text(op: Op, target: float, unit: Unit) -> str:
    sign = "≥" if op == Op.AT_LEAST else "≤"
    return f"{sign} {target:g}%" if unit == Unit.PERCENT else f"{sign} {target:g}"


def _trend(now: Reading | None, before: Reading | None) -> str:
    """'up', 'down' or 'flat' against the previous period ('' without both values)."""
    if now is None or before is None or now.value is None or before.value is None:
        return ""
    if abs(now.value - before.value) < 1e-9:
        return "flat"
    return "up" if now.value > before.value else "down"


def _tile(indicator: Indicator, setting: IndicatorSetting | None, reading: Reading | None,
          before: Reading | None) -> Tile:
    op = Op(setting.op) if setting else indicator.op
    target = setting.target if setting else indicator.target
    value = reading.value if reading is not None else None
    if reading is None:
        status, why = Status.NO_DATA, f"indicator.why.feature.{indicator.feature}"
    elif value is None:
        status, why = Status.NO_DATA, reading.why or "indicator.why.zero_denominator"
    elif indicator.met(value, op, target):
        status, why = Status.MET, ""
    elif reading.not_yet_due:
        status, why = Status.IN_PROGRESS, "indicator.why.not_yet_due"
    else:
        status, why = Status.NOT_MET, ""
    return Tile(
        key=indicator.key, number=indicator.number, name_zh=indicator.name_zh, name_en=indicator.name_en,
        value="" if value is None else _number(value, indicator.unit),
        target=_target_text(op, target, indicator.unit), status=status, why=why,
        trend=_trend(reading, before),
        numerator="" if reading is None else f"{reading.numerator:g}",
        denominator="" if reading is None or reading.denominator is None else f"{reading.denominator:g}",
        feature=indicator.feature, per_year=indicator.per_year)


def _context(indicator: Indicator, estate_id: int, setting: IndicatorSetting | None, now: datetime) -> Context:
    base = Base(setting.base) if setting and setting.base else (indicator.bases[0] if indicator.bases else None)
    return Context(estate_id, now, base)


def _readings(session: Session, indicator: Indicator, context: Context, windows) -> list[Reading] | None:
    return indicator.measure(session, context, windows) if indicator.measure else None


def _local_today(session: Session, actor: Actor, now: datetime) -> tuple[date, ZoneInfo]:
    zone = ZoneInfo(session.get(Estate, actor.estate_id).timezone)
    return now.astimezone(zone).date(), zone


def _kind(raw: object) -> PeriodKind:
    return PeriodKind(choice(raw, PeriodKind, "error.bad_request"))


def overview(session: Session, actor: Actor | None, kind: object = PeriodKind.MONTH,
             now: datetime | None = None) -> tuple[str, list[Tile]]:
    """The period's label and a tile per plan indicator (value, target, met / not met / no data, trend)."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, REFUSAL):
        kind = _kind(kind)
    today, zone = _local_today(session, actor, now)
    period, previous = periods.current(kind, today, zone), periods.current(kind, today, zone, back=1)
    settings = _settings(session, actor.estate_id)
    tiles = []
    for indicator in plan_indicators():
        setting = settings.get(indicator.key)
        readings = _readings(session, indicator, _context(indicator, actor.estate_id, setting, now),
                             [period.window, previous.window])
        tiles.append(_tile(indicator, setting, *(readings or (None, None))))
    return period.label, tiles


def _indicator(raw: object) -> Indicator:
    if not isinstance(raw, str) or raw not in REGISTRY:
        raise NotFound("error.not_found")
    return REGISTRY[raw]


def detail(session: Session, actor: Actor | None, key: object, kind: object = PeriodKind.MONTH, page: object = 1,
           now: datetime | None = None) -> Detail:
    """One indicator in a period: definition, numerator and denominator, the parts shown apart, the 12-month
    trend and one page of the records behind the number (failing ones first)."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    now = now or utcnow()
    with refusing(session, actor, REFUSAL):
        indicator, kind, page = _indicator(key), _kind(kind), whole(page, (1, MAX_PAGE), "error.bad_request")
    today, zone = _local_today(session, actor, now)
    period, previous = periods.current(kind, today, zone), periods.current(kind, today, zone, back=1)
    months = periods.months(today, zone)
    settings = _settings(session, actor.estate_id)
    setting = settings.get(indicator.key)
    context = _context(indicator, actor.estate_id, setting, now)
    readings = _readings(session, indicator, context, [period.window, previous.window, *(m.window for m in months)])
    tile = _tile(indicator, setting, *(readings[:2] if readings else (None, None)))
    trend = [TrendPoint(m.label, None if r.value is None else round(r.value, 2))
             for m, r in zip(months, readings[2:])] if readings else []
    parts = []
    for part in parts_of(indicator.key):
        part_setting = settings.get(part.key)
        part_readings = _readings(session, part, _context(part, actor.estate_id, part_setting, now),
                                  [period.window, previous.window])
        parts.append(replace(_tile(part, part_setting, *(part_readings or (None, None))), number=0))
    lines, total = ([], 0)
    if indicator.drill is not None:
        rows, total = indicator.drill(session, context, period.window, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        lines = [DrillLine(r.record_id, r.title, r.when.astimezone(zone).strftime("%Y-%m-%d %H:%M") if r.when else "",
                           r.counts, r.note, r.note_key, r.link) for r in rows]
    return Detail(
        tile=tile, definition_zh=indicator.definition_zh, definition_en=indicator.definition_en,
        base=context.base.value if context.base else "", bases=[b.value for b in indicator.bases],
        op=(setting.op if setting else indicator.op.value),
        target_value=f"{setting.target if setting else indicator.target:g}", parts=parts, trend=trend,
        lines=lines, total=total, page=page, pages=max(1, math.ceil(total / PAGE_SIZE)), period=period.label)


def set_target(session: Session, actor: Actor | None, key: object, op: object, target: object,
               base: object = None) -> IndicatorSetting:
    """A manager sets the estate's own target (and base, where the indicator has a choice); audited."""
    actor = require(session, actor, REFUSAL, Role.MANAGER)
    with refusing(session, actor, REFUSAL):
        indicator = _indicator(key)
        op = Op(choice(op, Op, "error.bad_request"))
        value = _target(target)
        if indicator.unit == Unit.PERCENT and value > 100:
            raise InvalidInput("error.indicator_target")
        chosen = None
        if indicator.bases:
            chosen = choice(base, indicator.bases, "error.bad_request") if base not in (None, "") else \
                indicator.bases[0].value
    setting = _settings(session, actor.estate_id).get(indicator.key) or IndicatorSetting(
        estate_id=actor.estate_id, indicator=indicator.key, op=op, target=value, changed_by_id=actor.id)
    before = {"op": setting.op, "target": setting.target, "base": setting.base} if setting.id else None
    setting.op, setting.target, setting.base, setting.changed_by_id = op.value, value, chosen, actor.id
    session.add(setting)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "indicator_target_set",
                 "indicator", setting.id, indicator=indicator.key, op=op.value, target=value, base=chosen,
                 before=before)
    return setting


def _target(raw: object) -> float:
    """A target value: a number from 0 up to TARGET_MAX (text as typed, or a number)."""
    value = text(raw, "error.indicator_target", 20) if isinstance(raw, str) else raw
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond any float, e.g. 10**400
        raise InvalidInput("error.indicator_target") from None
    if not math.isfinite(number) or not 0 <= number <= TARGET_MAX:
        raise InvalidInput("error.indicator_target")
    return number


"""The indicator registry: every indicator of the plan is declared here once, and each feature plugs in the SQL
that measures its own indicators (`measured_by`). An indicator without a measure (its feature is not built yet)
or whose denominator is zero shows "no data" and why — never a made-up value.

A declaration gives: key, the plan's number (1–25; 0 for the plan's yearly targets), names in both languages,
the plan's target (operator and value; a manager may set an estate's own), the unit, the feature that records
it, the bases a manager may choose between (for rates the plan leaves open), and its definition, shown in the
UI. Translations of names and definitions live beside the declaration so both stay in one place.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session


class Unit(StrEnum):
    """How a value reads: a percentage of its denominator, or a count of events."""

    PERCENT = "percent"
    COUNT = "count"


class Op(StrEnum):
    """How a value is compared with its target."""

    AT_LEAST = ">="
    AT_MOST = "<="


class Base(StrEnum):
    """What a per-population rate is counted over (the plan does not say; each estate chooses)."""

    HOUSEHOLDS = "households"
    RESIDENTS = "residents"
    ANSWERED = "answered"


@dataclass(frozen=True)
class Window:
    """A half-open span of time [start, end) in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Context:
    """What every measure needs besides its windows: the estate, the moment, and the base chosen for it."""

    estate_id: int
    now: datetime
    base: Base | None = None


@dataclass(frozen=True)
class Reading:
    """A measured numerator and denominator (None for a plain count); `why` explains a missing value.
    `not_yet_due`: what it counts is not all due yet (a month's fee bills are due on its last day), so a value
    short of the target is shown as in progress, not judged."""

    numerator: float
    denominator: float | None = None
    why: str = ""
    not_yet_due: bool = False

    @property
    def value(self) -> float | None:
        """The percentage or count; None when the denominator is zero."""
        if self.denominator is None:
            return self.numerator
        return None if self.denominator == 0 else 100.0 * self.numerator / self.denominator


Measure = Callable[[Session, Context, Sequence[Window]], list[Reading]]
"""SQL over the records: one reading per window, computed in one query for all windows."""


@dataclass(frozen=True)
class DrillRow:
    """One record behind a number: whether it counts toward the numerator, what it is and where to open it."""

    record_id: int
    title: str
    when: datetime | None
    counts: bool
    note: str = ""
    note_key: str = ""
    """A translation key shown instead of `note` (a status, an urgency), so the note follows the viewer's language."""
    link: str = ""


Drill = Callable[[Session, Context, Window, int, int], tuple[list[DrillRow], int]]
"""The records behind one window's number, failing ones first: (rows of one page, total)."""


@dataclass(frozen=True)
class Indicator:
    """One declared indicator."""

    key: str
    number: int
    name_zh: str
    name_en: str
    op: Op
    target: float
    unit: Unit
    feature: str
    definition_zh: str
    definition_en: str
    per_year: bool = False
    bases: tuple[Base, ...] = ()
    measure: Measure | None = None
    drill: Drill | None = None
    parent: str = ""

    def met(self, value: float, op: Op | None = None, target: float | None = None) -> bool:
        """Whether `value` meets the target (the estate's own when given)."""
        op, target = op or self.op, self.target if target is None else target
        return value >= target - 1e-9 if op == Op.AT_LEAST else value <= target + 1e-9


REGISTRY: dict[str, Indicator] = {}


def declare(indicator: Indicator) -> Indicator:
    """Add an indicator to the registry (once per key)."""
    if indicator.key in REGISTRY:
        raise ValueError(f"indicator declared twice: {indicator.key}")
    REGISTRY[indicator.key] = indicator
    return indicator


def measured_by(key: str, measure: Measure, drill: Drill | None = None) -> None:
    """A feature plugs in the measure (and drill-down) of an indicator declared here."""
    REGISTRY[key] = replace(REGISTRY[key], measure=measure, drill=drill)


def plan_indicators() -> list[Indicator]:
    """The plan's 25 indicators in its order, then its yearly targets."""
    return sorted((i for i in REGISTRY.values() if not i.parent), key=lambda i: (i.number == 0, i.number, i.key))


def parts_of(key: str) -> list[Indicator]:
    """The indicators shown apart inside one (e.g. 急修 and 零修 timeliness)."""
    return [i for i in REGISTRY.values() if i.parent == key]

"""Reporting periods in the estate's timezone: month, quarter, year and the rolling 12 months."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from estate_pwa.services.indicators.registry import Window


class PeriodKind(StrEnum):
    """The periods a manager can choose."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ROLLING_12 = "rolling12"


@dataclass(frozen=True)
class Period:
    """A labelled window, e.g. '2026-03', '2026 Q1', '2026', '2025-04 – 2026-03'."""

    label: str
    window: Window


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _span(first: date, months: int, zone: ZoneInfo) -> Window:
    return Window(_utc(first, zone), _utc(_month_start(first.year, first.month + months), zone))


def current(kind: PeriodKind, today: date, zone: ZoneInfo, back: int = 0) -> Period:
    """The period of `kind` holding local `today`, or the one `back` periods earlier."""
    if kind == PeriodKind.MONTH:
        first = _month_start(today.year, today.month - back)
        return Period(f"{first:%Y-%m}", _span(first, 1, zone))
    if kind == PeriodKind.QUARTER:
        first = _month_start(today.year, (today.month - 1) // 3 * 3 + 1 - 3 * back)
        return Period(f"{first.year} Q{(first.month - 1) // 3 + 1}", _span(first, 3, zone))
    if kind == PeriodKind.YEAR:
        first = date(today.year - back, 1, 1)
        return Period(f"{first.year}", _span(first, 12, zone))
    first = _month_start(today.year, today.month - 11 - 12 * back)
    last = _month_start(first.year, first.month + 11)
    return Period(f"{first:%Y-%m} – {last:%Y-%m}", _span(first, 12, zone))


def months(today: date, zone: ZoneInfo, count: int = 12) -> list[Period]:
    """The last `count` calendar months up to and including today's, oldest first."""
    return [current(PeriodKind.MONTH, today, zone, back) for back in range(count - 1, -1, -1)]


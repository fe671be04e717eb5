"""Server time: stored in UTC, shown in the estate's timezone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The server's current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def to_local(moment: datetime, timezone: str) -> datetime:
    """Convert an aware datetime to the estate's timezone."""
    return moment.astimezone(ZoneInfo(timezone))


def format_local(moment: datetime | None, timezone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored time for display in the estate's timezone ('' for none)."""
    return "" if moment is None else to_local(moment, timezone).strftime(pattern)

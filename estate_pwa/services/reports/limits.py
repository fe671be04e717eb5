"""Rate limits on public reports, enforced on the server across workers: counters live in the database
(`RateCount`, one row per key and fixed window, added to by one atomic upsert), so every worker of the app — and
every app process on the same database — counts into the same row.

The limits (a report attempt counts whatever becomes of it, so a refused flood keeps being refused):

* per client address: ADDRESS_LIMIT attempts per WINDOW;
* per device (the signed id in the reporter's cookie): DEVICE_LIMIT per WINDOW;
* per place (one posted code's area or asset): PLACE_LIMIT per WINDOW.

They are checked in that order and the first one over its limit refuses, without counting the attempt against
the later ones: one client's flood does not use up the place's allowance for everyone else.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from estate_pwa.core.clock import utcnow
from estate_pwa.models import RateCount

WINDOW = timedelta(minutes=10)
ADDRESS_LIMIT = 20
DEVICE_LIMIT = 5
PLACE_LIMIT = 10
KEEP = timedelta(days=1)
"""Counters of windows older than this are deleted as new windows open."""


@dataclass(frozen=True)
class Limit:
    """One limit: what it counts ("address", "device", "place") and how many attempts a window allows."""

    scope: str
    allowed: int


@dataclass(frozen=True)
class Verdict:
    """The answer for one attempt: None `refused_by` when allowed; `first_refusal` when this attempt is the first
    one over the limit in its window (the one to write to the audit log: a flood is recorded once per window)."""

    refused_by: str | None = None
    first_refusal: bool = False
    retry_after: int = 0


def window_start(now: datetime, window: timedelta = WINDOW) -> datetime:
    """The start of the fixed window `now` falls in (windows are aligned to the epoch)."""
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)


def hit(session: Session, scope: str, value: str, now: datetime | None = None, window: timedelta = WINDOW) -> int:
    """Count one attempt of `value` in `scope` in the current window; returns the window's count including it."""
    now = now or utcnow()
    start = window_start(now, window)
    key = f"{scope}:{value}:{int(start.timestamp())}"[:120]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(RateCount).values(key=key, window_start=start, hits=1)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={"hits": RateCount.hits + 1})
    hits = session.execute(statement.returning(RateCount.hits)).scalar_one()
    if hits == 1:  # a new window opened for this key: forget windows long gone
        session.execute(delete(RateCount).where(col(RateCount.window_start) < start - KEEP))
    return hits


def check(session: Session, attempts: list[tuple[Limit, str]], now: datetime | None = None,
          window: timedelta = WINDOW) -> Verdict:
    """Count one attempt against each (limit, value) in order; the first over its limit refuses (later ones are
    not counted). The caller commits the counts (in their own transaction, before the report is written)."""
    now = now or utcnow()
    for limit, value in attempts:
        hits = hit(session, limit.scope, value, now, window)
        if hits > limit.allowed:
            left = window_start(now, window) + window - now
            return Verdict(limit.scope, hits == limit.allowed + 1, max(1, int(left.total_seconds())))
    return Verdict()


ADDRESS = Limit("address", ADDRESS_LIMIT)
DEVICE = Limit("device", DEVICE_LIMIT)
PLACE = Limit("place", PLACE_LIMIT)

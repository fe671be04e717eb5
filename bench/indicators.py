"""The indicators benchmark: 3 years of records for an estate of 3,000 units (bench/history.py), then the time of
each indicator and of the whole overview for a year, and of the 12-month trends, median of several runs, on
SQLite (a file in a temporary directory) and PostgreSQL (a throwaway database).

    .venv/bin/python -m bench.indicators --backend sqlite|postgresql|both [--units 3000] [--years 3] [--runs 7]

Targets on a 2-core machine: the whole overview ≤ 300 ms, all trends ≤ 1 s.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session, select

from bench import history
from bench.database import print_medians, throwaway
from estate_pwa.core.db import get_engine
from estate_pwa.models import User
from estate_pwa.services import indicators
from estate_pwa.services.indicators import periods, view
from estate_pwa.services.indicators.registry import plan_indicators
from estate_pwa.services.permissions import actor_for

OVERVIEW_TARGET_MS = 300
TRENDS_TARGET_MS = 1000


def _median_ms(call: Callable[[], object], runs: int, session: Session) -> float:
    call()  # warm: statement caches, first reads from disk
    times = []
    for _ in range(runs):
        session.rollback()  # each run a new transaction, as each request is: nothing kept from the last run
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def measure(db_url: str, runs: int, now: datetime) -> dict[str, float]:
    """Median milliseconds of each live indicator (year), the overview (year), each indicator's 12-month trend and
    all trends, and the detail pages."""
    figures: dict[str, float] = {}
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        manager = actor_for(session, session.exec(select(User).where(
            User.id == _manager_id(session))).one())
        zone = ZoneInfo("Asia/Shanghai")
        today = now.astimezone(zone).date()
        year = [periods.current(periods.PeriodKind.YEAR, today, zone, back).window for back in (0, 1)]
        months = [m.window for m in periods.months(today, zone)]
        live = [i for i in plan_indicators() if i.measure is not None]
        settings = view._settings(session, manager.estate_id)
        for indicator in live:
            context = view._context(indicator, manager.estate_id, settings.get(indicator.key), now)
            figures[f"year {indicator.key}"] = _median_ms(
                lambda: indicator.measure(session, context, year), runs, session)  # noqa: B023 (called at once)
        figures["overview (year)"] = _median_ms(
            lambda: indicators.overview(session, manager, "year", now=now), runs, session)
        trend_total = 0.0
        for indicator in live:
            context = view._context(indicator, manager.estate_id, settings.get(indicator.key), now)
            ms = _median_ms(lambda: indicator.measure(session, context, months), runs, session)  # noqa: B023
            figures[f"trend {indicator.key}"] = ms
            trend_total += ms
        figures["all trends (12 months)"] = trend_total
        figures["all detail pages (year)"] = _median_ms(
            lambda: [indicators.detail(session, manager, i.key, "year", now=now) for i in live], runs, session)
    return figures


def _manager_id(session: Session) -> int:
    from estate_pwa.models import UserRole
    return session.exec(select(UserRole.user_id).where(UserRole.role == "manager").order_by(UserRole.user_id)).first()


def run(backend: str, units: int, years: int, runs: int) -> dict[str, float]:
    """Make the database, fill it, measure, throw it away."""
    now = datetime.now(UTC)
    with throwaway(backend) as db_url:
        began = time.perf_counter()
        with Session(get_engine(db_url)) as db:
            est = history.generate(db, units=units, years=years, end=now)
        if backend == "postgresql":  # as autovacuum leaves a live database: statistics, visibility map
            with get_engine(db_url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        print(f"[{backend}] generated in {time.perf_counter() - began:.0f} s: "
              + ", ".join(f"{k} {v}" for k, v in est.counts.items()), flush=True)
        return measure(db_url, runs, now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = {backend: run(backend, args.units, args.years, args.runs) for backend in backends}
    print_medians(results, args.runs)
    for backend, figures in results.items():
        overview, trends = figures["overview (year)"], figures["all trends (12 months)"]
        print(f"[{backend}] overview {overview:.0f} ms (target ≤ {OVERVIEW_TARGET_MS}: "
              f"{'met' if overview <= OVERVIEW_TARGET_MS else 'MISSED'}), all trends {trends:.0f} ms "
              f"(target ≤ {TRENDS_TARGET_MS}: {'met' if trends <= TRENDS_TARGET_MS else 'MISSED'})")


if __name__ == "__main__":
    main()

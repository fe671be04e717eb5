"""The indicators benchmark: 3 years of records for an estate of 3,000 units (bench/history.py), then the time of
each indicator and of the whole overview for a year, and of the 12-month trends, median of several runs, on
SQLite (a file in a temporary directory) and PostgreSQL (a throwaway database).

    .venv/bin/python -m bench.indicators --backend sqlite|postgresql|both [--units 3000] [--years 3] [--runs 7]

Targets on a 2-core machine: the whole overview ≤ 300 ms, all trends ≤ 1 s.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session, select

from bench import history
from estate_pwa.core.db import get_engine
from estate_pwa.manage import migrate
from estate_pwa.models import User
from estate_pwa.services import indicators
from estate_pwa.services.indicators import periods, view
from estate_pwa.services.indicators.registry import plan_indicators
from estate_pwa.services.permissions import actor_for

OVERVIEW_TARGET_MS = 300
TRENDS_TARGET_MS = 1000


def _median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm: statement caches, first reads from disk
    times = []
    for _ in range(runs):
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
            figures[f"year {indicator.key}"] = _median_ms(lambda: indicator.measure(session, context, year), runs)
        figures["overview (year)"] = _median_ms(lambda: indicators.overview(session, manager, "year", now=now), runs)
        trend_total = 0.0
        for indicator in live:
            context = view._context(indicator, manager.estate_id, settings.get(indicator.key), now)
            ms = _median_ms(lambda: indicator.measure(session, context, months), runs)
            figures[f"trend {indicator.key}"] = ms
            trend_total += ms
        figures["all trends (12 months)"] = trend_total
        figures["all detail pages (year)"] = _median_ms(
            lambda: [indicators.detail(session, manager, i.key, "year", now=now) for i in live], runs)
    return figures


def _manager_id(session: Session) -> int:
    from estate_pwa.models import UserRole
    return session.exec(select(UserRole.user_id).where(UserRole.role == "manager").order_by(UserRole.user_id)).first()


def run(backend: str, units: int, years: int, runs: int) -> dict[str, float]:
    """Make the database, fill it, measure, throw it away."""
    now = datetime.now(UTC)
    pg_name = None
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as tmp:
        if backend == "sqlite":
            db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        else:
            from devtools import databases
            pg_name, db_url = databases.create_pg_database("estate_bench")
        try:
            migrate(db_url)
            began = time.perf_counter()
            with Session(get_engine(db_url)) as db:
                est = history.generate(db, units=units, years=years, end=now)
                if backend == "postgresql":
                    db.execute(text("ANALYZE"))
                    db.commit()
            print(f"[{backend}] generated in {time.perf_counter() - began:.0f} s: "
                  + ", ".join(f"{k} {v}" for k, v in est.counts.items()), flush=True)
            figures = measure(db_url, runs, now)
        finally:
            get_engine(db_url).dispose()
            if pg_name:
                from devtools import databases
                databases.drop_pg_database(pg_name)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = {backend: run(backend, args.units, args.years, args.runs) for backend in backends}
    keys = list(next(iter(results.values())))
    print(f"\nmedian of {args.runs} runs, ms")
    print(f"{'':44}" + "".join(f"{b:>12}" for b in backends))
    for key in keys:
        print(f"{key:44}" + "".join(f"{results[b][key]:12.1f}" for b in backends))
    for backend, figures in results.items():
        overview, trends = figures["overview (year)"], figures["all trends (12 months)"]
        print(f"[{backend}] overview {overview:.0f} ms (target ≤ {OVERVIEW_TARGET_MS}: "
              f"{'met' if overview <= OVERVIEW_TARGET_MS else 'MISSED'}), all trends {trends:.0f} ms "
              f"(target ≤ {TRENDS_TARGET_MS}: {'met' if trends <= TRENDS_TARGET_MS else 'MISSED'})")


if __name__ == "__main__":
    main()

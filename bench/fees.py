"""The fees benchmark: an estate of 3,000 units with 3 years of bills and payments (bench/history.py), shops at
their own rate, a building at its own and households that moved in mid-month; then the time to generate this
month's bills for every unit (through the service, committed; the bills are removed between runs) and of the
period's collection report (what the office's fee screen reads for last month: the summary with the collection
rate, the first page of bills with their payments and late fees, the arrears by age), and of the exports, median
of several runs, on SQLite (a file in a temporary directory) and PostgreSQL (a throwaway database).

    .venv/bin/python -m bench.fees --backend sqlite|postgresql|both [--units 3000] [--years 3] [--runs 5]

Targets on a 2-core machine: a month's bills for 3,000 units ≤ 5 s, the collection report ≤ 300 ms.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, text, update
from sqlmodel import Session, col, select

from bench import history
from bench.database import print_medians, throwaway
from estate_pwa.core.db import get_engine
from estate_pwa.models import Building, Estate, FeeBill, Unit, User
from estate_pwa.services import fees
from estate_pwa.services.fees import exports
from estate_pwa.services.fees.common import add_months, label
from estate_pwa.services.permissions import actor_for

GENERATE_TARGET_MS = 5000
REPORT_TARGET_MS = 300
ZONE = ZoneInfo("Asia/Shanghai")


def _median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm: statement caches, first reads from disk
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def fill(db: Session, units: int, years: int, now: datetime) -> history.Estate3y:
    """The estate, `years` of bills and payments up to the start of this month, and the terms that make this
    month's generation do every rule: 10% shops at their rate, the last building at its own, 1% moved in mid-month."""
    this_month = now.astimezone(ZONE).date().replace(day=1)
    end = datetime.combine(this_month, datetime.min.time(), tzinfo=ZONE).astimezone(UTC)
    rng = random.Random(7)
    estate_id = _estate(db, end)
    est = history.Estate3y(estate_id, end - timedelta(days=365 * years), end)
    history.add_estate(db, est, units, rng)
    history.add_fees(db, est, rng)
    db.execute(update(Unit).where(col(Unit.estate_id) == estate_id, col(Unit.id) % 10 == 0).values(unit_type="shop"))
    db.execute(update(Unit).where(col(Unit.estate_id) == estate_id, col(Unit.id) % 100 == 1)
               .values(occupied_from=this_month + timedelta(days=11)))
    db.commit()
    manager = actor_for(db, db.get(User, est.manager_id))
    last_building = db.exec(select(Building.id).where(Building.estate_id == estate_id)
                            .order_by(col(Building.id).desc())).first()
    since = label(add_months(this_month, -12 * years))
    fees.set_rate(db, manager, "2.60", last_building, effective_from=since, now=now)
    fees.set_rate(db, manager, "3.80", unit_type="shop", effective_from=since, now=now)
    db.commit()
    return est


def _estate(db: Session, end: datetime) -> int:
    from sqlalchemy import insert
    return db.execute(insert(Estate.__table__).values(name="基准小区", code="benchfees", timezone="Asia/Shanghai",
                                                      auto_dispatch=False, followup_percent=30, open_jobs_cap=5,
                                                      created_at=end).returning(Estate.__table__.c.id)).scalar_one()


def measure(db_url: str, est: history.Estate3y, runs: int, now: datetime) -> dict[str, float]:
    """Median milliseconds of generating this month (and the worst run), of the collection report and its parts
    for last month, and of the exports."""
    figures: dict[str, float] = {}
    this_month = now.astimezone(ZONE).date().replace(day=1)
    period, last_period = label(this_month), label(add_months(this_month, -1))
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        manager = actor_for(session, session.get(User, est.manager_id))
        times, made = [], 0
        for _ in range(runs):
            session.execute(delete(FeeBill).where(col(FeeBill.estate_id) == est.estate_id,
                                                  col(FeeBill.period) == this_month))
            session.commit()
            began = time.perf_counter()
            made = fees.generate_month(session, manager, period, now=now)
            session.commit()
            times.append((time.perf_counter() - began) * 1000)
        figures[f"generate {period} ({made} bills)"] = statistics.median(times)
        figures["generate, worst run"] = max(times)

        def report():
            fees.summary(session, manager, last_period)
            fees.period_bills(session, manager, last_period, now=now)
            fees.arrears(session, manager, now=now, limit=10)

        figures[f"collection report {last_period}"] = _median_ms(report, runs)
        figures["  summary (collection rate)"] = _median_ms(lambda: fees.summary(session, manager, last_period), runs)
        figures["  first page of bills"] = _median_ms(
            lambda: fees.period_bills(session, manager, last_period, now=now), runs)
        figures["  arrears by age"] = _median_ms(lambda: fees.arrears(session, manager, now=now, limit=10), runs)
        figures["export period csv"] = _median_ms(
            lambda: exports.as_csv(exports.period_sheet(session, manager, last_period, now=now)), runs)
        figures["export period xlsx"] = _median_ms(
            lambda: exports.as_xlsx(exports.period_sheet(session, manager, last_period, now=now)), runs)
        figures["export arrears xlsx"] = _median_ms(
            lambda: exports.as_xlsx(exports.arrears_sheet(session, manager, now=now)), runs)
    return figures


def run(backend: str, units: int, years: int, runs: int) -> dict[str, float]:
    """Make the database, fill it, measure, throw it away."""
    now = datetime.now(UTC)
    with throwaway(backend) as db_url:
        began = time.perf_counter()
        with Session(get_engine(db_url), expire_on_commit=False) as db:
            est = fill(db, units, years, now)
            if backend == "postgresql":
                db.execute(text("ANALYZE"))
                db.commit()
        print(f"[{backend}] generated in {time.perf_counter() - began:.0f} s: "
              + ", ".join(f"{k} {v}" for k, v in est.counts.items()), flush=True)
        return measure(db_url, est, runs, now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = {backend: run(backend, args.units, args.years, args.runs) for backend in backends}
    print_medians(results, args.runs)
    for backend, figures in results.items():
        values = list(figures.values())
        generate, report = values[0], values[2]
        print(f"[{backend}] {args.units} units' bills {generate:.0f} ms (target ≤ {GENERATE_TARGET_MS}: "
              f"{'met' if generate <= GENERATE_TARGET_MS else 'MISSED'}), collection report {report:.0f} ms "
              f"(target ≤ {REPORT_TARGET_MS}: {'met' if report <= REPORT_TARGET_MS else 'MISSED'})")


if __name__ == "__main__":
    main()

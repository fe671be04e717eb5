"""Grab mode under real concurrency: two technicians claim the same job at the same instant, 1,000 times.

Each claim runs in its own thread with its own session on its own PostgreSQL connection; a barrier releases
both together. Exactly one must win every round; the other is refused with "error.already_taken", and every
refusal is either in the audit log or counted there as suppressed (the log takes 20 a minute per person).
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.manage import migrate
from estate_pwa.models import AuditEntry, RequestStatus, Role, ServiceRequest, User
from estate_pwa.services import audit, jobs
from estate_pwa.services.errors import InvalidInput
from tests import services
from tests.factories import Factory
from tests.unit.conftest import NOW

ROUNDS = 1000


def _claim(engine, actor, request_id, barrier, results, slot):
    """One technician's claim, as a request handler would run it: own session, own connection, own commit."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection()  # check the connection out before the start signal
        try:
            barrier.wait(timeout=30)
            jobs.claim(session, actor, request_id, now=NOW)
            session.commit()
            results[slot] = "won"
        except BaseException as error:  # noqa: BLE001 - reported and asserted by the main thread
            session.rollback()
            results[slot] = error


@pytest.fixture
def pg_url():
    """A migrated PostgreSQL database of its own (the race is about PostgreSQL's concurrency)."""
    name, url = services.create_pg_database()
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        services.drop_pg_database(name)


@pytest.mark.skipif(not services.postgres_answers() and not services.REQUIRE_SERVICES,
                    reason="PostgreSQL does not answer on 127.0.0.1:5432")
def test_exactly_one_of_two_simultaneous_claims_wins(pg_url):
    engine = get_engine(pg_url)
    with Session(engine, expire_on_commit=False) as setup:
        factory = Factory(setup)
        estate = factory.estate()
        estate.open_jobs_cap = 1_000_000  # winners pile up open jobs; the cap must never decide a round
        setup.add(estate)
        setup.commit()
        resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0], name="业主"))
        technicians = [factory.actor(factory.user(estate, Role.TECHNICIAN, name=name)) for name in ("师傅甲", "师傅乙")]

        wins = Counter()
        started = time.perf_counter()
        for round_no in range(ROUNDS):
            job = jobs.submit(setup, resident, "repair", f"抢单测试 {round_no}", "plumbing", now=NOW)
            setup.commit()
            assert (job.status, job.technician_id) == (RequestStatus.RECEIVED, None)

            barrier = threading.Barrier(2)
            results: list[object] = [None, None]
            threads = [threading.Thread(target=_claim, args=(engine, tech, job.id, barrier, results, i))
                       for i, tech in enumerate(technicians)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert not any(thread.is_alive() for thread in threads), f"round {round_no}: a claim hung"

            won = [i for i, result in enumerate(results) if result == "won"]
            assert len(won) == 1, f"round {round_no}: {results!r}"
            loser = results[1 - won[0]]
            assert type(loser) is InvalidInput, f"round {round_no}: {loser!r}"
            assert loser.key == "error.already_taken"
            winner = technicians[won[0]]
            setup.expire_all()
            stored = setup.get(ServiceRequest, job.id)
            assert (stored.technician_id, stored.status) == (winner.id, RequestStatus.DISPATCHED), f"round {round_no}"
            wins[winner.name] += 1
        elapsed = time.perf_counter() - started

        after_the_window = utcnow() + audit.REFUSAL_WINDOW + timedelta(seconds=1)
        for technician in technicians:
            audit.record_refusal(setup, estate.id, setup.get(User, technician.id), "request_refused",
                                 now=after_the_window)
        setup.commit()
        refusals = setup.exec(select(AuditEntry).where(
            AuditEntry.estate_id == estate.id, AuditEntry.action == "request_refused")).all()
        claimed = setup.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.estate_id == estate.id, AuditEntry.action == "request_claimed")).one()
        accounted = len(refusals) - len(technicians) + sum(e.detail.get("suppressed", 0) for e in refusals)
        assert (claimed, accounted) == (ROUNDS, ROUNDS), "every refusal is written or counted as suppressed"
        assert sum(jobs.open_jobs(setup, t.id) for t in technicians) == ROUNDS
        print(f"\nclaim race: {ROUNDS} rounds in {elapsed:.1f}s ({elapsed / ROUNDS * 1000:.1f} ms/round); "
              f"wins {dict(wins)}")

"""The real PostgreSQL and Redis of this machine: whether they answer, and which backends the suite runs on
(throwaway databases on them come from `devtools.databases`, shared with the benchmark)."""

import os
from functools import cache

import psycopg
import redis

from devtools.databases import PG_ADMIN, REDIS_URL, create_pg_database, drop_pg_database

__all__ = ["PG_ADMIN", "REDIS_URL", "REQUIRE_SERVICES", "BACKENDS", "backends", "create_pg_database",
           "drop_pg_database", "postgres_answers", "redis_answers"]

REQUIRE_SERVICES = os.environ.get("ESTATE_REQUIRE_SERVICES") == "1"
BACKENDS = tuple(name.strip() for name in os.environ.get("ESTATE_BACKENDS", "").split(",") if name.strip())
"""`ESTATE_BACKENDS=sqlite` (e.g. `make test-fast`) keeps the run to those backends; unset: every one that answers."""
KNOWN_BACKENDS = ("sqlite", "postgresql")


@cache
def postgres_answers() -> bool:
    """Whether PostgreSQL accepts a connection right now."""
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@cache
def redis_answers() -> bool:
    """Whether Redis answers PING right now."""
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


def backends() -> list[str]:
    """Database backends the suite runs against: SQLite always, PostgreSQL whenever it answers; only those named
    in `ESTATE_BACKENDS` when it is set.

    With ESTATE_REQUIRE_SERVICES=1 (set by CI) a silent PostgreSQL or Redis is an error, not a smaller run.
    """
    unknown = set(BACKENDS) - set(KNOWN_BACKENDS)
    if unknown:
        raise RuntimeError(f"ESTATE_BACKENDS names unknown backends {sorted(unknown)}; known: {KNOWN_BACKENDS}")
    if BACKENDS and "postgresql" not in BACKENDS:
        return ["sqlite"]
    if REQUIRE_SERVICES and not (postgres_answers() and redis_answers()):
        raise RuntimeError("ESTATE_REQUIRE_SERVICES=1 but PostgreSQL or Redis does not answer on 127.0.0.1")
    available = ["sqlite", "postgresql"] if postgres_answers() else ["sqlite"]
    return [name for name in available if not BACKENDS or name in BACKENDS]

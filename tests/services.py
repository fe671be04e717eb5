"""The real PostgreSQL and Redis of this machine: whether they answer, and throwaway databases on them."""

import os
import uuid
from functools import cache

import psycopg
import redis

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
REDIS_URL = "redis://127.0.0.1:6379/0"
REQUIRE_SERVICES = os.environ.get("ESTATE_REQUIRE_SERVICES") == "1"


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
    """Database backends the suite runs against: SQLite always, PostgreSQL whenever it answers.

    With ESTATE_REQUIRE_SERVICES=1 (set by CI) a silent PostgreSQL or Redis is an error, not a smaller run.
    """
    if REQUIRE_SERVICES and not (postgres_answers() and redis_answers()):
        raise RuntimeError("ESTATE_REQUIRE_SERVICES=1 but PostgreSQL or Redis does not answer on 127.0.0.1")
    return ["sqlite", "postgresql"] if postgres_answers() else ["sqlite"]


def create_pg_database() -> tuple[str, str]:
    """Create a uniquely named empty database; returns (name, SQLAlchemy URL)."""
    name = f"estate_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(name: str) -> None:
    """Drop a database made by `create_pg_database`, closing any connection still open."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

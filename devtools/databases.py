"""This machine's PostgreSQL and Redis as the tests and the benchmark use them: throwaway PostgreSQL databases."""

import uuid

import psycopg

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_URL = f"{REDIS_SERVER}/0"


def create_pg_database(prefix: str = "estate_test", durable: bool = False) -> tuple[str, str]:
    """Create a uniquely named empty database (`prefix_…`); returns (name, SQLAlchemy URL).

    Its data is thrown away afterwards, so unless `durable` (the benchmark measures commits as production makes
    them) commits there do not wait for the disk: `synchronous_commit = off` for that database only, so a crash
    could lose the last moments of a test run, never another database's data. (`fsync` is server-wide and left
    alone.)"""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        if not durable:
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return name, f"{PG_SERVER}/{name}"


def drop_pg_database(name: str) -> None:
    """Drop a database made by `create_pg_database`, closing any connection still open."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

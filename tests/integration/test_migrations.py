"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import estate_pwa.models  # noqa: F401  (defines the tables)
from estate_pwa.core.db import get_engine
from estate_pwa.manage import alembic_config, migrate
from tests import services


@pytest.fixture(params=services.backends())
def empty_db(request, tmp_path):
    """A brand-new empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        yield url
        get_engine(url).dispose()
        return
    name, url = services.create_pg_database()
    try:
        yield url
    finally:
        get_engine(url).dispose()
        services.drop_pg_database(name)


def test_empty_database_upgrades_to_head(empty_db):
    migrate(empty_db)
    head = ScriptDirectory.from_config(alembic_config(empty_db)).get_current_head()
    with get_engine(empty_db).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)


def test_models_and_migrations_agree(empty_db):
    """Autogenerate, run against a migrated database, finds nothing to change."""
    migrate(empty_db)
    with get_engine(empty_db).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []


def test_downgrade_to_base_and_back(empty_db):
    migrate(empty_db)
    command.downgrade(alembic_config(empty_db), "base")
    with get_engine(empty_db).connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    migrate(empty_db)
    with get_engine(empty_db).connect() as conn:
        assert set(inspect(conn).get_table_names()) - {"alembic_version"} == set(SQLModel.metadata.tables)


def test_upgrade_keeps_existing_rows_and_fills_new_settings(empty_db):
    """An estate created under the first migration survives later ones, with the new settings' defaults."""
    command.upgrade(alembic_config(empty_db), "0001_foundation")
    with get_engine(empty_db).begin() as conn:
        conn.execute(text("INSERT INTO estate (created_at, name, code, timezone) "
                          "VALUES (CURRENT_TIMESTAMP, '老小区', 'old', 'Asia/Shanghai')"))
        conn.execute(text("INSERT INTO building (estate_id, name, floors) "
                          "SELECT id, '1栋', 6 FROM estate WHERE code = 'old'"))
    migrate(empty_db)
    with get_engine(empty_db).connect() as conn:
        row = conn.execute(text("SELECT name, auto_dispatch, followup_percent, open_jobs_cap FROM estate")).one()
        buildings = conn.execute(text("SELECT count(*) FROM building")).scalar_one()
    assert tuple(row) == ("老小区", False, 30, 5)
    assert buildings == 1

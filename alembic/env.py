"""Alembic environment: the schema is every table in `estate_pwa.models`; the URL comes from settings."""

from alembic import context
from sqlmodel import SQLModel

import estate_pwa.models  # noqa: F401  (defines the tables)
from estate_pwa.core.db import get_engine

target_metadata = SQLModel.metadata


def _render_item(type_, obj, autogen_context):
    """Make generated scripts import sqlmodel for its column types."""
    autogen_context.imports.add("import sqlmodel")
    return False


def run_migrations_online() -> None:
    """Run the migrations; on SQLite, rebuild tables the way SQLite documents (foreign keys off, then checked)."""
    with get_engine(context.config.get_main_option("sqlalchemy.url")).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=_render_item,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("a migration left rows whose foreign keys point nowhere")
        connection.commit()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()

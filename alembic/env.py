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
    """Run migrations on the configured database (or a connection handed in by the caller)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with get_engine(context.config.get_main_option("sqlalchemy.url")).connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

"""The demo estate made once per test run and copied into each app's database.

Making the demo (90 days of history, through the services) costs a minute of CPU on SQLite and several on
PostgreSQL; a run starts three apps. The first app's loader makes it once in a SQLite file beside the run's temp
dirs (under a file lock, so pytest-xdist workers share it), with its photos beside it, and every app gets a copy:
a file copy on SQLite, the rows copied table by table into a freshly migrated database on PostgreSQL, and the
photos copied into the app's own media directory. `tests/unit/test_demo.py` still loads the demo through the
services on each backend; this only spares the apps from doing it again.
"""

import fcntl
import os
import shutil
import sys
from pathlib import Path

from sqlalchemy import Integer, func, select, text
from sqlmodel import SQLModel

import estate_pwa.models  # noqa: F401  (every table in the metadata)
from estate_pwa.core.config import MEDIA_DIR_ENV
from estate_pwa.core.db import get_engine
from estate_pwa.manage import load_demo, migrate

BATCH = 2000
"""Rows per INSERT when copying into PostgreSQL."""


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _media(template: Path) -> Path:
    return template.with_name(template.name + ".media")


def ensure(template: Path) -> Path:
    """The migrated SQLite database holding the demo estate at `template` (its photos in `<template>.media`), made
    now unless another process of the run made it already (it waits for that one)."""
    with open(template.with_name(template.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            making = template.with_name(template.name + ".making")
            making.unlink(missing_ok=True)
            shutil.rmtree(_media(template), ignore_errors=True)
            os.environ[MEDIA_DIR_ENV] = str(_media(template))
            migrate(_sqlite_url(making))
            load_demo(_sqlite_url(making))
            get_engine(_sqlite_url(making)).dispose()
            making.rename(template)
    return template


def copy_into(template: Path, url: str, media_dir: Path) -> None:
    """Give the database at `url` (an empty SQLite file's or PostgreSQL database's) the template's schema and rows,
    and `media_dir` its photos."""
    if _media(template).exists():
        shutil.copytree(_media(template), media_dir, dirs_exist_ok=True)
    if url.startswith("sqlite:///"):
        shutil.copyfile(template, url.removeprefix("sqlite:///"))
        return
    migrate(url)
    source, target = get_engine(_sqlite_url(template)), get_engine(url)
    with source.connect() as reading, target.begin() as writing:
        writing.execute(text("SET session_replication_role = replica"))  # rows arrive whole: no FK order needed
        for table in SQLModel.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in reading.execute(select(table))]
            for start in range(0, len(rows), BATCH):
                writing.execute(table.insert(), rows[start:start + BATCH])
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto") and rows:
                    writing.execute(select(func.setval(
                        func.pg_get_serial_sequence(table.name, column.name),
                        select(func.max(column)).scalar_subquery())))
    source.dispose()
    target.dispose()


def main(argv: list[str]) -> int:
    """`python -m devtools.demo_template TEMPLATE URL MEDIA_DIR`: make the template if need be, then copy it."""
    template, url, media_dir = Path(argv[0]), argv[1], Path(argv[2])
    copy_into(ensure(template), url, media_dir)
    print(f"demo estate copied from {template} into {url.split('@')[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

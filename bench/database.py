"""What the database benchmarks share: a throwaway migrated database per backend, and the table of medians."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devtools import databases
from estate_pwa.core.db import get_engine
from estate_pwa.manage import migrate


@contextmanager
def throwaway(backend: str) -> Iterator[str]:
    """The URL of a new, migrated database on `backend` ("sqlite" or "postgresql"), removed afterwards."""
    pg_name = None
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as tmp:
        if backend == "sqlite":
            db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        else:
            pg_name, db_url = databases.create_pg_database("estate_bench")
        try:
            migrate(db_url)
            yield db_url
        finally:
            get_engine(db_url).dispose()
            if pg_name:
                databases.drop_pg_database(pg_name)


def print_medians(results: dict[str, dict[str, float]], runs: int) -> None:
    """One row per figure, one column per backend (milliseconds)."""
    backends = list(results)
    print(f"\nmedian of {runs} runs, ms")
    print(f"{'':44}" + "".join(f"{b:>12}" for b in backends))
    for key in results[backends[0]]:
        print(f"{key:44}" + "".join(f"{results[b][key]:12.1f}" for b in backends))

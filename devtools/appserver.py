"""The real app in production mode (`reflex run --env prod`) on a free port: `serve` runs it with any settings
(the benchmark's runs), `run_app` with demo data on SQLite or on PostgreSQL + Redis with two workers (the tests')."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from estate_pwa.core.db import get_engine
from devtools import databases
from estate_pwa.manage import load_demo, migrate

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(os.sys.executable).parent
START_TIMEOUT = 300
PATROL_CLOCK_SECONDS = 2
"""The running app's patrol clock ticks this often, so tests can watch it work."""


@dataclass
class RunningApp:
    """A started app: where it answers and which database it uses."""

    backend: str
    url: str
    db_url: str
    log: Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200 and \
                    httpx.get(f"{url}/login/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app did not answer within {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the app and its workers (the whole process group), whether or not it is still running."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def serve(settings: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `reflex run --env prod` on a free port with `settings` added to the environment, logging to `log`;
    yield its URL and process once it answers, and stop it with its workers afterwards."""
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--frontend-port", str(port),
             "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url, process
    finally:
        _stop(process)


def _redis_keys() -> set[bytes]:
    return set(redis.Redis.from_url(databases.REDIS_URL).scan_iter(count=1000))


def run_app(backend: str, workdir: Path):
    """Start the app (migrated, with demo data), yield it, then stop it and remove what it created."""
    pg_name = None
    settings = {"ESTATE_PATROL_CLOCK_SECONDS": str(PATROL_CLOCK_SECONDS)}
    if backend == "sqlite":
        db_url = f"sqlite:///{workdir / 'app.db'}"
    else:
        pg_name, db_url = databases.create_pg_database()
        settings.update(REFLEX_REDIS_URL=databases.REDIS_URL, GRANIAN_WORKERS="2")
    settings["REFLEX_DB_URL"] = db_url
    keys_before = _redis_keys() if backend != "sqlite" else set()
    migrate(db_url)
    load_demo(db_url)
    log = workdir / f"app-{backend}.log"
    try:
        with serve(settings, log) as (url, _):
            yield RunningApp(backend=backend, url=url, db_url=db_url, log=log)
    finally:
        get_engine(db_url).dispose()
        if pg_name:
            databases.drop_pg_database(pg_name)
            created = _redis_keys() - keys_before
            if created:
                redis.Redis.from_url(databases.REDIS_URL).delete(*created)

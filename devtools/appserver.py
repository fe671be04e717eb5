"""The real app in production mode (`reflex run --env prod`) on a free port: `serve` runs it with any settings
(the benchmark's runs), `run_app` with demo data on SQLite or on PostgreSQL + Redis with two workers (the tests').

The production frontend build (compile + export, ~20 s) is made once per process: the tests' apps share one port
(`test_port`), and an app started on the port of the last build, with the app's sources unchanged since, serves that
build (`devtools.prebuilt`) instead of making it again."""

import hashlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from devtools import databases, reflex_run
from estate_pwa.core.config import MEDIA_DIR_ENV
from estate_pwa.core.db import get_engine

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
    web_dir: Path
    """Where its frontend was built (`.web` unless the app was given its own)."""
    media_dir: Path
    """Where it stores photos (its own: apps running at the same time never see each other's files)."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_port() -> int:
    """The port every app of this process runs on, one after the other, so they can share one frontend build: picked
    once, outside the kernel's range for outgoing connections (none can take it between two apps); a new one if
    something else has taken it since."""
    global _test_port
    if _test_port is None or not _is_free(_test_port):
        low, high = 20_000, 32_000
        _test_port = next(p for p in iter(lambda: random.randrange(low, high), None) if _is_free(p))
    return _test_port


_test_port: int | None = None


def _is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
        except OSError:
            return False
    return True


def _sources() -> str:
    """A fingerprint of what the frontend build is made from: the app's code and assets, the Reflex config and the
    locked frontend packages (every file's path and content; a build rewrites reflex.lock with the same content)."""
    digest = hashlib.sha256()
    for base in (ROOT / "estate_pwa", ROOT / "assets", ROOT / "reflex.lock", ROOT / "rxconfig.py"):
        for path in sorted([base] if base.is_file() else base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(ROOT)}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _built(settings: dict[str, str]) -> Path:
    """Where `reflex run --env prod` puts the frontend it builds, and the backend serves it from."""
    return Path(settings.get("REFLEX_WEB_WORKDIR") or os.environ.get("REFLEX_WEB_WORKDIR") or ROOT / ".web") / \
        "build" / "client"


def _build_stamp(built: Path) -> int | None:
    """When the build in `built` was made (None: there is none)."""
    index = built / "index.html"
    return index.stat().st_mtime_ns if index.is_file() else None


TIMINGS: list[str] = []
"""How long each app of this process took to start, and why (the suite prints them at the end)."""
_last_build: tuple[Path, int, str, int | None] | None = None
"""(where, port, sources, stamp) of the frontend build this process made last."""


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, built: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                if httpx.get(f"{url}/login/", timeout=5).status_code == 200:
                    return
                if _build_stamp(built) is None:
                    raise RuntimeError(f"the app answers but serves no frontend ({built} is missing)")
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
def serve(settings: dict[str, str], log: Path, port: int | None = None,
          while_building: Callable[[], None] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run `reflex run --env prod` on `port` (a free one if not given) with `settings` added to the environment,
    logging to `log`; yield its URL and process once it answers, and stop it with its workers afterwards.

    `while_building` (e.g. waiting for the database) runs while Reflex builds the frontend; the server starts once
    it has returned. On the port of this process's last frontend build, with the sources unchanged and the build
    untouched since, the app serves that build instead of making it again (both through devtools.reflex_run)."""
    global _last_build
    port = port or free_port()
    sources = _sources()
    built = _built(settings)
    reuse = _last_build is not None and _last_build == (built, port, sources, _build_stamp(built))
    go = log.with_name(f"{log.name}.go")
    go.unlink(missing_ok=True)
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        reflex_run.REUSE_BUILD: "1" if reuse else "",
        reflex_run.START_AFTER: str(go) if while_building else "",
        **settings,
    }
    command = [str(VENV_BIN / "python"), "-m", "devtools.reflex_run"] if reuse or while_building else \
        [str(VENV_BIN / "reflex")]
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "run", "--env", "prod", "--frontend-port", str(port), "--backend-port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        if while_building:
            while_building()
            go.touch()
        _wait_until_up(url, process, log, built)
        if not reuse:
            _last_build = (built, port, sources, _build_stamp(built))
        TIMINGS.append(f"{log.name}: answering {time.monotonic() - started:.1f} s after `reflex run` started "
                       f"({'reused the frontend build' if reuse else 'built the frontend'})")
        yield url, process
    finally:
        _stop(process)


REDIS_OWNER_KEY = "estate-tests:owner"


@contextmanager
def _redis_database() -> Iterator[str]:
    """The URL of an empty Redis database index claimed for one app (from 1 up; the benchmark claims from 15
    down): nothing else writes there, so the app's keys are removed by emptying it afterwards, and two apps (two
    runs, or two pytest-xdist workers) never touch each other's keys."""
    for index in range(1, 16):
        client = redis.Redis.from_url(f"{databases.REDIS_SERVER}/{index}")
        if client.dbsize() == 0 and client.set(REDIS_OWNER_KEY, os.getpid(), nx=True):
            try:
                yield f"{databases.REDIS_SERVER}/{index}"
            finally:
                client.flushdb()
            return
    raise RuntimeError("no empty Redis database index (1-15) to use")


class Database:
    """A database for one app (SQLite file or throwaway PostgreSQL database) holding the demo estate, filled by a
    background process which starts at once: `ready()` waits for it. The demo is made once in `template` (a
    SQLite file that apps of the same run share, pytest-xdist workers included) and copied into each database
    (devtools/demo_template.py). The suite starts making the next app's database while the first app's tests run."""

    def __init__(self, backend: str, workdir: Path, template: Path | None = None) -> None:
        self.backend = backend
        self.media_dir = workdir / "media"
        """The photos of the app using this database (the demo's first)."""
        self._pg_name = None
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / 'app.db'}"
        else:
            self._pg_name, self.url = databases.create_pg_database()
        self._log = workdir / f"data-{backend}.log"
        self._started = time.monotonic()
        with self._log.open("w") as out:
            self._process = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "devtools.demo_template", str(template or workdir / "demo.db"),
                 self.url, str(self.media_dir)],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self._waited = False

    def ready(self) -> str:
        """Wait until the database is migrated and loaded; its URL."""
        if self._process.wait() != 0:
            raise RuntimeError(f"loading the {self.backend} database failed:\n{self._log.read_text()[-3000:]}")
        if not self._waited:
            self._waited = True
            seconds = time.monotonic() - self._started
            TIMINGS.append(f"{self.backend}: migrated and demo estate copied in {seconds:.1f} s "
                           "(made first, unless another app of the run had made it)")
        return self.url

    def drop(self) -> None:
        """Stop loading if it still runs, and remove the database."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        get_engine(self.url).dispose()
        if self._pg_name:
            databases.drop_pg_database(self._pg_name)


def run_app(backend: str, workdir: Path, database: Database | None = None, web_dir: Path | None = None):
    """Start the app with demo data (on `database`, made now if not given), yield it, then stop it and remove what
    it created (the database too, unless it was given). The frontend builds while the database loads, in `web_dir`
    (default `.web`; apps running at the same time need one each)."""
    with ExitStack() as cleanup:
        if database is None:
            database = Database(backend, workdir)
            cleanup.callback(database.drop)
        settings = {"ESTATE_PATROL_CLOCK_SECONDS": str(PATROL_CLOCK_SECONDS), "REFLEX_DB_URL": database.url,
                    "REFLEX_STATES_WORKDIR": str(workdir / "states"),  # Reflex empties it at start: one per app
                    MEDIA_DIR_ENV: str(database.media_dir)}
        if web_dir:
            settings["REFLEX_WEB_WORKDIR"] = str(web_dir)
        if backend != "sqlite":
            settings.update(REFLEX_REDIS_URL=cleanup.enter_context(_redis_database()), GRANIAN_WORKERS="2")
        log = workdir / f"app-{backend}.log"
        with serve(settings, log, test_port(), while_building=database.ready) as (url, _):
            yield RunningApp(backend=backend, url=url, db_url=database.url, log=log, web_dir=web_dir or ROOT / ".web",
                             media_dir=database.media_dir)

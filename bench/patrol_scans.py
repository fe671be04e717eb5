"""Patrol scans under load: many guards scanning at once over the Reflex websocket, against the app in production
mode with 2 granian workers and Redis, on SQLite and on PostgreSQL, next to a trivial handler that inserts one row.

    .venv/bin/python -m bench.patrol_scans [--sessions 200] [--seconds 20] [--backend sqlite|postgresql|both]

It needs the test extras (`make install-test`: psutil, python-socketio), PostgreSQL and Redis on 127.0.0.1.

Per backend:

1. A fresh database (a SQLite file in a temporary directory, or a uniquely named PostgreSQL database, dropped
   afterwards), migrated. One estate with a 24-hour shift that began 2 hours ago and one guard on it per session;
   50 checkpoints on a circular walk, neighbours 0.5 m apart; one route per guard through all 50 with one window a
   day, which began 5 minutes ago (the round is made by services.patrol.generate_rounds and started with
   start_round). Each guard gets a session token written directly, as a login would (no 200 argon2 logins).
2. The app (`reflex run --env prod`) as bench/app.py builds it (REFLEX_APP_MODULE_IMPORT=bench.app: the shipped
   app plus the yardstick state of bench/yardstick.py, BenchState, compiled into that run's frontend),
   GRANIAN_WORKERS=2 and REFLEX_REDIS_URL on an empty Redis database index claimed for the run (emptied
   afterwards). Its web directory is kept in the system's temporary directory (estate-bench-web), outside the
   repository, so the run neither touches the repository's .web nor waits for it.
3. One socket.io connection per guard, hydrated with the guard's token on a page without on_load handlers, then
   one warm-up call of each handler per connection.
4. For `--seconds`, every connection sends one item to ScanState.sync, waits for the update that carries the
   item's uid (the acknowledgement; latency = send to that update) and sends the next; then the same with
   BenchState.insert, which takes the same payload, resolves the actor the same way and inserts one audit entry.
5. Rows in the database against acknowledged uids, the scans' outcomes, and each granian worker's RSS at the end
   of each phase.

Scans are realistic: guard n starts at checkpoint n mod 49 and walks round the loop, skipping the 50th stop so the
round stays in progress. The phone time ("at") is the moment each scan is sent, as for a guard online. A real
guard's scans are minutes apart and counted; here they follow each other as fast as they are answered, so the
checkpoints are close: walking to the next takes 0.2 s (0.4 s past the skipped stop), and a scan answered more
slowly than that is counted until the guard has counted 49 stops; later scans are duplicates ("already counted in
this round"), and a scan sent sooner than walking allows is flagged too_fast. All are stored and acknowledged.

Columns: scans/s is acknowledged timed requests per second of the phase (one item each; for the trivial handler,
inserts); errors are requests with no acknowledgement within 30 s, or answered with Reflex's backend error;
acked, rows and lost (acknowledged but not stored) include the warm-up calls; app CPU is the two workers' CPU
time per second (100% = one core), client CPU the load generator's, host busy the whole machine's (100% = all
cores; other work on the machine shows here). The exit status is non-zero only when something acknowledged was
not stored, or the run crashed.
"""

import argparse
import asyncio
import itertools
import json
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import quantiles
from zoneinfo import ZoneInfo

import psutil
import redis
import socketio
from reflex.state import State
from sqlmodel import Session, select

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine, session_scope
from estate_pwa.core.security import hash_password, hash_token, new_session_token
from estate_pwa.manage import migrate
from estate_pwa.models import (
    Area, AreaKind, AuditEntry, AuthSession, DutyAssignment, Estate, PatrolRound, PatrolScan, Role, Shift, User,
    UserRole,
)
from estate_pwa.services import patrol
from estate_pwa.services.permissions import actor_for
from estate_pwa.states.patrol import ScanState
from estate_pwa.states.session import SessionState

from bench.yardstick import ACTION as BENCH_ACTION, BenchState
from devtools.appserver import serve
from devtools.databases import REDIS_SERVER, create_pg_database, drop_pg_database

WEB_DIR = Path(tempfile.gettempdir()) / "estate-bench-web"
APP_MODULE = "bench.app"
"""The app with the yardstick state, run in place of `estate_pwa.estate_pwa` (Reflex's `app_module_import`)."""
REDIS_OWNER_KEY = "estate-bench:owner"
WORKERS = 2

STOPS = 50
SCANNED_STOPS = STOPS - 1
LOOP_CENTRE = (31.2300, 121.4700)
LOOP_RADIUS_M = 4.0
METRES_PER_DEGREE = 111_195.0
SHIFT_STARTED = timedelta(hours=2)
ROUND_STARTED = timedelta(minutes=5)
ROUND_MINUTES = 720

PAGE = "/bench"
HYDRATE = f"{State.get_full_name()}.hydrate_and_load"
TOKEN_VAR = f"{SessionState.get_full_name()}.token_rx_state_"
HYDRATED = '"is_hydrated_rx_state_": true'
BACKEND_ERROR = "backend_error"
SCAN_EVENT = f"{ScanState.get_full_name()}.sync"
TRIVIAL_EVENT = f"{BenchState.get_full_name()}.insert"
ANSWER_TIMEOUT = 30.0
CONNECT_AT_ONCE = 20

TARGET_RATIO = 0.8
RSS_LIMIT_MB = 200


@dataclass(frozen=True)
class Seeded:
    """What the load needs from the seeded database: one device token per guard and the checkpoints' codes."""

    device_tokens: list[str]
    codes: list[str]


@dataclass
class Phase:
    """The figures of one handler under load."""

    handler: str
    sessions: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    acknowledged: set[str] = field(default_factory=set)
    rows: int = 0
    lost: int = 0
    outcomes: Counter = field(default_factory=Counter)
    worker_rss_mb: list[float] = field(default_factory=list)
    app_cpu: float = 0.0
    client_cpu: float = 0.0
    host_cpu: float = 0.0

    @property
    def rate(self) -> float:
        """Acknowledged requests per second of the timed part."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, percent: int) -> float:
        """A latency percentile in milliseconds (0 without data)."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        return quantiles(self.latencies, n=100)[percent - 1] * 1000


# The database

def on_loop(stop: int) -> tuple[float, float]:
    """Latitude and longitude of a stop on the circular walk (neighbours 0.5 m apart)."""
    angle = 2 * math.pi * stop / STOPS
    north, east = LOOP_RADIUS_M * math.cos(angle), LOOP_RADIUS_M * math.sin(angle)
    latitude = LOOP_CENTRE[0] + north / METRES_PER_DEGREE
    return latitude, LOOP_CENTRE[1] + east / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))


def _user(session: Session, estate: Estate, number: int, name: str, role: Role, password_hash: str) -> User:
    user = User(estate_id=estate.id, phone=f"170{number:08d}", name=name, password_hash=password_hash)
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=role))
    return user


def seed(db_url: str, guards: int, now: datetime) -> Seeded:
    """Migrate an empty database and give `guards` guards on duty a round in progress and a session token each."""
    migrate(db_url)
    with session_scope(db_url) as session:
        estate = Estate(name="巡更压测小区", code=uuid.uuid4().hex[:16])
        session.add(estate)
        session.flush()
        zone = ZoneInfo(estate.timezone)
        shift_start = (now - SHIFT_STARTED).astimezone(zone)
        clock = shift_start.time().replace(second=0, microsecond=0)
        area = Area(estate_id=estate.id, name="环路", kind=AreaKind.ROAD)
        shift = Shift(estate_id=estate.id, name="压测班", starts=clock, ends=clock)
        session.add_all([area, shift])
        session.flush()
        password_hash = hash_password(secrets.token_urlsafe(16))
        manager = _user(session, estate, 0, "压测经理", Role.MANAGER, password_hash)
        people = [_user(session, estate, n, f"保安{n:03d}", Role.GUARD, password_hash) for n in range(1, guards + 1)]
        session.add_all(DutyAssignment(estate_id=estate.id, user_id=guard.id, shift_id=shift.id, role=Role.GUARD,
                                       day=shift_start.date()) for guard in people)
        session.flush()
        boss = actor_for(session, manager)
        points = [patrol.create_point(session, boss, area.id, f"巡更点{n:02d}", "", *on_loop(n)) for n in range(STOPS)]
        first_window = (now - ROUND_STARTED).astimezone(zone)
        starts, ends = f"{first_window:%H:%M}", f"{first_window + timedelta(minutes=1):%H:%M}"
        for n in range(guards):
            patrol.create_route(session, boss, f"压测路线{n:03d}", [p.id for p in points], starts, ends,
                                ROUND_MINUTES, ROUND_MINUTES, 60)
        patrol.generate_rounds(session, estate.id, now - timedelta(hours=1), now + timedelta(hours=1), now)
        rounds = session.exec(select(PatrolRound).where(PatrolRound.estate_id == estate.id)).all()
        if sorted(r.guard_id for r in rounds) != sorted(g.id for g in people):
            raise RuntimeError("seeding did not give every guard exactly one round")
        for patrol_round in rounds:
            patrol.start_round(session, actor_for(session, session.get(User, patrol_round.guard_id)),
                               patrol_round.id, now)
        device_tokens = [new_session_token() for _ in people]
        session.add_all(AuthSession(user_id=guard.id, token_hash=hash_token(token), expires_at=now + timedelta(days=1))
                        for guard, token in zip(people, device_tokens))
        return Seeded(device_tokens, [patrol.point_token(p) for p in points])


def count_rows(db_url: str, scan: Phase, trivial: Phase) -> None:
    """Fill in rows, lost and the scans' outcomes from what the database holds."""
    with session_scope(db_url) as session:
        scans = session.exec(select(PatrolScan.scan_uid, PatrolScan.outcome)).all()
        entries = session.exec(select(AuditEntry.detail).where(AuditEntry.action == BENCH_ACTION)).all()
    scan.outcomes = Counter(outcome for _, outcome in scans)
    scan.rows, scan.lost = len(scans), len(scan.acknowledged - {uid for uid, _ in scans})
    trivial.rows = len(entries)
    trivial.lost = len(trivial.acknowledged - {uid for detail in entries for uid in detail.get("uids", [])})


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file in `workdir`, or a PostgreSQL database (estate_bench_…) dropped
    afterwards."""
    if backend == "sqlite":
        db_url = f"sqlite:///{workdir / 'bench.db'}"
        try:
            yield db_url
        finally:
            get_engine(db_url).dispose()
        return
    name, db_url = create_pg_database("estate_bench", durable=True)
    try:
        yield db_url
    finally:
        get_engine(db_url).dispose()
        drop_pg_database(name)


@contextmanager
def redis_database() -> Iterator[str]:
    """The URL of an empty Redis database index claimed for this run; emptied afterwards."""
    for index in range(15, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{index}")
        if client.dbsize() == 0 and client.set(REDIS_OWNER_KEY, os.getpid(), nx=True):
            try:
                yield f"{REDIS_SERVER}/{index}"
            finally:
                client.flushdb()
            return
    raise RuntimeError("no empty Redis database index (1-15) to use")


# The app

@dataclass(frozen=True)
class RunningApp:
    """The started app: its URL and the process whose children are the granian workers."""

    url: str
    process: subprocess.Popen


@contextmanager
def running_app(db_url: str, redis_url: str, workdir: Path) -> Iterator[RunningApp]:
    """The app in production mode with the bench state, 2 workers and Redis; stopped with its workers afterwards."""
    settings = {"REFLEX_WEB_WORKDIR": str(WEB_DIR), "REFLEX_DB_URL": db_url, "REFLEX_REDIS_URL": redis_url,
                "GRANIAN_WORKERS": str(WORKERS), "REFLEX_APP_MODULE_IMPORT": APP_MODULE}
    with serve(settings, workdir / "app.log") as (url, process):
        yield RunningApp(url, process)


def workers(app: RunningApp) -> list[psutil.Process]:
    """The granian worker processes (forked children of the app's main process)."""
    return [child for child in psutil.Process(app.process.pid).children() if "reflex" in " ".join(child.cmdline())]


# The phones

class GuardPhone:
    """One guard's phone: a socket.io connection speaking Reflex's event protocol, one request in flight."""

    def __init__(self, base_url: str, device_token: str) -> None:
        self.base_url = base_url
        self.device_token = device_token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace="/_event")
        self._expected = ""
        self._answer: asyncio.Future | None = None

    async def _on_update(self, update: dict) -> None:
        if self._answer is None or self._answer.done():
            return
        text = json.dumps(update, ensure_ascii=False)
        if self._expected in text:
            self._answer.set_result(True)
        elif BACKEND_ERROR in text:
            self._answer.set_result(False)

    async def open(self) -> None:
        """Connect and hydrate like a browser whose local storage holds the guard's token."""
        await self.sio.connect(f"{self.base_url}?token={uuid.uuid4()}", socketio_path="/_event",
                               namespaces=["/_event"], transports=["websocket"], wait_timeout=ANSWER_TIMEOUT)
        if not await self.request(HYDRATE, {"vars": {TOKEN_VAR: self.device_token}}, HYDRATED):
            raise RuntimeError("hydrate failed")

    async def request(self, event: str, payload: dict, expected: str) -> bool:
        """Send one event; True once an update containing `expected` arrives, False on a backend error.

        Raises TimeoutError when neither comes within ANSWER_TIMEOUT.
        """
        self._expected, self._answer = expected, asyncio.get_running_loop().create_future()
        try:
            await self.sio.emit("event", {"name": event, "payload": payload,
                                          "router_data": {"pathname": PAGE, "asPath": PAGE}}, namespace="/_event")
            return await asyncio.wait_for(self._answer, ANSWER_TIMEOUT)
        finally:
            self._answer = None

    async def close(self) -> None:
        """Disconnect."""
        await self.sio.disconnect()


def items_for(guard: int, base_url: str, codes: list[str]) -> Iterator[dict]:
    """The guard's endless walk round the loop: one sync item per scan, timed by the phone when it is sent."""
    for step in itertools.count():
        yield {"code": f"{base_url}/p/{codes[(guard + step) % SCANNED_STOPS]}", "uid": uuid.uuid4().hex,
               "at": utcnow().isoformat()}


async def _call(phone: GuardPhone, event: str, item: dict, phase: Phase) -> float | None:
    """One acknowledged request's latency in seconds, or None (counted as an error)."""
    started = time.perf_counter()
    try:
        answered = await phone.request(event, {"items": [item]}, item["uid"])
    except (TimeoutError, socketio.exceptions.SocketIOError):
        answered = False
    if not answered:
        phase.errors += 1
        return None
    phase.acknowledged.add(item["uid"])
    return time.perf_counter() - started


async def _keep_sending(phone: GuardPhone, event: str, items: Iterator[dict], deadline: float, phase: Phase) -> None:
    for item in items:
        if time.monotonic() >= deadline or not phone.sio.connected:
            return
        latency = await _call(phone, event, item, phase)
        if latency is not None:
            phase.latencies.append(latency)


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes)


async def run_phase(app: RunningApp, phones: list[GuardPhone], walks: list[Iterator[dict]], event: str,
                    phase: Phase, seconds: float) -> None:
    """All phones send `event` back to back for `seconds`; the figures land in `phase`."""
    app_workers, me = workers(app), psutil.Process()
    app_cpu, client_cpu = _cpu_seconds(app_workers), _cpu_seconds([me])
    psutil.cpu_percent()
    started = time.monotonic()
    await asyncio.gather(*(_keep_sending(phone, event, walk, started + seconds, phase)
                           for phone, walk in zip(phones, walks)))
    phase.elapsed = time.monotonic() - started
    phase.app_cpu = (_cpu_seconds(app_workers) - app_cpu) / phase.elapsed
    phase.client_cpu = (_cpu_seconds([me]) - client_cpu) / phase.elapsed
    phase.host_cpu = psutil.cpu_percent() / 100
    phase.worker_rss_mb = [p.memory_info().rss / 2**20 for p in app_workers]


async def _limited(coroutines: list, at_once: int) -> list:
    gate = asyncio.Semaphore(at_once)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


async def measure(app: RunningApp, seeded: Seeded, seconds: float) -> tuple[Phase, Phase]:
    """Open one hydrated connection per guard, warm both handlers up, then time the scan and the trivial handler."""
    phones = [GuardPhone(app.url, token) for token in seeded.device_tokens]
    scan_walks = [items_for(n, app.url, seeded.codes) for n in range(len(phones))]
    trivial_walks = [items_for(n, app.url, seeded.codes) for n in range(len(phones))]
    scan, trivial = Phase("scan", len(phones)), Phase("trivial", len(phones))
    await _limited([phone.open() for phone in phones], CONNECT_AT_ONCE)
    try:
        await _limited([_call(phone, SCAN_EVENT, next(walk), scan) for phone, walk in zip(phones, scan_walks)],
                       CONNECT_AT_ONCE)
        await _limited([_call(phone, TRIVIAL_EVENT, next(walk), trivial)
                        for phone, walk in zip(phones, trivial_walks)], CONNECT_AT_ONCE)
        await run_phase(app, phones, scan_walks, SCAN_EVENT, scan, seconds)
        await run_phase(app, phones, trivial_walks, TRIVIAL_EVENT, trivial, seconds)
    finally:
        await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    return scan, trivial


def run_backend(backend: str, sessions: int, seconds: float) -> tuple[Phase, Phase]:
    """Seed, start the app and measure both handlers on one backend (everything made is removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="estate-bench-") as tmp, database(backend, Path(tmp)) as db_url, \
            redis_database() as redis_url:
        print(f"[{backend}] seeding {sessions} guards …", flush=True)
        seeded = seed(db_url, sessions, utcnow())
        print(f"[{backend}] starting the app (2 workers, Redis {redis_url}) …", flush=True)
        with running_app(db_url, redis_url, Path(tmp)) as app:
            if len(workers(app)) != WORKERS:
                raise RuntimeError(f"expected {WORKERS} granian workers, found {len(workers(app))}")
            print(f"[{backend}] {sessions} sessions × {seconds:g} s per handler …", flush=True)
            scan, trivial = asyncio.run(measure(app, seeded, seconds))
        count_rows(db_url, scan, trivial)
    return scan, trivial


# Output

COLUMNS = ("handler", "sessions", "scans/s", "p50 ms", "p95 ms", "p99 ms", "errors", "acked", "rows", "lost",
           "RSS/worker MB", "app CPU", "client CPU", "host busy")


def _cells(phase: Phase) -> list[str]:
    return [phase.handler, str(phase.sessions), f"{phase.rate:.1f}", f"{phase.percentile_ms(50):.0f}",
            f"{phase.percentile_ms(95):.0f}", f"{phase.percentile_ms(99):.0f}", str(phase.errors),
            str(len(phase.acknowledged)), str(phase.rows), str(phase.lost),
            " / ".join(f"{mb:.0f}" for mb in phase.worker_rss_mb), f"{phase.app_cpu:.0%}", f"{phase.client_cpu:.0%}",
            f"{phase.host_cpu:.0%}"]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(backend: str, seconds: float, scan: Phase, trivial: Phase) -> str:
    """A compact table of both handlers on one backend, the ratio and the scans' outcomes."""
    rows = [list(COLUMNS), _cells(scan), _cells(trivial)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [f"\n{backend} + Redis, {WORKERS} workers, {seconds:g} s per handler"]
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
    ratio = scan.rate / trivial.rate if trivial.rate else 0.0
    heaviest = max(scan.worker_rss_mb + trivial.worker_rss_mb, default=0.0)
    lines.append(f"ratio scan/trivial {ratio:.2f} (target ≥ {TARGET_RATIO}: {_verdict(ratio >= TARGET_RATIO)}); "
                 f"largest worker {heaviest:.0f} MB (target ≤ {RSS_LIMIT_MB}: {_verdict(heaviest <= RSS_LIMIT_MB)})")
    lines.append("scan rows by outcome: " + ", ".join(
        f"{outcome} {scan.outcomes.get(outcome, 0)}" for outcome in ("counted", "duplicate", "too_fast", "refused")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends; non-zero exit when anything acknowledged was not stored."""
    parser = argparse.ArgumentParser(prog="python -m bench.patrol_scans", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200, help="concurrent guard sessions (default 200)")
    parser.add_argument("--seconds", type=float, default=20, help="timed seconds per handler (default 20)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args(argv)
    os.environ[tokens.SECRET_ENV] = secrets.token_hex(32)
    backends = ("sqlite", "postgresql") if options.backend == "both" else (options.backend,)
    lost = 0
    for backend in backends:
        scan, trivial = run_backend(backend, options.sessions, options.seconds)
        print(report(backend, options.seconds, scan, trivial), flush=True)
        lost += scan.lost + trivial.lost
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())

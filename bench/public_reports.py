"""Public report endpoint under a flood: one client posts reports as fast as it can while other people report
from their own phones, against the app in production mode (a fresh database with one estate of AREAS areas), on
SQLite (one worker) and on PostgreSQL + Redis with 2 granian workers.

    flock /tmp/estate-app.lock .venv/bin/python -m bench.public_reports [--seconds 20] [--backend sqlite|postgresql|both]

The flooder is one address (X-Forwarded-For through the app's trusted local proxy, as behind nginx) that drops
its device cookie after every post (a new device each time, the worst case for the per-device limit), with
FLOOD_CONCURRENCY posts in flight. Meanwhile OTHERS people, each their own address and device, each send one
report to an area, one after another across the run. Printed per backend: the flooder's accepted and refused
posts (accepted must not exceed the address limit of the window), refused answers' latency, the others'
successes and latency. Exit status non-zero if the flooder got more than the limit through or anyone else was
refused.
"""

import argparse
import asyncio
import io
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image
from sqlmodel import Session

from devtools import databases
from devtools.appserver import serve
from estate_pwa.core.db import get_engine
from estate_pwa.manage import migrate
from estate_pwa.models import Area, Estate, PlaceKind
from estate_pwa.services.reports import codes, limits

FORM = re.compile(r'name="form" value="([^"]+)"')
FLOOD_CONCURRENCY = 16
OTHERS = 40
AREAS = 12


def _setup(db_url: str) -> list[str]:
    """A migrated database with one estate of AREAS areas (no history: only the report endpoint is measured);
    the areas' posted codes."""
    migrate(db_url)
    with Session(get_engine(db_url)) as session:
        estate = Estate(name="压测小区", code=f"bench{int(time.time())}")
        session.add(estate)
        session.flush()
        areas = [Area(estate_id=estate.id, name=f"{n + 1}号楼大堂", kind="lobby") for n in range(AREAS)]
        session.add_all(areas)
        session.flush()
        tokens = [codes.token_for(codes.current_code(session, PlaceKind.AREA, a.id, a.estate_id)) for a in areas]
        session.commit()
        return tokens


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 960), (120, 110, 90)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


async def _report(client: httpx.AsyncClient, token: str, photo: bytes | None) -> tuple[int, float]:
    """Open the form (a device cookie), post one report; the post's status and latency in seconds."""
    page = await client.get(f"/report/{token}")
    form = FORM.search(page.text)
    if form is None:
        return page.status_code, 0.0
    files = {"photo": ("p.jpg", photo, "image/jpeg")} if photo else None
    began = time.perf_counter()
    answer = await client.post(f"/report/{token}", data={"form": form.group(1), "category": "other",
                                                          "description": "bench"}, files=files)
    return answer.status_code, time.perf_counter() - began


async def _flood(url: str, token: str, until: float, results: list[tuple[int, float]]) -> None:
    async def worker() -> None:
        async with httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": "203.0.113.66"},
                                     timeout=30) as client:
            while time.monotonic() < until:
                client.cookies.clear()  # a new device every time
                results.append(await _report(client, token, None))
    await asyncio.gather(*(worker() for _ in range(FLOOD_CONCURRENCY)))


async def _others(url: str, tokens: list[str], seconds: float, photo: bytes,
                  results: list[tuple[int, float]]) -> None:
    for n in range(OTHERS):
        await asyncio.sleep(seconds / OTHERS)
        async with httpx.AsyncClient(base_url=url, headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
                                     timeout=30) as client:
            results.append(await _report(client, tokens[n % len(tokens)], photo if n % 4 == 0 else None))


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.0f}"


@contextmanager
def _app(backend: str, workdir: Path):
    """The app in production mode on a fresh database: SQLite (one worker) or PostgreSQL + Redis (2 workers)."""
    settings, pg_name = {}, None
    if backend == "sqlite":
        db_url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        pg_name, db_url = databases.create_pg_database("estate_bench")
        settings.update(REFLEX_REDIS_URL=databases.REDIS_URL, GRANIAN_WORKERS="2")
    settings.update(REFLEX_DB_URL=db_url, ESTATE_MEDIA_DIR=str(workdir / "media"))
    try:
        tokens = _setup(db_url)
        with serve(settings, workdir / "app.log") as (url, _):
            yield url, tokens
    finally:
        get_engine(db_url).dispose()
        if pg_name:
            databases.drop_pg_database(pg_name)


def bench(backend: str, seconds: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as workdir, _app(backend, Path(workdir)) as (url, tokens):
        flood, others = [], []
        began = time.monotonic()

        async def main() -> None:
            await asyncio.gather(_flood(url, tokens[0], began + seconds, flood),
                                 _others(url, tokens[1:], seconds, _photo(), others))
        asyncio.run(main())
        elapsed = time.monotonic() - began
    accepted = sum(1 for status, _ in flood if status == 303)
    refused = [latency for status, latency in flood if status == 429]
    ok = [latency for status, latency in others if status == 303]
    print(f"{backend}: {elapsed:.1f} s; flooder {len(flood)} posts ({len(flood) / elapsed:.0f}/s): "
          f"{accepted} accepted (address limit {limits.ADDRESS_LIMIT} per {limits.WINDOW}), {len(refused)} refused "
          f"(429 in p50 {_ms(refused, 0.5)} ms, p95 {_ms(refused, 0.95)} ms), other statuses "
          f"{sorted({s for s, _ in flood} - {303, 429})}; others {len(ok)}/{len(others)} accepted "
          f"(p50 {_ms(ok, 0.5)} ms, p95 {_ms(ok, 0.95)} ms)")
    return accepted <= limits.ADDRESS_LIMIT and len(ok) == len(others) == OTHERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [bench(backend, args.seconds) for backend in backends]  # every backend, even after a failure
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

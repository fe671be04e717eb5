"""One phone drains its offline outbox: 500 queued actions, 50 of them ticks with a photo, sent as the phone sends
them once the connection returns — time to drain, rows recorded, and exactly once.

    .venv/bin/python -m bench.outbox [--actions 500] [--photos 50] [--backend sqlite|postgresql|both]

Per backend, in a fresh database (a SQLite file, or a PostgreSQL database dropped afterwards), migrated:

1. One estate, one manager and one cleaner responsible for 50 lobbies whose checklist has 10 daily items (photo
   items among them): today's 500 tasks made by the clock's generate_tasks.
2. The phone's queue: one tick per task, each with its own uid and the phone's time; `--photos` of them carry a
   1280×960 JPEG as the phone compresses it (about 120 KB).
3. The drain, timed from the first byte to the last answer, as assets/outbox.js and OutboxState.sync do it: the
   photos uploaded first, UPLOADS_AT_ONCE at a time (services/outbox.store_photo, the function behind the HTTP route /outbox/photo: ticket
   checked, size checked before decoding, resized and stored with a thumbnail by the photos kit), then the actions
   in batches of outbox.BATCH_MAX through outbox.dispatch, each batch off the event loop as the state runs it. The
   websocket itself is left out (3 round trips of a few KB).
4. Exactly once: the whole queue sent again (every answer lost), then again from two senders at once (two tabs);
   ticks, done tasks and receipts are counted after each.

Target: drained in ≤ 10 s, every action answered "ok", 500 ticks and 500 receipts, unchanged by the resends. The
exit status is non-zero when a target is missed.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session, col, func, select

from devtools.databases import create_pg_database, drop_pg_database
from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.core.security import hash_password
from estate_pwa.manage import migrate
from estate_pwa.models import (
    Area,
    AreaKind,
    ChecklistItem,
    CleaningTask,
    CleaningTick,
    Estate,
    OutboxReceipt,
    Role,
    User,
    UserRole,
)
from estate_pwa.services import accounts, cleaning, outbox
from estate_pwa.services.permissions import actor_for

TARGET_SECONDS = 10.0
AREAS = 50
ITEMS = 10
PASSWORD = "Bench1234"
UPLOADS_AT_ONCE = 4
"""Photo uploads in flight at once (outbox.js starts every waiting action's uploads together; the server's
threadpool takes them side by side)."""


def _photo(seed: int) -> bytes:
    """A camera-like picture as the phone queues it: 1280×960 JPEG at quality 0.82."""
    image = Image.new("RGB", (1280, 960), ((seed * 37) % 256, (seed * 91) % 256, 140))
    draw = ImageDraw.Draw(image)
    for n in range(60):
        draw.line([(n * 23 % 1280, 0), (1280 - n * 17 % 1280, 960)], fill=(255 - n * 4, n * 4, 90), width=9)
    data = io.BytesIO()
    image.save(data, "JPEG", quality=82)
    return data.getvalue()


def seed(db_url: str, actions: int) -> tuple[str, int, list[int]]:
    """The estate, the cleaner's token and id, and the ids of `actions` tasks of today."""
    migrate(db_url)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate = Estate(name="基准小区", code=f"bench{uuid.uuid4().hex[:6]}")
        session.add(estate)
        session.flush()
        users = []
        for phone, role in (("17900000001", Role.MANAGER), ("17900000002", Role.CLEANER)):
            user = User(estate_id=estate.id, phone=phone, name=role.value, password_hash=hash_password(PASSWORD))
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role=role))
            users.append(user)
        session.commit()
        manager, cleaner = (actor_for(session, u) for u in users)
        for n in range(ITEMS):
            cleaning.add_item(session, manager, AreaKind.LOBBY, f"清单项 {n + 1}", "daily", photo_required=n == 0)
        for n in range((actions + ITEMS - 1) // ITEMS):
            area = Area(estate_id=estate.id, name=f"{n + 1}栋大堂", kind=AreaKind.LOBBY)
            session.add(area)
            session.flush()
            cleaning.assign(session, manager, area.id, cleaner.id, now=utcnow() - timedelta(hours=1))
        cleaning.keep_tasks_current(session, estate.id)
        session.commit()
        tasks = session.exec(select(CleaningTask.id).where(CleaningTask.estate_id == estate.id)
                             .order_by(col(CleaningTask.id))).all()[:actions]
        token = accounts.login(session, users[1].phone, PASSWORD)[1]
        session.commit()
        return token, cleaner.id, list(tasks)


def queue(db_url: str, cleaner_id: int, tasks: list[int], photos: int) -> list[dict]:
    """The phone's outbox: one tick per task, the photo items' ticks first in line for a photo."""
    with Session(get_engine(db_url)) as session:
        needs = set(session.exec(select(CleaningTask.id).join(ChecklistItem, col(ChecklistItem.id) == CleaningTask.item_id)
                                 .where(col(ChecklistItem.photo_required).is_(True))))
    ordered = sorted(tasks, key=lambda t: (t not in needs, t))
    started = utcnow() - timedelta(minutes=40)
    items = []
    for n, task_id in enumerate(ordered):
        items.append({"uid": uuid.uuid4().hex, "kind": cleaning.TICK, "payload": {"task_id": task_id},
                      "phone_time": (started + timedelta(seconds=4 * n)).isoformat(),
                      "blob": _photo(n) if n < photos else None})
    return items


def drain(db_url: str, token: str, cleaner_id: int, items: list[dict]) -> tuple[float, list[outbox.Outcome]]:
    """Upload the queued photos, then send the actions in batches; seconds taken and every answer."""
    started = time.perf_counter()
    with Session(get_engine(db_url)) as session:
        ticket = outbox.photo_ticket(actor_for(session, session.get(User, cleaner_id)))
    def upload(item: dict) -> None:
        with Session(get_engine(db_url)) as session:
            item["payload"]["photos"] = [outbox.store_photo(session, ticket, cleaning.PHOTO_FOLDER, item["blob"])]

    with ThreadPoolExecutor(max_workers=UPLOADS_AT_ONCE) as http:  # the phone's uploads run side by side
        list(http.map(upload, [item for item in items if item["blob"] is not None]))
    drain.photos_seconds = time.perf_counter() - started
    wire = [{k: v for k, v in item.items() if k != "blob"} for item in items]
    answers: list[outbox.Outcome] = []
    with ThreadPoolExecutor(max_workers=1) as loop_thread:  # asyncio.to_thread: one call at a time per phone
        for start in range(0, len(wire), outbox.BATCH_MAX):
            answers += loop_thread.submit(outbox.dispatch, token, wire[start:start + outbox.BATCH_MAX],
                                          None, db_url).result()
    return time.perf_counter() - started, answers


def counts(db_url: str, cleaner_id: int) -> tuple[int, int, int]:
    with Session(get_engine(db_url)) as session:
        ticks = session.exec(select(func.count()).select_from(CleaningTick).where(
            CleaningTick.cleaner_id == cleaner_id)).one()
        done = session.exec(select(func.count()).select_from(CleaningTask).where(
            col(CleaningTask.done_at).is_not(None))).one()
        receipts = session.exec(select(func.count()).select_from(OutboxReceipt).where(
            OutboxReceipt.user_id == cleaner_id)).one()
        return ticks, done, receipts


def run_backend(backend: str, actions: int, photos: int) -> bool:
    with tempfile.TemporaryDirectory() as workdir:
        if backend == "sqlite":
            name, db_url = None, f"sqlite:///{Path(workdir) / 'bench.db'}"
        else:
            name, db_url = create_pg_database("estate_bench", durable=True)
        try:
            token, cleaner_id, tasks = seed(db_url, actions)
            items = queue(db_url, cleaner_id, tasks, photos)
            seconds, answers = drain(db_url, token, cleaner_id, items)
            first = counts(db_url, cleaner_id)
            wire = [{k: v for k, v in item.items() if k != "blob"} for item in items]
            again = [a for start in range(0, len(wire), outbox.BATCH_MAX)
                     for a in outbox.dispatch(token, wire[start:start + outbox.BATCH_MAX], db_url=db_url)]
            with ThreadPoolExecutor(max_workers=2) as tabs:
                list(tabs.map(lambda _: [outbox.dispatch(token, wire[s:s + outbox.BATCH_MAX], db_url=db_url)
                                         for s in range(0, len(wire), outbox.BATCH_MAX)], range(2)))
            last = counts(db_url, cleaner_id)
        finally:
            get_engine(db_url).dispose()
            if name:
                drop_pg_database(name)
    ok = sum(a.ok for a in answers)
    replayed = sum(a.replayed for a in again)
    met = seconds <= TARGET_SECONDS and ok == len(items) and first == last == (len(items),) * 3
    print(f"[{backend}] {len(items)} actions ({photos} with a photo) drained in {seconds:.2f} s "
          f"(target ≤ {TARGET_SECONDS:.0f} s; photos {drain.photos_seconds:.2f} s, actions "
          f"{seconds - drain.photos_seconds:.2f} s): {ok} ok; ticks/done tasks/receipts {first[0]}/{first[1]}/{first[2]}; "
          f"sent again: {replayed} answered from their receipts; after two tabs at once "
          f"{last[0]}/{last[1]}/{last[2]} — {'met' if met else 'MISSED'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    os.environ.setdefault("ESTATE_MEDIA_DIR", tempfile.mkdtemp(prefix="estate-bench-media-"))  # not the repo's
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [run_backend(b, args.actions, args.photos) for b in backends]  # every backend, even after a miss
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

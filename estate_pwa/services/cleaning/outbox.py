"""Cleaning's field actions in the phone's outbox (services/outbox.py routes them here by kind): a tick (with the
photos already uploaded, and the area's code when scanned with it), a scan of an area's posted code (presence),
and an inspection. Each entry point is idempotent on the action's uid, checks who may and refuses per item."""

from collections.abc import Callable

from sqlmodel import Session

from estate_pwa.models import Role
from estate_pwa.services.cleaning.rules import INSPECTORS, PHOTO_FOLDER
from estate_pwa.services.cleaning.tasks import inspect, tick, visit
from estate_pwa.services.permissions import Actor
from estate_pwa.services.photos import form_item_photos

TICK = "cleaning_tick"
VISIT = "cleaning_visit"
INSPECTION = "cleaning_inspection"
RESULT = "result."
NOTE = "note."


def _tick(session: Session, actor: Actor, action) -> dict:
    payload = action.payload
    done = tick(session, actor, payload.get("task_id"), action.uid, payload.get("photos") or [],
                payload.get("area_code") or None, action.phone_time)
    return {"task_id": done.task_id, "present": done.present, "late": done.late}


def _visit(session: Session, actor: Actor, action) -> dict:
    seen = visit(session, actor, action.payload.get("code"), action.uid, action.phone_time)
    return {"area_id": seen.area_id}


def form_results(payload: dict) -> list[dict]:
    """The per-item verdicts of an inspection form as the phone queued it ({"result.<item id>": "pass" | "fail" |
    "damage", "note.<item id>": text, "photos.<item id>": [names]}); a form queued before photos belonged to
    items has one "photos": [names], which go with the items not passed (with the first item when all passed).
    Only the shape is read here: `inspect` checks every item and value, photos too."""
    keys = [key[len(RESULT):] for key in payload
            if isinstance(key, str) and key.startswith(RESULT) and key[len(RESULT):].isdecimal()
            and len(key) <= len(RESULT) + 12]
    results = [{"item_id": int(key), "result": payload[RESULT + key], "note": payload.get(NOTE + key) or ""}
               for key in keys]
    item_photos = form_item_photos(payload, keys, [r["result"] != "pass" for r in results])
    for result, photos in zip(results, item_photos):
        result["photos"] = photos
    return results


def _inspection(session: Session, actor: Actor, action) -> dict:
    done = inspect(session, actor, action.payload.get("area_id"), form_results(action.payload),
                   inspection_uid=action.uid)
    return {"inspection_id": done.id, "area_id": done.area_id}


def register_kinds(register: Callable[..., None]) -> None:
    """Called once by services/outbox.py."""
    register(TICK, _tick, PHOTO_FOLDER, roles=(Role.CLEANER,))
    register(VISIT, _visit, roles=(Role.CLEANER,))
    register(INSPECTION, _inspection, PHOTO_FOLDER, roles=INSPECTORS)

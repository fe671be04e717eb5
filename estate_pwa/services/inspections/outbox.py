"""Inspections' field actions in the phone's outbox (services/outbox.py routes them here by kind): an inspection
form queued with its photos, and a scan of an asset's posted code that opens its due inspection. Both are checked
like anything a client sends; the inspection is recorded once by the action's uid (its client id)."""

from collections.abc import Callable
from dataclasses import asdict

from sqlmodel import Session

from estate_pwa.services.inspections.record import record_inspection
from estate_pwa.services.inspections.rules import INSPECTORS, PHOTO_FOLDER
from estate_pwa.services.inspections.views import task_of_code
from estate_pwa.services.permissions import Actor
from estate_pwa.services.photos import form_item_photos

INSPECTION = "inspection"
ASSET_SCAN = "asset_scan"
OUTCOME = "outcome."
NOTE = "note."
DEFECTIVE = "defective"


def form_items(payload: dict) -> list[dict]:
    """The per-item verdicts of an inspection form as the phone queued it ({"outcome.<position>": "intact" |
    "defective", "note.<position>": text, "photos.<position>": [names]}); a form queued before photos belonged to
    items has one "photos": [names], which go with the defective items (with the first item when all are intact).
    Only the shape is read here: `record_inspection` checks every value, photos too."""
    keys = sorted((key[len(OUTCOME):] for key in payload
                   if isinstance(key, str) and key.startswith(OUTCOME) and key[len(OUTCOME):].isdecimal()
                   and len(key) <= len(OUTCOME) + 3), key=int)
    items = [{"position": int(key), "outcome": payload[OUTCOME + key], "note": payload.get(NOTE + key) or ""}
             for key in keys]
    item_photos = form_item_photos(payload, keys, [i["outcome"] == DEFECTIVE for i in items])
    for item, photos in zip(items, item_photos):
        item["photos"] = photos
    return items


def _inspection(session: Session, actor: Actor, action) -> dict:
    payload = {"client_id": action.uid, "task_id": action.payload.get("task_id"),
               "items": form_items(action.payload), "claimed_at": action.phone_time}
    return asdict(record_inspection(session, actor, payload))


def _scan(session: Session, actor: Actor, action) -> dict:
    return {"task_id": task_of_code(session, actor, action.payload.get("code")).id}


def register_kinds(register: Callable[..., None]) -> None:
    """Called once by services/outbox.py."""
    register(INSPECTION, _inspection, PHOTO_FOLDER, roles=INSPECTORS)
    register(ASSET_SCAN, _scan, roles=INSPECTORS)

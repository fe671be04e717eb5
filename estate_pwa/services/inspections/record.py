"""Recording an inspection, exactly once: the phone sends one payload per task (through the offline outbox, so it
may arrive late, twice, or from a hostile client). Every item of the checklist is intact or defective, with a note
and photos. A defective item opens a defect of the asset and a repair request (the jobs flow and its clocks),
linked both ways; an asset whose defect's job is finished becomes intact again when a re-inspection passes.

`record_inspection(session, actor, payload)` is the outbox's entry point: it validates the dict, and the same
`client_id` sent again returns the stored outcome."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Asset,
    AssetCategory,
    AssetDefect,
    DefectSource,
    Estate,
    InspectionPlan,
    InspectionResult,
    InspectionTask,
    ItemOutcome,
    RepairCategory,
    RequestKind,
    RequestStatus,
    ServiceRequest,
    Urgency,
)
from estate_pwa.services import facilities
from estate_pwa.services.errors import InvalidInput, NotFound
from estate_pwa.services.inspections.rules import (
    INSPECTIONS,
    INSPECTORS,
    PHOTO_FOLDER,
    PHOTOS_MAX,
    log,
    record_refusal,
)
from estate_pwa.services.jobs.intake import _new_request
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import aware, choice, photo_names, positive_id, text

_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
NOTE_MAX = 500
FINISHED = (RequestStatus.COMPLETED, RequestStatus.CLOSED)
RECORDED, REPLAYED, ALREADY_DONE = "recorded", "replayed", "already_done"
TRADE = {
    AssetCategory.STREET_LIGHT: RepairCategory.ELECTRICAL,
    AssetCategory.PUBLIC_EQUIPMENT: RepairCategory.ELECTRICAL,
    AssetCategory.WELL: RepairCategory.PLUMBING,
    AssetCategory.DRAIN: RepairCategory.PLUMBING,
}
"""The trade a defect's repair goes to (the rest: common area)."""


@dataclass(frozen=True)
class Outcome:
    """What the phone is told: the task, whether this call stored it (`recorded`), found it stored from the same
    submission (`replayed`) or from another (`already_done`), and what the asset is now."""

    task_id: int
    status: str
    defective: bool
    request_ids: list[int] = field(default_factory=list)
    asset_intact: bool = True


@dataclass(frozen=True)
class Item:
    position: int
    outcome: str
    note: str
    photos: list[str]


def _client_id(raw: object) -> str:
    if not isinstance(raw, str) or not _CLIENT_ID.fullmatch(raw):
        raise InvalidInput("error.bad_request")
    return raw


def _items(raw: object, checklist: list[str]) -> list[Item]:
    """One verdict per checklist item, each exactly once."""
    if not isinstance(raw, (list, tuple)) or len(raw) != len(checklist):
        raise InvalidInput("error.inspection_incomplete")
    items, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise InvalidInput("error.bad_request")
        position = entry.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < len(checklist) \
                or position in seen:
            raise InvalidInput("error.bad_request")
        seen.add(position)
        outcome = choice(entry.get("outcome"), ItemOutcome, "error.inspection_incomplete")
        note = text(entry.get("note"), "error.bad_request", NOTE_MAX, required=False, multiline=True)
        items.append(Item(position, outcome, note, photo_names(entry.get("photos"), (PHOTO_FOLDER,), PHOTOS_MAX)))
    return sorted(items, key=lambda i: i.position)


def _stored(session: Session, actor: Actor, client_id: str) -> list[InspectionResult]:
    return list(session.exec(select(InspectionResult).where(
        InspectionResult.client_id == client_id, InspectionResult.estate_id == actor.estate_id,
        InspectionResult.inspector_id == actor.id).execution_options(populate_existing=True)))


def _answer(session: Session, task: InspectionTask, status: str) -> Outcome:
    requests = session.exec(select(AssetDefect.request_id).join(
        InspectionResult, col(InspectionResult.defect_id) == AssetDefect.id).where(
        InspectionResult.task_id == task.id)).all()
    return Outcome(task.id, status, bool(task.defective), sorted({r for r in requests if r}),
                   facilities.open_defect_of(session, task.asset_id) is None)


def expired(asset: Asset, today) -> bool:
    """Fire equipment past its expiry date counts as defective, whatever the items say."""
    return asset.expires_on is not None and asset.expires_on < today


def record_inspection(session: Session, actor: Actor | None, payload: object,
                      now: datetime | None = None) -> Outcome:
    """Record one task's inspection at server time from the phone's `payload`: {"client_id": str (8–64 of
    A–Z a–z 0–9 _ . : -), "task_id": int, "items": [{"position": int, "outcome": "intact"|"defective",
    "note": str, "photos": [names]}, one per checklist item], "claimed_at": ISO time with offset (optional, a
    claim only)}. Staff only; refusals audited. The same client_id again returns the stored outcome; a task
    already recorded from another submission answers `already_done` (nothing stored)."""
    actor = require(session, actor, INSPECTIONS, *INSPECTORS)
    now = now or utcnow()
    with refusing(session, actor, INSPECTIONS):
        if not isinstance(payload, dict):
            raise InvalidInput("error.bad_request")
        client_id = _client_id(payload.get("client_id"))
    earlier = _stored(session, actor, client_id)
    if earlier:
        return _answer(session, session.get(InspectionTask, earlier[0].task_id), REPLAYED)
    with refusing(session, actor, INSPECTIONS):
        task = session.exec(select(InspectionTask).where(InspectionTask.id == positive_id(payload.get("task_id")))
                            .with_for_update().execution_options(populate_existing=True)).first()
        if task is None or task.estate_id != actor.estate_id:
            raise NotFound("error.not_found")
    plan = session.get(InspectionPlan, task.plan_id)
    with refusing(session, actor, INSPECTIONS, task.id):
        items = _items(payload.get("items"), plan.items)
        claimed = aware(payload["claimed_at"]) if payload.get("claimed_at") else None
    error = record_refusal(actor, task)
    if error is not None and error.key == "error.inspection_done":
        return _answer(session, task, ALREADY_DONE)
    if error is not None:
        refuse(session, actor, INSPECTIONS, error, task.id)
    asset = session.get(Asset, task.asset_id)
    today = now.astimezone(ZoneInfo(session.get(Estate, actor.estate_id).timezone)).date()
    out_of_date = expired(asset, today)
    defective = out_of_date or any(i.outcome == ItemOutcome.DEFECTIVE for i in items)
    results = [InspectionResult(estate_id=actor.estate_id, client_id=client_id, task_id=task.id, asset_id=asset.id,
                                position=i.position, item=plan.items[i.position][:100], outcome=i.outcome,
                                note=i.note, photos=i.photos, inspector_id=actor.id, recorded_at=now,
                                claimed_at=claimed) for i in items]
    task.done_at, task.defective, task.inspector_id = now, defective, actor.id
    session.add_all([task, *results])
    try:
        session.flush()
    except IntegrityError:  # the same submission stored by a concurrent request, or a client_id reused
        session.rollback()
        earlier = _stored(session, actor, client_id)
        if earlier:
            return _answer(session, session.get(InspectionTask, earlier[0].task_id), REPLAYED)
        refuse(session, actor, INSPECTIONS, InvalidInput("error.bad_request"), task.id)
    request_ids, intact = [], True
    if defective:
        defect = _defect(session, actor, asset, results, out_of_date, now)
        for result in results:
            if result.outcome == ItemOutcome.DEFECTIVE or out_of_date:
                result.defect_id = defect.id
                session.add(result)
        request_ids, intact = [defect.request_id], False
    else:
        intact = _passed(session, actor, asset, now)
    session.flush()
    log(session, actor, actor.estate_id, "inspection_recorded", "asset", asset.id, task=task.id,
        defective=defective, expired=out_of_date)
    return Outcome(task.id, RECORDED, defective, request_ids, intact)


def _describe(asset: Asset, results: list[InspectionResult], out_of_date: bool) -> str:
    found = [f"{r.item}{'：' + r.note if r.note else ''}" for r in results if r.outcome == ItemOutcome.DEFECTIVE]
    if out_of_date:
        found.append(f"已过期 {asset.expires_on.isoformat()}")
    where = f"（{asset.location}）" if asset.location else ""
    return f"巡检发现缺陷 {asset.code} {asset.name}{where}：" + "；".join(found)


def _repair(session: Session, actor: Actor, asset: Asset, description: str, now: datetime) -> ServiceRequest:
    """A repair request for the asset, recorded by the inspector (its first receiver), in the jobs flow."""
    urgency = Urgency.EMERGENCY if asset.category == AssetCategory.FIRE_EQUIPMENT else Urgency.ROUTINE
    category = TRADE.get(AssetCategory(asset.category), RepairCategory.PUBLIC_AREA)
    return _new_request(session, actor, RequestKind.REPAIR.value, description[:1000], category.value,
                        urgency.value, now, first_receiver_id=actor.id)


def _defect(session: Session, actor: Actor, asset: Asset, results: list[InspectionResult], out_of_date: bool,
            now: datetime) -> AssetDefect:
    """The asset's open defect for these findings, with a repair request: a new one; the one already open (its
    job still running, or none raised yet); or, when its job is finished (this was the re-inspection and it
    failed), a new defect and job from this moment, the old one closed at the same instant."""
    description = _describe(asset, results, out_of_date)
    current = facilities.open_defect_of(session, asset.id)
    if current is not None and current.request_id is not None:
        job = session.get(ServiceRequest, current.request_id)
        if job.status not in FINISHED:
            return current
        facilities.close_defect(session, actor, asset.id, "复检未通过", now=now)
        current = None
    request = _repair(session, actor, asset, description, now)
    if current is not None:
        return facilities.link_request(session, actor, current.id, request.id)
    return facilities.open_defect(session, actor, asset.id, DefectSource.INSPECTION.value, description[:500],
                                  request.id, now=now)


def _passed(session: Session, actor: Actor, asset: Asset, now: datetime) -> bool:
    """All intact: the asset's open defect closes when its repair job is finished (this was its re-inspection);
    pending re-inspections of it are then done. A defect without a job (reported and repaired outside the jobs
    flow) is closed by whoever repairs it, not by an inspection."""
    current = facilities.open_defect_of(session, asset.id)
    if current is None:
        return True
    if current.request_id is None or session.get(ServiceRequest, current.request_id).status not in FINISHED:
        return False
    facilities.close_defect(session, actor, asset.id, "复检通过", now=now)
    for task in session.exec(select(InspectionTask).where(InspectionTask.defect_id == current.id,
                                                          col(InspectionTask.done_at).is_(None))):
        task.done_at, task.defective, task.inspector_id = now, False, actor.id
        session.add(task)
    return True

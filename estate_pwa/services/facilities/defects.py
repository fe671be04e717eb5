"""Defects: the spans during which an asset is defective. An asset is defective from a defect's `opened_at` until
its `closed_at`; intact otherwise. The spans of one asset never overlap (the rates add them up in SQL):

* an asset has at most one open defect; opening another while one is open returns the open one (its note kept,
  the new request linked when it had none);
* a defect opened at an earlier recorded moment (an inspection synced from a phone that was offline) starts no
  earlier than the asset entered the register, nor than its last defect closed, and never in the future.

The inspections feature opens a defect for a failed inspection (source ``inspection``), raises the repair job and
links it (`link_request`), and closes the defect when the job is closed and a re-inspection passes. A damaged or
unsafe problem report from an asset's posted code opens it too, as the system (`open_reported_defect`, source
``report``), linked to the repair request the report raised.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Asset, AssetDefect, DefectSource, ServiceRequest
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.facilities.common import DEFECT_WRITERS, FACILITIES, load_asset, log
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import choice, positive_id, text

NOTE_MAX = 500


def open_defect_of(session: Session, asset_id: int) -> AssetDefect | None:
    """The asset's open defect, if any."""
    return session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset_id,
                                                  col(AssetDefect.closed_at).is_(None))).first()


def _request(session: Session, actor: Actor, raw_id: object) -> int | None:
    if raw_id is None:
        return None
    with refusing(session, actor, FACILITIES):
        return in_estate(session, actor, ServiceRequest, positive_id(raw_id)).id


def _lock(session: Session, asset: Asset) -> None:
    """One defect change per asset at a time (PostgreSQL row lock; SQLite writes are serialised)."""
    session.exec(select(Asset.id).where(Asset.id == asset.id).with_for_update()).one()


def open_defect(session: Session, actor: Actor | None, asset_id: object, source: object, note: object,
                request_id: object = None, *, at: datetime | None = None, now: datetime | None = None) -> AssetDefect:
    """Mark the asset defective from `at` (default now): staff; audited. Returns the asset's open defect (a new
    one, or the one already open). `request_id` links the repair request raised for it."""
    actor = require(session, actor, FACILITIES, *DEFECT_WRITERS)
    asset = load_asset(session, actor, asset_id)
    with refusing(session, actor, FACILITIES, asset.id):
        source = choice(source, [s.value for s in DefectSource], "error.defect_source_invalid")
        note = text(note, "error.asset_note_invalid", NOTE_MAX, required=False, multiline=True)
        if asset.retired_at is not None:
            raise InvalidInput("error.asset_retired")
    linked = _request(session, actor, request_id)
    return _open(session, actor, asset, source, note, linked, at, now or utcnow())


def open_reported_defect(session: Session, estate_id: int, asset_id: int, note: str, request_id: int,
                         now: datetime | None = None) -> AssetDefect | None:
    """Mark an asset defective from now for a damaged or unsafe problem report sent from its posted code, linked
    to the repair request the report raised: nobody is logged in, so the system opens it (audited as the system).
    The caller has resolved the code to this estate's asset, checked the note and raised the request in this
    estate; an asset retired meanwhile, or anything of another estate, opens nothing (None)."""
    asset = session.get(Asset, asset_id)
    request = session.get(ServiceRequest, request_id)
    if asset is None or asset.estate_id != estate_id or asset.retired_at is not None or request is None or (
            request.estate_id != estate_id):
        return None
    return _open(session, None, asset, DefectSource.REPORT.value, note[:NOTE_MAX], request.id, None, now or utcnow())


def _open(session: Session, actor: Actor | None, asset: Asset, source: str, note: str, linked: int | None,
          at: datetime | None, now: datetime) -> AssetDefect:
    """Open the asset's defect from `at` (kept within bounds, module doc), or link `linked` to the one already
    open; `actor` None is the system."""
    _lock(session, asset)
    current = open_defect_of(session, asset.id)
    if current is not None:
        if linked is not None and current.request_id is None:
            current.request_id = linked
            session.add(current)
            log(session, actor, asset.estate_id, "defect_linked", "asset", asset.id, defect=current.id,
                request=linked)
        return current
    last_closed = session.exec(select(AssetDefect.closed_at).where(AssetDefect.asset_id == asset.id)
                               .order_by(col(AssetDefect.closed_at).desc()).limit(1)).first()
    start = min(at or now, now)
    start = max(start, asset.created_at, *([last_closed] if last_closed else []))
    defect = AssetDefect(estate_id=asset.estate_id, asset_id=asset.id, opened_at=start, source=source, note=note,
                         request_id=linked, opened_by_id=actor.id if actor else None)
    session.add(defect)
    session.flush()
    log(session, actor, asset.estate_id, "defect_opened", "asset", asset.id, defect=defect.id, source=source,
        request=linked)
    return defect


def link_request(session: Session, actor: Actor | None, defect_id: object, request_id: object) -> AssetDefect:
    """Link the repair request raised for a defect (staff; audited)."""
    actor = require(session, actor, FACILITIES, *DEFECT_WRITERS)
    with refusing(session, actor, FACILITIES):
        defect = in_estate(session, actor, AssetDefect, positive_id(defect_id))
    defect.request_id = _request(session, actor, request_id)
    session.add(defect)
    log(session, actor, actor.estate_id, "defect_linked", "asset", defect.asset_id, defect=defect.id,
        request=defect.request_id)
    return defect


def close_defect(session: Session, actor: Actor | None, asset_id: object, note: object = "", *,
                 at: datetime | None = None, now: datetime | None = None) -> AssetDefect:
    """Mark the asset intact again from `at` (default now; never before the defect opened nor in the future):
    staff; audited. Refuses when the asset has no open defect."""
    actor = require(session, actor, FACILITIES, *DEFECT_WRITERS)
    now = now or utcnow()
    asset = load_asset(session, actor, asset_id)
    with refusing(session, actor, FACILITIES, asset.id):
        note = text(note, "error.asset_note_invalid", NOTE_MAX, required=False, multiline=True)
    _lock(session, asset)
    defect = open_defect_of(session, asset.id)
    if defect is None:
        refuse(session, actor, FACILITIES, InvalidInput("error.asset_not_defective"), asset.id)
    defect.closed_at = max(min(at or now, now), defect.opened_at)
    defect.closed_by_id = actor.id
    defect.close_note = note
    session.add(defect)
    session.flush()
    log(session, actor, actor.estate_id, "defect_closed", "asset", asset.id, defect=defect.id)
    return defect


def defects_of(session: Session, actor: Actor | None, asset_id: object) -> list[AssetDefect]:
    """Every defect of the asset, newest first (staff)."""
    actor = require(session, actor, FACILITIES, *DEFECT_WRITERS)
    asset = load_asset(session, actor, asset_id)
    return list(session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset.id)
                             .order_by(col(AssetDefect.opened_at).desc(), col(AssetDefect.id).desc())))

"""The register: managers add, correct and retire assets (every write audited; refusals audited once); staff read
the register by category with its counts, and an asset's record with its defect history. Fire equipment whose
expiry falls within 30 days is flagged."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, to_local, utcnow
from estate_pwa.models import (
    MEASURE_OF, SUBKINDS, Asset, AssetCategory, AssetDefect, Building, Estate, Measure, Role, ServiceRequest,
)
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.facilities.common import FACILITIES, READERS, WRITERS, load_asset, log
from estate_pwa.services.facilities.fields import FIELDS, AssetFields, clean_fields
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import choice, whole

EXPIRY_WARNING = timedelta(days=30)
"""Fire equipment is flagged this long before it expires."""
PAGE = 50
UNIT_KEYS = {Measure.AREA_M2: "facilities.unit_m2", Measure.LENGTH_M: "facilities.unit_m",
             Measure.COUNT: "facilities.unit_items"}


def asset_link(asset_id: int) -> str:
    """Where an asset's record opens (staff; its QR code points here)."""
    return f"/facilities/asset?id={asset_id}"


def quantity_text(quantity: Decimal, measure: str) -> str:
    """'1,200.5' / '3' — a quantity without trailing zeros."""
    value = quantity.normalize() if quantity == quantity.to_integral_value() else quantity
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}".rstrip("0")
    return text


@dataclass(frozen=True)
class AssetRow:
    """One asset as the register shows it."""

    id: int
    code: str
    name: str
    category: str
    subkind: str
    location: str
    building: str
    quantity: str
    unit_key: str
    grade: str
    defective: bool
    retired: bool
    expires_on: str
    expiring: bool
    expired: bool
    link: str


@dataclass(frozen=True)
class CategoryCount:
    """A category's number of assets in service, how many are defective now, and their total quantity."""

    category: str
    assets: int
    defective: int
    quantity: str
    unit_key: str


@dataclass(frozen=True)
class DefectRow:
    """One defect span of an asset."""

    id: int
    opened: str
    closed: str
    source: str
    note: str
    close_note: str
    request_link: str


@dataclass(frozen=True)
class AssetRecord:
    """An asset's record: its row, its other fields and its defects, newest first; `can_edit` for managers, with
    `values` the edit form starts from (every field as text, as the form and the spreadsheet write it)."""

    row: AssetRow
    contractor: str
    note: str
    defects: list[DefectRow]
    can_edit: bool
    values: dict[str, str]


@dataclass(frozen=True)
class FormChoices:
    """What the asset form offers a manager: the kinds of the category chosen ('' none yet) and the estate's
    buildings by name."""

    category: str
    kinds: list[str]
    buildings: list[str]


def _today(session: Session, estate_id: int, now: datetime) -> date:
    return to_local(now, session.get(Estate, estate_id).timezone).date()


def _building_id(session: Session, estate_id: int, name: str) -> int | None:
    if not name:
        return None
    found = session.exec(select(Building.id).where(Building.estate_id == estate_id, Building.name == name)).first()
    if found is None:
        raise InvalidInput("error.asset_building_unknown")
    return found


def apply_fields(asset: Asset, fields: AssetFields, building_id: int | None) -> None:
    asset.code, asset.category, asset.subkind, asset.name = fields.code, fields.category, fields.subkind, fields.name
    asset.location, asset.building_id, asset.measure = fields.location, building_id, fields.measure
    asset.quantity, asset.grade, asset.expires_on = fields.quantity, fields.grade, fields.expires_on
    asset.contractor, asset.note = fields.contractor, fields.note


def form_values(asset: Asset, building: str) -> dict[str, str]:
    """An asset's fields as the form shows them (the quantity without trailing zeros, dates as 2026-03-31)."""
    values = {"code": asset.code, "category": asset.category, "subkind": asset.subkind, "name": asset.name,
              "location": asset.location, "building": building, "quantity": f"{asset.quantity.normalize():f}",
              "grade": asset.grade or "", "expires_on": asset.expires_on.isoformat() if asset.expires_on else "",
              "contractor": asset.contractor, "note": asset.note}
    return {name: values[name] for name in FIELDS}


def form_choices(session: Session, actor: Actor | None, category: object = "") -> FormChoices:
    """The asset form's lists for a manager: the kinds of `category` ('' for none chosen yet; anything else is
    refused) and the estate's buildings."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    with refusing(session, actor, FACILITIES):
        category = choice(category, ["", *[c.value for c in AssetCategory]], "error.asset_category_invalid")
    buildings = session.exec(select(Building.name).where(Building.estate_id == actor.estate_id)
                             .order_by(col(Building.name))).all()
    return FormChoices(category, list(SUBKINDS[AssetCategory(category)]) if category else [], list(buildings))


def _code_taken(session: Session, estate_id: int, code: str, other_than: int | None = None) -> bool:
    where = [Asset.estate_id == estate_id, Asset.code == code]
    if other_than is not None:
        where.append(Asset.id != other_than)
    return session.exec(select(Asset.id).where(*where)).first() is not None


def add_asset(session: Session, actor: Actor | None, raw: object, *, now: datetime | None = None) -> Asset:
    """Add an asset to the register (manager; audited). Its code is unique in the estate."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    with refusing(session, actor, FACILITIES):
        fields = clean_fields(raw)
        building_id = _building_id(session, actor.estate_id, fields.building)
        if _code_taken(session, actor.estate_id, fields.code):
            raise InvalidInput("error.asset_code_taken")
    asset = Asset(estate_id=actor.estate_id, created_by_id=actor.id, created_at=now or utcnow(), code="",
                  category="", subkind="", name="", measure="", quantity=Decimal(0))
    apply_fields(asset, fields, building_id)
    session.add(asset)
    try:
        session.flush()
    except IntegrityError:  # the same code added at the same moment by another manager
        refuse(session, actor, FACILITIES, InvalidInput("error.asset_code_taken"))
    log(session, actor, actor.estate_id, "asset_added", "asset", asset.id, code=asset.code, category=asset.category)
    return asset


def update_asset(session: Session, actor: Actor | None, asset_id: object, raw: object) -> Asset:
    """Correct an asset's fields (manager; audited; a retired asset is not changed)."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    asset = load_asset(session, actor, asset_id)
    with refusing(session, actor, FACILITIES, asset.id):
        if asset.retired_at is not None:
            raise InvalidInput("error.asset_retired")
        fields = clean_fields(raw)
        building_id = _building_id(session, actor.estate_id, fields.building)
        if _code_taken(session, actor.estate_id, fields.code, asset.id):
            raise InvalidInput("error.asset_code_taken")
    before = {"code": asset.code, "category": asset.category, "quantity": str(asset.quantity), "grade": asset.grade}
    apply_fields(asset, fields, building_id)
    session.add(asset)
    try:
        session.flush()
    except IntegrityError:
        refuse(session, actor, FACILITIES, InvalidInput("error.asset_code_taken"), asset.id)
    log(session, actor, actor.estate_id, "asset_updated", "asset", asset.id, before=before)
    return asset


def retire_asset(session: Session, actor: Actor | None, asset_id: object, *, now: datetime | None = None) -> Asset:
    """Take an asset out of the register from now (manager; audited). It stops counting in the rates from then
    on; its history stays. An open defect closes at the same moment."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    asset = load_asset(session, actor, asset_id)
    now = now or utcnow()
    if asset.retired_at is not None:
        refuse(session, actor, FACILITIES, InvalidInput("error.asset_retired"), asset.id)
    asset.retired_at = now
    session.add(asset)
    for defect in session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset.id,
                                                         col(AssetDefect.closed_at).is_(None))):
        defect.closed_at, defect.closed_by_id = max(now, defect.opened_at), actor.id
        session.add(defect)
    log(session, actor, actor.estate_id, "asset_retired", "asset", asset.id, code=asset.code)
    return asset


def _open_defects():
    return (select(AssetDefect.asset_id).where(col(AssetDefect.closed_at).is_(None)))


def _row(asset: Asset, building: str | None, defective: bool, today: date) -> AssetRow:
    expires = asset.expires_on
    return AssetRow(
        asset.id, asset.code, asset.name, asset.category, asset.subkind, asset.location, building or "",
        quantity_text(asset.quantity, asset.measure), UNIT_KEYS[Measure(asset.measure)], asset.grade or "",
        defective, asset.retired_at is not None, expires.isoformat() if expires else "",
        bool(expires and today <= expires <= today + EXPIRY_WARNING), bool(expires and expires < today),
        asset_link(asset.id))


def counts(session: Session, estate_id: int) -> list[CategoryCount]:
    """Each category's assets in service, defective now, and total quantity (one query), in category order."""
    defective = col(Asset.id).in_(_open_defects())
    rows = session.exec(select(Asset.category, func.count(), func.coalesce(func.sum(case((defective, 1), else_=0)), 0),
                               func.coalesce(func.sum(Asset.quantity), 0))
                        .where(Asset.estate_id == estate_id, col(Asset.retired_at).is_(None))
                        .group_by(Asset.category)).all()
    found = {c: (n, d, q) for c, n, d, q in rows}
    out = []
    for category in AssetCategory:
        n, d, q = found.get(category.value, (0, 0, 0))
        measure = MEASURE_OF[category]
        out.append(CategoryCount(category.value, int(n), int(d), quantity_text(Decimal(q), measure),
                                 UNIT_KEYS[measure]))
    return out


def counts_for(session: Session, actor: Actor | None) -> list[CategoryCount]:
    """The category counts, for a manager."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    return counts(session, actor.estate_id)


def register(session: Session, actor: Actor | None, category: object = "", offset: object = 0,
             now: datetime | None = None) -> tuple[list[AssetRow], int]:
    """One page of the register (a manager's screen), optionally of one category, by code; and the number of assets
    matched. Retired assets are not listed."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    with refusing(session, actor, FACILITIES):
        category = choice(category, ["", *[c.value for c in AssetCategory]], "error.asset_category_invalid")
        offset = whole(offset, (0, 10_000_000), "error.bad_request")
    where = [Asset.estate_id == actor.estate_id, col(Asset.retired_at).is_(None)]
    if category:
        where.append(Asset.category == category)
    total = session.exec(select(func.count()).select_from(Asset).where(*where)).one()
    today = _today(session, actor.estate_id, now or utcnow())
    defective = col(Asset.id).in_(_open_defects())
    rows = session.exec(select(Asset, Building.name, defective)
                        .outerjoin(Building, col(Building.id) == Asset.building_id)
                        .where(*where).order_by(col(Asset.category), col(Asset.code))
                        .offset(offset).limit(PAGE)).all()
    return [_row(a, b, bool(d), today) for a, b, d in rows], int(total)


def expiring(session: Session, estate_id: int, now: datetime | None = None,
             within: timedelta = EXPIRY_WARNING) -> list[AssetRow]:
    """Fire equipment in service that has expired or expires within `within` (30 days), soonest first."""
    today = _today(session, estate_id, now or utcnow())
    defective = col(Asset.id).in_(_open_defects())
    rows = session.exec(select(Asset, Building.name, defective)
                        .outerjoin(Building, col(Building.id) == Asset.building_id)
                        .where(Asset.estate_id == estate_id, col(Asset.retired_at).is_(None),
                               Asset.category == AssetCategory.FIRE_EQUIPMENT,
                               col(Asset.expires_on).is_not(None), col(Asset.expires_on) <= today + within)
                        .order_by(col(Asset.expires_on), col(Asset.code))).all()
    return [_row(a, b, bool(d), today) for a, b, d in rows]


def expiring_for(session: Session, actor: Actor | None, now: datetime | None = None) -> list[AssetRow]:
    """The expiring fire equipment, for a manager."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    return expiring(session, actor.estate_id, now)


def record(session: Session, actor: Actor | None, asset_id: object, now: datetime | None = None) -> AssetRecord:
    """An asset's record and defect history (staff)."""
    actor = require(session, actor, FACILITIES, *READERS)
    asset = load_asset(session, actor, asset_id)
    zone = session.get(Estate, actor.estate_id).timezone
    building = session.get(Building, asset.building_id).name if asset.building_id else ""
    defects = list(session.exec(select(AssetDefect, ServiceRequest.id)
                                .outerjoin(ServiceRequest, col(ServiceRequest.id) == AssetDefect.request_id)
                                .where(AssetDefect.asset_id == asset.id)
                                .order_by(col(AssetDefect.opened_at).desc(), col(AssetDefect.id).desc())))
    open_now = any(d.closed_at is None for d, _ in defects)
    manager = actor.has(Role.MANAGER)
    return AssetRecord(
        _row(asset, building, open_now, _today(session, actor.estate_id, now or utcnow())), asset.contractor,
        asset.note,
        [DefectRow(d.id, format_local(d.opened_at, zone), format_local(d.closed_at, zone), d.source, d.note,
                   d.close_note, f"/manager/jobs?request={r}" if r and manager else "") for d, r in defects],
        manager and asset.retired_at is None, form_values(asset, building) if manager else {})

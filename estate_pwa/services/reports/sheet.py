"""Printable A4 sheets of posted codes, six cut-out labels a page, drawn by the patrol checkpoint sheet's label
layout (services/patrol/sheet.py): one sheet of the estate's areas (A007), one of its assets (the register's code).
Each label's QR opens `<base>/report/<token>` of the place's live code (issued on first print; a revoked code's
place gets a new one). Served as download links (services/files.py), built again for the manager who opens one.
"""

import io
from dataclasses import dataclass

from sqlmodel import Session, col, select

from estate_pwa.i18n import tr
from estate_pwa.models import Area, Building, Estate, PlaceKind, Role
from estate_pwa.services import files
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.patrol.sheet import A4_MM, PAGE, PER_PAGE, _Label, _page
from estate_pwa.services.permissions import Actor
from estate_pwa.services.permissions import require as require_login
from estate_pwa.services.reports.codes import Asset, code_url, current_code

AREA_SHEET = "report-area-codes"
ASSET_SHEET = "report-asset-codes"
BASE_MAX = 200


@dataclass
class CodeChoice:
    """A place whose code a manager may revoke."""

    id: str = ""
    name: str = ""


def _base(raw: object) -> str:
    if not isinstance(raw, str) or len(raw) > BASE_MAX or not raw.startswith(("http://", "https://")) or any(
            ch.isspace() or ch in "?#" for ch in raw):
        raise InvalidInput("error.bad_request")
    return raw.rstrip("/")


def _areas(session: Session, estate_id: int) -> list[Area]:
    return list(session.exec(select(Area).where(Area.estate_id == estate_id).order_by(Area.name, Area.id)))


def _assets(session: Session, estate_id: int) -> list:
    if Asset is None:
        return []
    return list(session.exec(select(Asset).where(Asset.estate_id == estate_id, col(Asset.retired_at).is_(None))
                             .order_by(Asset.code, Asset.id)))


def area_choices(session: Session, actor: Actor | None) -> list[CodeChoice]:
    """The estate's areas, for revoking one's code (managers)."""
    actor = require_login(actor, Role.MANAGER)
    return [CodeChoice(str(a.id), a.name) for a in _areas(session, actor.estate_id)]


def _pdf(estate_name: str, labels: list[_Label]) -> bytes:
    groups = [labels[i:i + PER_PAGE] for i in range(0, len(labels), PER_PAGE)]
    pages = [_page(estate_name, group, n, len(groups)) for n, group in enumerate(groups, start=1)]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], title=estate_name,
                  dpi=(PAGE[0] * 25.4 / A4_MM[0], PAGE[1] * 25.4 / A4_MM[1]))
    return buffer.getvalue()


def area_sheet_pdf(session: Session, actor: Actor | None, base_url: object) -> bytes:
    """A manager's A4 PDF of every area's posted code."""
    actor = require_login(actor, Role.MANAGER)
    base = _base(base_url)
    areas = _areas(session, actor.estate_id)
    if not areas:
        raise InvalidInput("error.no_codes_to_print")
    buildings = {b.id: b.name for b in session.exec(select(Building).where(Building.estate_id == actor.estate_id))}
    hint = f"{tr('reports.label_hint', 'zh')} · {tr('reports.label_hint', 'en')}"
    labels = [_Label(url=code_url(base, current_code(session, PlaceKind.AREA, a.id, a.estate_id)),
                     short_id=f"A{a.id:03d}", name=a.name, place=buildings.get(a.building_id, ""), location=hint)
              for a in areas]
    return _pdf(session.get(Estate, actor.estate_id).name, labels)


def asset_sheet_pdf(session: Session, actor: Actor | None, base_url: object) -> bytes:
    """A manager's A4 PDF of every asset's posted code (the register's assets not retired)."""
    actor = require_login(actor, Role.MANAGER)
    base = _base(base_url)
    assets = _assets(session, actor.estate_id)
    if not assets:
        raise InvalidInput("error.no_codes_to_print")
    hint = f"{tr('reports.label_hint', 'zh')} · {tr('reports.label_hint', 'en')}"
    labels = [_Label(url=code_url(base, current_code(session, PlaceKind.ASSET, a.id, a.estate_id)),
                     short_id=a.code, name=a.name, place=a.location, location=hint) for a in assets]
    return _pdf(session.get(Estate, actor.estate_id).name, labels)


@files.downloadable(AREA_SHEET)
def area_sheet_file(session: Session, actor: Actor, base: str) -> files.Download:
    """Every area's code label on A4 pages, to print and post."""
    return files.Download("area-codes.pdf", "application/pdf", area_sheet_pdf(session, actor, base))


@files.downloadable(ASSET_SHEET)
def asset_sheet_file(session: Session, actor: Actor, base: str) -> files.Download:
    """Every asset's code label on A4 pages."""
    return files.Download("asset-codes.pdf", "application/pdf", asset_sheet_pdf(session, actor, base))

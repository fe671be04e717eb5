"""The register in spreadsheets: import from XLSX or CSV with a dry run that lists every rejected row and why, and
export (XLSX and CSV) through signed download links.

Import is all or nothing: `check_import` reads the file and reports each rejected row (its row number as the
spreadsheet shows it, its code, the reason); `import_assets` checks again and adds every row only when no row is
rejected — a file with any bad row adds nothing, so a fixed file can be imported again without duplicates.

The header row names the columns, in English (`code`, `category` …, as the export writes them) or in Chinese
(编号, 类别 …); unknown columns are ignored. Exported text never starts with a formula character (the import refuses
such cells, and the export prefixes any with an apostrophe as a second guard).
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Asset, Building, Estate
from estate_pwa.services import files
from estate_pwa.services.errors import DomainError, InvalidInput
from estate_pwa.services.facilities.common import FACILITIES, WRITERS, log
from estate_pwa.services.facilities.fields import FIELDS, FORMULA_START, AssetFields, clean_fields
from estate_pwa.services.facilities.register import apply_fields
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, require

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
HEADERS_ZH = {"code": "编号", "category": "类别", "subkind": "子类", "name": "名称", "location": "位置",
              "building": "楼栋", "quantity": "数量", "grade": "完损等级", "expires_on": "有效期至",
              "contractor": "维保单位", "note": "备注"}
_COLUMN = {**{f: f for f in FIELDS}, **{zh: f for f, zh in HEADERS_ZH.items()}}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RejectedRow:
    """A row the import refuses: its number as the spreadsheet shows it, its code (if any) and why."""

    row: int
    code: str
    reason: str


@dataclass(frozen=True)
class ImportCheck:
    """What an import would do: how many rows it would add, and every row it refuses."""

    good: int
    rejected: list[RejectedRow]

    @property
    def ok(self) -> bool:
        return self.good > 0 and not self.rejected


def _rows_xlsx(data: bytes) -> list[tuple]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise InvalidInput("error.import_unreadable") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise InvalidInput("error.import_too_many_rows", limit=MAX_ROWS)
        return rows
    finally:
        book.close()


def _rows_csv(data: bytes) -> list[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("error.import_unreadable")
    if "\x00" in content:
        raise InvalidInput("error.import_unreadable")
    try:
        rows = [tuple(r) for r in csv.reader(io.StringIO(content))]
    except csv.Error:
        raise InvalidInput("error.import_unreadable") from None
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput("error.import_too_many_rows", limit=MAX_ROWS)
    return rows


def _column(heading: object) -> str | None:
    """The field a header cell names (English, any case, or Chinese), None for a column the import ignores."""
    if heading is None:
        return None
    label = str(heading).strip()
    return _COLUMN.get(label.lower()) or _COLUMN.get(label)


def read_rows(data: object, filename: object) -> list[tuple[int, dict]]:
    """The data rows of an XLSX or CSV file as (row number, {column: raw cell}), blank rows skipped."""
    if not isinstance(data, bytes) or not data:
        raise InvalidInput("error.import_unreadable")
    if len(data) > MAX_BYTES:
        raise InvalidInput("error.import_too_large")
    name = filename.lower() if isinstance(filename, str) else ""
    rows = _rows_xlsx(data) if data[:2] == b"PK" or name.endswith(".xlsx") else _rows_csv(data)
    if not rows:
        raise InvalidInput("error.import_no_header")
    header = [_column(h) for h in rows[0]]
    if "code" not in header or "category" not in header:
        raise InvalidInput("error.import_no_header")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        out.append((number, {h: c for h, c in zip(header, row, strict=False) if h}))
    return out


def _check(session: Session, estate_id: int, rows: list[tuple[int, dict]]
           ) -> tuple[list[tuple[AssetFields, int | None]], list[RejectedRow]]:
    existing = set(session.exec(select(Asset.code).where(Asset.estate_id == estate_id)))
    buildings = {name: bid for bid, name in session.exec(select(Building.id, Building.name)
                                                          .where(Building.estate_id == estate_id))}
    seen: dict[str, int] = {}
    good, rejected = [], []
    for number, raw in rows:
        code = raw.get("code")
        shown = code.strip() if isinstance(code, str) and not code.lstrip().startswith(FORMULA_START) else (
            str(code) if isinstance(code, int) else "")
        try:
            fields = clean_fields(raw)
            if fields.building and fields.building not in buildings:
                raise InvalidInput("error.asset_building_unknown")
            building_id = buildings.get(fields.building)
            if fields.code in existing:
                raise InvalidInput("error.asset_code_taken")
            if fields.code in seen:
                raise InvalidInput("error.import_duplicate_code", row=seen[fields.code])
        except DomainError as error:
            rejected.append(RejectedRow(number, shown[:32], error.key))
            continue
        seen[fields.code] = number
        good.append((fields, building_id))
    return good, rejected


def check_import(session: Session, actor: Actor | None, data: object, filename: object) -> ImportCheck:
    """The dry run: what importing the file would add, and every row refused with its reason (manager; nothing
    is written but a refusal of the caller)."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    try:
        rows = read_rows(data, filename)
    except DomainError as error:
        refuse(session, actor, FACILITIES, error)
    good, rejected = _check(session, actor.estate_id, rows)
    return ImportCheck(len(good), rejected)


def import_assets(session: Session, actor: Actor | None, data: object, filename: object,
                  now: datetime | None = None) -> ImportCheck:
    """Add every row of the file to the register, only when no row is refused (manager; audited once for the
    file). With any refused row nothing is added and the check is returned as the dry run's."""
    actor = require(session, actor, FACILITIES, *WRITERS)
    try:
        rows = read_rows(data, filename)
    except DomainError as error:
        refuse(session, actor, FACILITIES, error)
    good, rejected = _check(session, actor.estate_id, rows)
    if rejected or not good:
        return ImportCheck(len(good), rejected)
    now = now or utcnow()
    for fields, building_id in good:
        asset = Asset(estate_id=actor.estate_id, created_by_id=actor.id, created_at=now, code="", category="",
                      subkind="", name="", measure="", quantity=0)
        apply_fields(asset, fields, building_id)
        session.add(asset)
    session.flush()
    log(session, actor, actor.estate_id, "assets_imported", "asset", None, rows=len(good),
        file=filename[:100] if isinstance(filename, str) else "")
    return ImportCheck(len(good), [])


def _safe(cell: object) -> object:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def _export_rows(session: Session, actor: Actor) -> list[list]:
    rows = session.exec(select(Asset, Building.name).outerjoin(Building, col(Building.id) == Asset.building_id)
                        .where(Asset.estate_id == actor.estate_id, col(Asset.retired_at).is_(None))
                        .order_by(col(Asset.category), col(Asset.code))).all()
    return [[_safe(v) for v in (a.code, a.category, a.subkind, a.name, a.location, b or "", a.quantity,
                                a.grade or "", a.expires_on.isoformat() if a.expires_on else "", a.contractor,
                                a.note)] for a, b in rows]


def _filename(session: Session, actor: Actor, suffix: str) -> str:
    estate = session.get(Estate, actor.estate_id)
    return f"{estate.name} 设施台账 {utcnow():%Y-%m-%d}.{suffix}".replace("/", "-")


@files.downloadable("asset-register-csv")
def export_csv(session: Session, actor: Actor) -> files.Download:
    """The register as CSV (UTF-8 with a byte-order mark), importable again as it is (a manager's)."""
    require(session, actor, FACILITIES, *WRITERS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    writer.writerows([[str(c) for c in row] for row in _export_rows(session, actor)])
    return files.Download(_filename(session, actor, "csv"), "text/csv; charset=utf-8",
                          ("\ufeff" + out.getvalue()).encode("utf-8"))


@files.downloadable("asset-register-xlsx")
def export_xlsx(session: Session, actor: Actor) -> files.Download:
    """The register as an XLSX workbook (header row in the import's column names), importable again as it is (a
    manager's)."""
    require(session, actor, FACILITIES, *WRITERS)
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(list(FIELDS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _export_rows(session, actor):
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJK", (12, 16, 14, 24, 20, 10, 12, 16, 12, 20, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return files.Download(_filename(session, actor, "xlsx"), XLSX_TYPE, buffer.getvalue())

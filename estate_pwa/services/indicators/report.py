"""The monthly report of the indicators: a Chinese PDF, and the same table as CSV and XLSX, each a download built
again for the manager the link names (services/files.py)."""

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.core.pdf import Table, TextDocument
from estate_pwa.i18n import tr
from estate_pwa.models import Estate
from estate_pwa.services import files
from estate_pwa.services.indicators.view import overview
from estate_pwa.services.permissions import Actor

HEADER_KEYS = ("indicator.number", "indicator.name", "indicator.value", "indicator.target", "indicator.status_label",
               "indicator.numerator", "indicator.denominator", "indicator.note")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _table(session: Session, actor: Actor, period: str, now: datetime) -> tuple[str, str, list[tuple[str, ...]]]:
    """The report's title, period label and rows (in Chinese, the report's language)."""
    label, tiles = overview(session, actor, period, now=now)
    estate = session.get(Estate, actor.estate_id)
    rows = [(str(t.number) if t.number else "", t.name_zh, t.value or "—",
             t.target + (tr("indicator.per_year", "zh") if t.per_year else ""),
             tr(f"indicator.status.{t.status}", "zh"), t.numerator, t.denominator,
             tr(t.why, "zh") if t.why else "") for t in tiles]
    return f"{estate.name} 物业管理指标报告", label, rows


def _header() -> tuple[str, ...]:
    return tuple(tr(k, "zh") for k in HEADER_KEYS)


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _name(title: str, label: str, suffix: str) -> str:
    return f"{title} {label}.{suffix}".replace("/", "-")


@files.downloadable("indicator-report-pdf")
def report_pdf(session: Session, actor: Actor, period: str = "month") -> files.Download:
    """The report as an A4 PDF."""
    now = utcnow()
    title, label, rows = _table(session, actor, period, now)
    document = TextDocument(title)
    document.heading(title)
    document.line(f"统计期间:{label}    生成时间:{now:%Y-%m-%d %H:%M} UTC")
    document.table(Table(_header(), rows, (0.05, 0.33, 0.1, 0.1, 0.09, 0.07, 0.07, 0.19)))
    document.line("说明:无数据的指标注明原因;数值均由系统记录计算,未经人工录入。", size=18)
    return files.Download(_name(title, label, "pdf"), "application/pdf", document.pdf())


@files.downloadable("indicator-report-csv")
def report_csv(session: Session, actor: Actor, period: str = "month") -> files.Download:
    """The report as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese)."""
    title, label, rows = _table(session, actor, period, utcnow())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    writer.writerows([tuple(_safe(c) for c in row) for row in rows])
    return files.Download(_name(title, label, "csv"), "text/csv; charset=utf-8",
                          ("\ufeff" + out.getvalue()).encode("utf-8"))


@files.downloadable("indicator-report-xlsx")
def report_xlsx(session: Session, actor: Actor, period: str = "month") -> files.Download:
    """The report as an XLSX workbook."""
    title, label, rows = _table(session, actor, period, utcnow())
    book = Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append([f"{title} · {label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(_header()))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(c) for c in row])
    for column, width in zip("ABCDEFGH", (6, 36, 10, 10, 10, 8, 8, 30)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return files.Download(_name(title, label, "xlsx"),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer.getvalue())

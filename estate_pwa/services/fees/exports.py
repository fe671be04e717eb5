"""Exports for the office, as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese) and XLSX
(amounts as numbers): a month's management fee bills with what was paid, the balance and the late fee owed today,
and the arrears by age. Each is a download built again for the cashier the link names (services/files.py); a cell
that a spreadsheet would run as a formula is written as text."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.i18n import tr
from estate_pwa.models import BillKind, Building, Estate, FeeBill, FeePayment, Unit
from estate_pwa.services.fees.billing import billed_days, month_days
from estate_pwa.services.fees.common import BUCKET_LABELS, CASHIERS, FEES, label, period_of, status_of_amounts
from estate_pwa.services.fees.late import due_on, late_fee_owed
from estate_pwa.services.fees.payments import owed_by_unit
from estate_pwa.services.files import Download, download_url, downloadable
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.roster import local_today

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PERIOD_KEYS = ("fees.period", "fees.building", "fees.unit_no", "fees.area_m2", "fees.rate_m2", "fees.days_billed",
               "fees.due_col", "fees.paid_col", "fees.balance_col", "fees.late_fee_col", "fees.status_col")
ARREARS_KEYS = ("fees.building", "fees.unit_no", "fees.months_unpaid", "fees.oldest_month",
                *(f"fees.age.{b}" for b in BUCKET_LABELS), "fees.total_owed")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {("period", "csv"): "fee-period-csv", ("period", "xlsx"): "fee-period-xlsx",
         ("arrears", "csv"): "fee-arrears-csv", ("arrears", "xlsx"): "fee-arrears-xlsx"}

Cell = str | int | Decimal


@dataclass
class Sheet:
    """A table to export: its title, file name (without suffix), header and rows."""

    title: str
    name: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def export_links(actor: Actor, period: str, now: datetime | None = None) -> dict[str, str]:
    """Signed links to the four exports ('period-csv', 'period-xlsx', 'arrears-csv', 'arrears-xlsx')."""
    return {f"{what}-{suffix}": download_url(actor, kind, now, period=period) if what == "period" else
            download_url(actor, kind, now) for (what, suffix), kind in KINDS.items()}


def period_sheet(session: Session, actor: Actor | None, period: object, now: datetime | None = None) -> Sheet:
    """Every management fee bill of a month, by building and unit: area, rate, days billed, due, paid, balance,
    the late fee owed today and the status."""
    actor = require(session, actor, FEES, *CASHIERS)
    with refusing(session, actor, FEES):
        month = period_of(period)
    estate = session.get(Estate, actor.estate_id)
    zone, today = ZoneInfo(estate.timezone), local_today(session, actor.estate_id, now or utcnow())
    of_fee_bills = (FeeBill.estate_id == actor.estate_id, FeeBill.period == month, FeeBill.kind == BillKind.FEE)
    period_label = label(month)
    status = {s: tr(f"fees.status.{s}", "zh") for s in ("paid", "partial", "unpaid")}
    paid_on: dict[int, list[tuple[date, Decimal, Decimal]]] = {}
    for bill_id, at, amount, late in session.exec(
            select(FeePayment.bill_id, FeePayment.received_at, FeePayment.amount, FeePayment.late_fee)
            .join(FeeBill, col(FeeBill.id) == FeePayment.bill_id)
            .where(*of_fee_bills, col(FeePayment.voided_at).is_(None))):
        paid_on.setdefault(bill_id, []).append((at.astimezone(zone).date(), amount, late))
    rows: list[tuple[Cell, ...]] = []
    for bill_id, building, number, area, rate, amount, paid, billed_from, percent in session.exec(
            select(FeeBill.id, Building.name, Unit.number, FeeBill.area_m2, FeeBill.rate, FeeBill.amount,
                   FeeBill.paid, FeeBill.billed_from, FeeBill.late_fee_percent)
            .join(Unit, col(Unit.id) == FeeBill.unit_id)
            .join(Building, col(Building.id) == Unit.building_id).where(*of_fee_bills)
            .order_by(col(Building.id), col(Unit.number))):
        late = late_fee_owed(amount, percent, month, paid_on.get(bill_id, []), today)
        rows.append((period_label, building, number, area, rate, billed_days(month, billed_from), amount, paid,
                     amount - paid, late, status[status_of_amounts(amount, paid)]))
    title = f"{estate.name} 物业费 {label(month)}(截至 {today:%Y-%m-%d},应缴期限 {due_on(month):%m-%d}," \
            f"本月 {month_days(month)} 天)"
    return Sheet(title, f"fees-{label(month)}", tuple(tr(k, "zh") for k in PERIOD_KEYS), rows)


def arrears_sheet(session: Session, actor: Actor | None, now: datetime | None = None) -> Sheet:
    """Every unit owing on earlier months' bills, most owed first, with the amounts per age bucket."""
    actor = require(session, actor, FEES, *CASHIERS)
    estate = session.get(Estate, actor.estate_id)
    today = local_today(session, actor.estate_id, now or utcnow())
    owed = owed_by_unit(session, actor.estate_id, today.replace(day=1))
    places = {u: (b, n) for u, b, n in session.exec(
        select(Unit.id, Building.name, Unit.number).join(Building, col(Building.id) == Unit.building_id)
        .where(col(Unit.id).in_(list(owed))))} if owed else {}
    rows: list[tuple[Cell, ...]] = []
    for unit_id in sorted(owed, key=lambda u: (-sum(owed[u][0]), u)):
        buckets, months, oldest = owed[unit_id]
        building, number = places.get(unit_id, ("", ""))
        rows.append((building, number, months, label(oldest), *buckets, sum(buckets, Decimal("0.00"))))
    return Sheet(f"{estate.name} 物业费欠费账龄(截至 {today:%Y-%m-%d})", f"arrears-{today:%Y-%m-%d}",
                 tuple(tr(k, "zh") for k in ARREARS_KEYS), rows)


def _safe(cell: Cell) -> Cell:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_START) else cell


def as_csv(sheet: Sheet) -> Download:
    """The sheet as CSV: a title line, the header, the rows (amounts with two decimals)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(sheet.title)])
    writer.writerow(sheet.header)
    writer.writerows([tuple(_safe(c) for c in row) for row in sheet.rows])
    return Download(f"{sheet.name}.csv", "text/csv; charset=utf-8", ("\ufeff" + out.getvalue()).encode("utf-8"))


def as_xlsx(sheet: Sheet) -> Download:
    """The sheet as an XLSX workbook (written row by row): amounts as numbers with two decimals, every text cell
    stored as text."""
    book = Workbook(write_only=True)
    page = book.create_sheet(sheet.name[:31])
    for index in range(len(sheet.header)):
        page.column_dimensions[chr(ord("A") + index)].width = 12
    page.append([_cell(page, sheet.title, Font(bold=True, size=13))])
    page.append([_cell(page, h, Font(bold=True)) for h in sheet.header])
    for values in sheet.rows:
        page.append([_cell(page, v) for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return Download(f"{sheet.name}.xlsx", XLSX, buffer.getvalue())


def _cell(page, value: Cell, font: Font | None = None) -> WriteOnlyCell:
    """A workbook cell: text stored as text (never a formula, whatever it starts with), amounts as numbers."""
    cell = WriteOnlyCell(page, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    if font is not None:
        cell.font = font
    return cell


@downloadable(KINDS["period", "csv"])
def period_csv(session: Session, actor: Actor, period: str) -> Download:
    """A month's bills as CSV."""
    return as_csv(period_sheet(session, actor, period))


@downloadable(KINDS["period", "xlsx"])
def period_xlsx(session: Session, actor: Actor, period: str) -> Download:
    """A month's bills as XLSX."""
    return as_xlsx(period_sheet(session, actor, period))


@downloadable(KINDS["arrears", "csv"])
def arrears_csv(session: Session, actor: Actor) -> Download:
    """The arrears by age as CSV."""
    return as_csv(arrears_sheet(session, actor))


@downloadable(KINDS["arrears", "xlsx"])
def arrears_xlsx(session: Session, actor: Actor) -> Download:
    """The arrears by age as XLSX."""
    return as_xlsx(arrears_sheet(session, actor))

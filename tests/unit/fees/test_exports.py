"""Exports of the month's bills and of the arrears, as CSV and XLSX through signed download links: Chinese
headers, amounts exact (numbers in the workbook), and no cell a spreadsheet would run as a formula."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from estate_pwa.models import Building, FeeBill, Role
from estate_pwa.services import fees
from estate_pwa.services.errors import NotAllowed, NotFound
from estate_pwa.services.fees import exports
from estate_pwa.services.files import build_download
from tests.unit.conftest import NOW
from tests.unit.fees.conftest import pay


@pytest.fixture
def hostile_name(session, estate):
    """The estate's building renamed to start like a formula."""
    building = session.exec(select(Building).where(Building.estate_id == estate.id)).one()
    building.name = "=HYPERLINK(\"http://x\")"
    session.commit()
    return building.name


def _token(url: str) -> str:
    return url.removeprefix("/files/")


def test_period_export_csv_and_xlsx(session, boss, billed, units, hostile_name):
    pay(session, boss, billed[units[0].id], "220")
    pay(session, boss, billed[units[1].id], "20.50", "wechat", "WX-1")
    links = exports.export_links(boss, "2026-03", now=NOW)
    document = build_download(session, _token(links["period-csv"]), now=NOW)
    assert document.filename == "fees-2026-03.csv" and document.media_type.startswith("text/csv")
    text = document.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["月份", "楼栋", "房号", "面积(㎡)", "单价(元/㎡·月)", "计费天数", "应缴(元)", "已缴(元)",
                       "待缴(元)", "违约金(元)", "状态"]
    assert rows[2] == ["2026-03", "'" + hostile_name, "101", "88.00", "2.50", "31", "220.00", "220.00", "0.00",
                       "0.00", "已缴清"]
    assert rows[3][6:9] == ["220.00", "20.50", "199.50"] and rows[3][10] == "部分缴纳"
    assert len(rows) == 6

    workbook = build_download(session, _token(links["period-xlsx"]), now=NOW)
    assert workbook.filename == "fees-2026-03.xlsx"
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [c.value for c in sheet[2]][:3] == ["月份", "楼栋", "房号"]
    building = sheet.cell(row=3, column=2)
    assert building.value == hostile_name and building.data_type == "s"  # text, never a formula
    assert [sheet.cell(row=4, column=c).value for c in (7, 8, 9)] == [220, 20.5, 199.5]
    assert sheet.cell(row=4, column=7).data_type == "n" and sheet.cell(row=4, column=7).number_format == "#,##0.00"
    assert sheet.max_row == 6


def test_arrears_export_with_age_buckets(session, boss, units, billed):
    for month in ("2026-02", "2025-12", "2025-09", "2025-03", "2024-12"):
        fees.generate_month(session, boss, month, now=NOW)
    session.commit()
    for bill in session.exec(select(FeeBill).where(FeeBill.estate_id == boss.estate_id,
                                                   FeeBill.unit_id != units[0].id)):
        pay(session, boss, bill, str(bill.amount))
    bill = session.exec(select(FeeBill).where(FeeBill.unit_id == units[0].id,
                                              FeeBill.period == date(2026, 2, 1))).one()
    pay(session, boss, bill, "20")
    sheet = exports.arrears_sheet(session, boss, now=NOW)  # ages counted from March 2026
    rows = list(csv.reader(io.StringIO(exports.as_csv(sheet).content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[1] == ["楼栋", "房号", "欠费月数", "最早欠费月份", "1–3 个月", "4–6 个月", "7–12 个月", "12 个月以上",
                       "欠费合计(元)"]
    assert rows[2:] == [["1栋", "101", "5", "2024-12", "420.00", "220.00", "220.00", "220.00", "1080.00"]]
    page = load_workbook(io.BytesIO(exports.as_xlsx(sheet).content)).active
    assert [page.cell(row=3, column=c).value for c in range(1, 10)] == ["1栋", "101", 5, "2024-12", 420, 220, 220,
                                                                       220, 1080]
    link = exports.export_links(boss, "2026-03", now=NOW)["arrears-xlsx"]
    document = build_download(session, _token(link), now=NOW)  # the link builds it for today
    assert document.filename.startswith("arrears-") and document.filename.endswith(".xlsx")
    assert load_workbook(io.BytesIO(document.content)).active.cell(row=2, column=1).value == "楼栋"


def test_only_the_office_gets_them(session, factory, estate, boss, billed, units, resident):
    with pytest.raises(NotAllowed):
        exports.period_sheet(session, resident, "2026-03", now=NOW)
    with pytest.raises(NotAllowed):
        exports.arrears_sheet(session, None, now=NOW)
    for kind in ("period-csv", "arrears-xlsx"):
        link = exports.export_links(resident, "2026-03", now=NOW)[kind]  # a link made for the wrong person
        with pytest.raises(NotAllowed):
            build_download(session, _token(link), now=NOW)
    elsewhere = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    sheet = exports.period_sheet(session, elsewhere, "2026-03", now=NOW)
    assert sheet.rows == []  # another estate's manager sees none of these bills
    with pytest.raises(NotFound):
        build_download(session, "forged", now=NOW)

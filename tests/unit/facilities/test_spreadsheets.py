"""Importing the register from XLSX and CSV: the dry run lists every bad row with its reason and writes nothing; a
clean file is imported whole; the export reads back in as it was (and never carries a formula)."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from estate_pwa.models import Asset, Role
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.facilities import register, spreadsheets
from tests.unit.conftest import expect_refused

HEADER = ["code", "category", "subkind", "name", "location", "building", "quantity", "grade", "expires_on",
          "contractor", "note"]
GOOD = [
    ["H-1", "housing", "building", "1栋", "北区", "1栋", 5400, "good", None, None, None],
    ["R-1", "road", "road", "环湖路", "", None, "1250.5", None, None, None, "沥青"],
    ["F-1", "fire_equipment", "extinguisher", "1栋1层灭火器", "1栋大堂", "1栋", 1, None, "2027-05-31", None, None],
    ["E-1", "public_equipment", "lift", "1栋1号电梯", "", "1栋", 1, None, None, "奥的斯维保", None],
    ["D-1", "drain", "open_ditch", "环湖明沟", "", None, 86.4, None, None, None, None],
]
BAD = [
    ["X-1", "spaceship", "lift", "飞船", "", None, 1, None, None, None, None],             # wrong category
    ["X-2", "road", "road", "负面积路", "", None, -120, None, None, None, None],              # negative area
    ["X-3", "green", "lawn", "零面积草坪", "", None, "0", None, None, None, None],            # zero area
    ["R-1", "road", "path", "重复编号", "", None, 10, None, None, None, None],               # duplicate in file
    ["X-5", "street_light", "street_light", "=HYPERLINK(\"http://evil\",\"点我\")", "", None, 1, None, None,
     None, None],                                                                          # formula injection
    ["X-6", "well", "rain_well", "+cmd|' /C calc'!A0", "", None, 1, None, None, None, None],  # formula injection
    ["X-7", "well", "rain_well", "", "", None, 1, None, None, None, None],                   # missing name
    ["X-8", "street_light", "street_light", "半盏灯", "", None, "2.5", None, None, None, None],  # items are whole
    ["@X9", "well", "sand_well", "沙井", "", None, 1, None, None, None, None],                 # formula in the code
    ["X-10", "housing", "building", "无等级楼", "", None, 300, None, None, None, None],         # no grade
    ["X-11", "road", "road", "无此楼", "", "99栋", 10, None, None, None, None],                 # unknown building
]
REASONS = ["error.asset_category_invalid", "error.asset_quantity_positive", "error.asset_quantity_positive",
           "error.import_duplicate_code", "error.asset_formula", "error.asset_formula", "error.asset_missing_name",
           "error.asset_count_whole", "error.asset_formula", "error.asset_grade_required",
           "error.asset_building_unknown"]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([["" if c is None else c for c in row] for row in rows])
    return out.getvalue().encode("utf-8")


def assets(session, estate) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Asset).where(Asset.estate_id == estate.id)).one()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_dry_run_lists_every_bad_row_and_nothing_is_imported(session, estate, boss, kind):
    data, name = (xlsx(GOOD + BAD), "台账.xlsx") if kind == "xlsx" else (csv_bytes(GOOD + BAD), "台账.csv")
    check = spreadsheets.check_import(session, boss, data, name)
    assert check.good == len(GOOD) and not check.ok
    assert [(r.row, r.reason) for r in check.rejected] == [
        (len(GOOD) + 2 + i, reason) for i, reason in enumerate(REASONS)]
    assert check.rejected[3].code == "R-1" and check.rejected[8].code == ""  # a formula is never echoed back
    # importing the same file adds nothing (all or nothing) and says why
    result = spreadsheets.import_assets(session, boss, data, name)
    session.commit()
    assert result.rejected == check.rejected and assets(session, estate) == 0


def test_a_clean_file_is_imported_whole_and_then_its_codes_are_taken(session, estate, boss):
    data = csv_bytes(GOOD)
    result = spreadsheets.import_assets(session, boss, data, "assets.csv")
    session.commit()
    assert result.ok and result.good == len(GOOD) and assets(session, estate) == len(GOOD)
    lift = session.exec(select(Asset).where(Asset.estate_id == estate.id, Asset.code == "E-1")).one()
    assert (lift.measure, lift.quantity, lift.contractor) == ("count", Decimal("1.00"), "奥的斯维保")
    again = spreadsheets.check_import(session, boss, data, "assets.csv")
    assert {r.reason for r in again.rejected} == {"error.asset_code_taken"} and len(again.rejected) == len(GOOD)


def test_chinese_headers_and_gb18030(session, estate, boss):
    header = [spreadsheets.HEADERS_ZH[h] for h in HEADER]
    out = io.StringIO()
    csv.writer(out).writerows([header, ["W-1", "well", "septic_tank", "1号化粪池", "", "", "1", "", "", "", ""]])
    check = spreadsheets.check_import(session, boss, out.getvalue().encode("gb18030"), "台账.csv")
    assert check.ok and check.good == 1


def test_unreadable_files_and_who_may_import(session, fresh_session, estate, boss, factory):
    for data, key in ((b"", "error.import_unreadable"), (b"PK\x03\x04garbage", "error.import_unreadable"),
                      (b"name,place\n1,2\n", "error.import_no_header"),
                      (b"x" * (spreadsheets.MAX_BYTES + 1), "error.import_too_large"), ("text", "error.import_unreadable")):
        expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, key,
                       lambda data=data: spreadsheets.check_import(session, boss, data, "a.csv"))
    tech = factory.actor(factory.user(estate, Role.TECHNICIAN))
    expect_refused(fresh_session, estate.id, "facilities_refused", NotAllowed, "error.not_allowed",
                   lambda: spreadsheets.import_assets(session, tech, csv_bytes(GOOD), "a.csv"),
                   unchanged=lambda: assets(fresh_session, estate))


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_export_reads_back_in_as_it_was(session, estate, boss, factory, kind):
    spreadsheets.import_assets(session, boss, xlsx(GOOD), "a.xlsx")
    session.commit()
    builder = spreadsheets.export_xlsx if kind == "xlsx" else spreadsheets.export_csv
    download = builder(session, boss)
    assert download.filename.endswith(f".{kind}")
    if kind == "xlsx":
        rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
        cells = [c for row in rows for c in row if isinstance(c, str)]
    else:
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        cells = [c for row in rows for c in row]
    assert list(rows[0]) == HEADER and len(rows) == len(GOOD) + 1
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    # into another estate (with the same building), the export imports cleanly and gives the same register
    other = factory.estate()
    manager = factory.actor(factory.user(other, Role.MANAGER))
    result = spreadsheets.import_assets(session, manager, download.content, download.filename)
    session.commit()
    assert result.ok and result.good == len(GOOD)

    def shape(estate_id):
        return sorted((a.code, a.category, a.subkind, a.name, a.location, a.quantity, a.grade, a.expires_on,
                       a.contractor, a.note) for a in session.exec(select(Asset).where(Asset.estate_id == estate_id)))
    assert shape(other.id) == shape(estate.id)


def test_the_export_guards_against_formulas_already_stored(session, estate, boss):
    asset = register.add_asset(session, boss, {"code": "L-1", "category": "street_light", "subkind": "street_light",
                                               "name": "路灯", "quantity": "1"})
    asset.name = "=1+1"  # cannot come in through the app; the export still guards
    session.commit()
    rows = list(csv.reader(io.StringIO(spreadsheets.export_csv(session, boss).content.decode("utf-8-sig"))))
    assert rows[1][3] == "'=1+1"

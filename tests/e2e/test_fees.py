"""Fees in the browser at tablet size (1024×1366): a unit handed over this month has no bill yet; the manager
generates the month's bills (the new unit's only), finds it, records its payment in cash, sees its receipt and the
exports, and the collection rate on the indicators overview moves; the rates dialog opens. The demo household
downloads one of its receipts on the phone. Screenshots go to test-artifacts/."""

import re
from pathlib import Path
import uuid

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from estate_pwa import routes
from estate_pwa.core.db import get_engine
from estate_pwa.models import Building, Estate, Unit
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot

MANAGER = DEMO_ACCOUNTS[0]
TABLET = {"width": 1024, "height": 1366}
TILE = "[data-indicator=fee_collection]"


def _new_unit(db_url: str) -> str:
    """A unit just added to the demo estate's last building (so this month has no bill for it); its number."""
    number = f"9{uuid.uuid4().hex[:3]}"
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        building = session.exec(select(Building).where(Building.estate_id == estate_id)
                                .order_by(col(Building.id).desc())).first()
        session.add(Unit(estate_id=estate_id, building_id=building.id, number=number, floor=9, area_m2=100.0))
        session.commit()
        return f"{building.name} {number}"


def _collection(page: Page) -> str:
    page.goto(routes.MANAGER)
    tile = page.locator(TILE)
    expect(tile).to_contain_text("%")
    return re.search(r"\d+(\.\d+)?%", tile.inner_text()).group()


def test_a_manager_bills_the_month_records_a_payment_and_the_collection_rate_moves(browser, playwright, app):
    unit = _new_unit(app.db_url)
    contexts = []
    try:
        context = browser.new_context(viewport=TABLET, has_touch=True, base_url=app.url, locale="zh-CN",
                                      **NO_SERVICE_WORKER)
        context.set_default_timeout(20_000)
        contexts.append(context)
        manager = context.new_page()
        login(manager, MANAGER[0], MANAGER[1], routes.MANAGER)
        before = _collection(manager)

        manager.goto(routes.MANAGER_FEES)
        expect(manager.get_by_test_id("collection-rate")).to_contain_text("%")
        manager.get_by_role("button", name=re.compile("生成 .* 账单")).click()
        manager.get_by_role("alertdialog").get_by_role("button", name="生成账单").click()
        expect(manager.get_by_test_id("fee-notice")).to_contain_text("新生成 1 张账单")

        manager.fill("#fee-search", unit.split(" ")[1])
        manager.get_by_role("button", name="按楼栋或房号查找").click()
        bill = manager.get_by_test_id("office-bill").filter(has_text=unit)
        expect(bill).to_have_count(1)
        expect(bill).to_contain_text("未缴")
        bill.get_by_role("button", name="登记收款").click()
        dialog = manager.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(manager.locator("#fee-amount")).not_to_have_value("")
        dialog.get_by_role("button", name="登记收款").click()
        expect(manager.get_by_test_id("fee-notice")).to_contain_text("已登记收款")
        expect(dialog).to_have_count(0)
        paid = manager.get_by_test_id("office-bill").filter(has_text=unit).first
        expect(paid).to_contain_text("已缴清")
        expect(paid.get_by_test_id("receipt-link")).to_be_visible()
        for name in ("period-csv", "period-xlsx", "arrears-csv", "arrears-xlsx"):
            expect(manager.get_by_test_id(f"export-{name}")).to_have_attribute("href", re.compile("^/files/"))
        with manager.expect_download() as download:
            manager.get_by_test_id("export-period-xlsx").click()
        assert download.value.suggested_filename.startswith("fees-") and \
            download.value.suggested_filename.endswith(".xlsx")

        manager.get_by_role("button", name="标准与违约金").click()
        rates = manager.get_by_role("dialog")
        expect(rates.get_by_text("收费标准与违约金")).to_be_visible()
        expect(rates.get_by_text("现行").first).to_be_visible()
        screenshot(manager, f"fees-rates-dialog-{app.backend}")
        rates.get_by_role("button", name="关闭").click()
        expect(rates).to_have_count(0)
        screenshot(manager, f"fees-office-{app.backend}")

        # The overview may first show the value it held (Redis keeps state across page loads), then its fresh one.
        manager.goto(routes.MANAGER)
        expect(manager.locator(TILE)).to_contain_text("%")
        expect(manager.locator(TILE)).not_to_contain_text(before)

        resident_context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER)
        resident_context.set_default_timeout(20_000)
        contexts.append(resident_context)
        resident = resident_context.new_page()
        login(resident, DEMO_RESIDENT[0], DEMO_RESIDENT[1], routes.RESIDENT)
        resident.goto(routes.RESIDENT_FEES)
        receipt = resident.get_by_test_id("receipt-link").first
        expect(receipt).to_be_visible()
        with resident.expect_download() as download:
            receipt.click()
        assert re.fullmatch(r"receipt-\d{8}\.pdf", download.value.suggested_filename)
        assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    finally:
        for context in contexts:
            context.close()

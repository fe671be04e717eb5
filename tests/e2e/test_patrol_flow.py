"""A guard walks a round at phone size: starts it, scans checkpoints by opening their URLs (the phone's camera),
and the manager's board shows the round finished on time, and what each scan of a round became."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import PatrolRound, Role, RoundStatus, ScanOutcome, User
from estate_pwa.services import patrol
from estate_pwa.services.demo import DEMO_RESIDENT
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import (
    MANAGER, NO_SERVICE_WORKER, login, point_where, round_and_scans, route_due_now, screenshot, staff_account,
)


def test_guard_starts_a_round_scans_by_url_and_the_manager_sees_it_on_time(browser, playwright, app):
    guard_phone, guard_password = staff_account(app.db_url, Role.GUARD, name="巡逻员")
    route_name, (first, second) = route_due_now(app.db_url, guard_phone, side_by_side=True)  # no walking time
    device = playwright.devices["Pixel 7"]
    guard = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    manager = browser.new_context(**device, base_url=app.url, permissions=["geolocation"],
                                  geolocation={"latitude": 31.2304, "longitude": 121.4737},
                                  **NO_SERVICE_WORKER).new_page()
    try:
        login(guard, guard_phone, guard_password, "/guard")
        card = guard.get_by_test_id("round-card").filter(has_text=route_name)
        card.get_by_role("button", name="开始巡更").click()
        expect(card).to_contain_text("巡更中")

        guard.goto(first)
        expect(guard.get_by_test_id("scan-message")).to_have_text("打卡成功")
        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2")
        screenshot(guard, f"patrol-scan-{app.backend}")
        guard.reload()  # the same scan again: the first answer, no second row (counted below)
        expect(guard.get_by_test_id("scan-message")).to_have_text("打卡成功")
        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2")
        guard.goto(first)
        expect(guard.get_by_test_id("scan-message")).to_contain_text("不重复计")
        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2")
        guard.goto("/p/" + "x" * 40)
        expect(guard.get_by_test_id("scan-message")).to_have_text("二维码无效,请扫描巡更点上的二维码")

        guard.goto(second)
        expect(guard.get_by_test_id("scan-progress")).to_have_text("2 / 2")
        guard.get_by_role("link", name="返回巡更").click()
        guard.wait_for_url("**/guard")
        outcomes = [scan.outcome for scan in round_and_scans(app.db_url, route_name)[1]]
        assert outcomes == [ScanOutcome.COUNTED, ScanOutcome.DUPLICATE, ScanOutcome.COUNTED]

        login(manager, MANAGER[0], MANAGER[1], "/manager")
        manager.locator("nav a[href='/manager/patrol']").click()
        manager.wait_for_url("**/manager/patrol")
        finished = manager.get_by_test_id("round-card").filter(has_text=route_name)
        expect(finished).to_contain_text("按时完成")
        expect(finished).to_contain_text("2 / 2")
        expect(manager.get_by_test_id("last-scan").filter(has_text="巡逻员")).to_contain_text("测试点B")
        screenshot(manager, f"patrol-board-{app.backend}")
        finished.get_by_role("button", name="打卡明细").click()
        dialog = manager.get_by_role("dialog")
        expect(dialog.get_by_test_id("detail-stop")).to_have_count(2)
        expect(dialog.get_by_test_id("detail-stop").first).to_contain_text("测试点A")
        expect(dialog.get_by_test_id("detail-stop").first).not_to_contain_text("未打卡")
        expect(dialog.get_by_test_id("detail-scan")).to_have_count(3)
        expect(dialog.get_by_test_id("detail-scan").nth(1)).to_contain_text("重复,不计")
        screenshot(manager, f"patrol-round-detail-{app.backend}")
        dialog.get_by_role("button", name="关闭").click()
        expect(dialog).to_have_count(0)
        finished.get_by_role("button", name="打卡明细").click()
        expect(dialog.get_by_test_id("detail-scan")).to_have_count(3)

        manager.goto("/manager/patrol/history")  # left open on the board, the round is not open here
        history = manager.get_by_test_id("history-row").filter(has_text=route_name)
        expect(history).to_contain_text("按时完成")
        expect(dialog).to_have_count(0)
        history.get_by_role("button", name="打卡明细").click()
        expect(dialog.get_by_test_id("detail-stop")).to_have_count(2)
        manager.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        manager.get_by_role("combobox").nth(2).click()
        manager.get_by_role("option", name="漏巡").click()
        manager.get_by_role("button", name="查询").click()
        expect(history).to_have_count(0)
        with manager.expect_download(timeout=60_000) as export:
            manager.get_by_role("button", name="导出所选记录(CSV)").click()
        assert route_name not in Path(export.value.path()).read_text(encoding="utf-8-sig")
        screenshot(manager, f"patrol-history-{app.backend}")

        manager.get_by_role("link", name="巡更点与路线").click()
        manager.wait_for_url("**/manager/patrol/setup")
        with manager.expect_download(timeout=60_000) as sheet:
            manager.get_by_role("button", name="打印二维码(A4 PDF)").click()
        assert sheet.value.suggested_filename == "patrol-codes.pdf"
        assert Path(sheet.value.path()).read_bytes().startswith(b"%PDF")
        with manager.expect_download(timeout=60_000) as label:
            manager.get_by_role("button", name="下载图片").first.click()
        assert Path(label.value.path()).read_bytes().startswith(b"\x89PNG")

        new_route, first_name = f"夜巡复查{route_name[-5:]}", f"测试点A{route_name[-5:]}"
        form = manager.locator("form").filter(has_text="新增巡更路线")
        form.get_by_placeholder("路线名称").fill(new_route)
        form.get_by_role("button", name=first_name).click()
        form.get_by_role("button", name="南门岗").click()
        form.get_by_role("checkbox").click()
        form.get_by_role("button", name="保存").click()
        created = manager.get_by_test_id("route-card").filter(has_text=new_route)
        expect(created).to_contain_text(f"{first_name} → 南门岗")
        expect(created).to_contain_text("按顺序")
        screenshot(manager, f"patrol-setup-{app.backend}")

        point_form = manager.locator("form").filter(has_text="新增巡更点")
        point_form.get_by_placeholder("巡更点名称").fill(f"东门岗{route_name[-5:]}")
        point_form.get_by_role("button", name="保存").click()  # no area chosen: refused, the name stays
        expect(manager.locator("[data-sonner-toast]", has_text="请选择所在区域")).to_be_in_viewport()
        expect(point_form.get_by_placeholder("巡更点名称")).to_have_value(f"东门岗{route_name[-5:]}")
        point_form.get_by_role("combobox").click()
        manager.get_by_role("option").first.click()
        point_form.get_by_role("button", name="用本机当前位置").click()
        expect(point_form.get_by_placeholder("纬度(可选)")).to_have_value("31.230400")
        expect(point_form.get_by_placeholder("经度(可选)")).to_have_value("121.473700")
        point_form.get_by_role("button", name="保存").click()
        expect(form.get_by_role("button", name=f"东门岗{route_name[-5:]}")).to_be_visible()  # a stop to choose now
        expect(point_form.get_by_placeholder("巡更点名称")).to_have_value("")
        assert point_where(app.db_url, f"东门岗{route_name[-5:]}") == (31.2304, 121.4737)
    finally:
        guard.context.close()
        manager.context.close()


def test_a_resident_cannot_scan_a_checkpoint(phone, app):
    _, (url, _) = route_due_now(app.db_url, staff_account(app.db_url, Role.GUARD)[0])
    login(phone, DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident")
    phone.goto(url)
    phone.wait_for_url("**/resident")



def test_scans_synced_after_their_round_closed_are_shown_to_the_manager_on_that_round(phone, app):
    guard_phone, _ = staff_account(app.db_url, Role.GUARD, name="夜巡员")
    route_name, (first, _) = route_due_now(app.db_url, guard_phone)
    now = utcnow()
    with Session(get_engine(app.db_url)) as session:  # the round was walked 50 minutes ago, offline at the end
        patrol_round = round_and_scans(app.db_url, route_name)[0]
        patrol_round = session.get(PatrolRound, patrol_round.id)
        patrol_round.window_start, patrol_round.window_end = now - timedelta(minutes=50), now - timedelta(minutes=20)
        patrol_round.grace_end = now - timedelta(minutes=10)
        patrol_round.status, patrol_round.started_at = RoundStatus.IN_PROGRESS, now - timedelta(minutes=50)
        session.add(patrol_round)
        session.commit()
        guard = actor_for(session, session.exec(select(User).where(User.phone == guard_phone)).one())
        with pytest.raises(InvalidInput, match="error.scan_after_close"):
            patrol.record_scan(session, guard, patrol.token_of(first), uuid.uuid4().hex,
                               now - timedelta(minutes=30))
        session.commit()

    login(phone, MANAGER[0], MANAGER[1], "/manager")
    phone.goto("/manager/patrol/history")
    row = phone.get_by_test_id("history-row").filter(has_text=route_name).filter(has_text="被拒打卡 1")
    expect(row).to_contain_text("未巡完")  # its status stays what server time made it
    row.get_by_role("button", name="打卡明细").click()
    late = phone.get_by_role("dialog").get_by_test_id("detail-scan")
    expect(late).to_have_count(1)
    expect(late).to_contain_text("本轮结束后才收到,不计入")
    phone_clock = format_local(now - timedelta(minutes=30), "Asia/Shanghai", "%H:%M:%S")
    # with its date when the phone's time falls on another day than the round (a round closed before midnight)
    expect(late).to_contain_text(re.compile(rf"手机记录的扫码时间 (\d\d-\d\d )?{phone_clock}"))
    screenshot(phone, f"patrol-round-synced-late-{app.backend}")

"""Logging in per role, refusals, logout, language, offline shell and installability, in Chromium at phone size."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import Estate, Role, Unit
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, fits_width, login, screenshot, staff_account

MANAGER = DEMO_ACCOUNTS[0]
GUARD = DEMO_ACCOUNTS[1]
CLEANER = DEMO_ACCOUNTS[3]
TECHNICIAN = DEMO_ACCOUNTS[4]

HOMES = {
    "manager": (MANAGER[0], MANAGER[1], "/manager", "管理概览"),
    "guard": (GUARD[0], GUARD[1], "/guard", "保安值班"),
    "cleaner": (CLEANER[0], CLEANER[1], "/cleaner", "保洁工作"),
    "technician": (TECHNICIAN[0], TECHNICIAN[1], "/technician", "维修工单"),
    "resident": (DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident", "我的家"),
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home(phone, app, role):
    number, password, home, title = HOMES[role]
    login(phone, number, password, home)
    expect(phone.get_by_role("heading", name=title)).to_be_visible()
    expect(phone.locator("nav[aria-label=main]")).to_be_visible()
    expect(phone.locator("nav a[aria-current=page]")).to_have_attribute("href", home)
    assert fits_width(phone)
    screenshot(phone, f"home-{role}-{app.backend}")
    phone.set_viewport_size({"width": 360, "height": 740})
    assert fits_width(phone)


def test_manager_home_shows_real_counts_at_tablet_width(phone, app):
    with Session(get_engine(app.db_url)) as session:  # 288 in the demo, more once other tests add units
        units = session.exec(select(func.count()).select_from(Unit).join(Estate)
                             .where(Estate.code == DEMO_CODE)).one()
    login(phone, MANAGER[0], MANAGER[1], "/manager")
    phone.set_viewport_size({"width": 1024, "height": 768})
    expect(phone.get_by_text(str(units), exact=True)).to_be_visible()
    expect(phone.get_by_text("楼栋", exact=True)).to_be_visible()
    assert fits_width(phone)
    screenshot(phone, f"manager-tablet-{app.backend}")
    phone.set_viewport_size({"width": 768, "height": 1024})
    assert fits_width(phone)


def test_wrong_password_and_unknown_phone_get_the_same_message(phone, app):
    number, _ = staff_account(app.db_url, Role.GUARD)
    phone.goto("/login")
    phone.fill("#phone", number)
    phone.fill("#password", "Wrong-password-1")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_have_text("手机号或密码错误")
    phone.fill("#phone", "13699999999")
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_have_text("手机号或密码错误")
    assert phone.url.endswith("/login/") or phone.url.endswith("/login")


def test_repeated_wrong_passwords_lock_the_account(phone, app):
    number, password = staff_account(app.db_url, Role.GUARD)
    phone.goto("/login")
    phone.fill("#phone", number)
    for _ in range(5):
        phone.fill("#password", "Wrong-password-1")
        phone.get_by_role("button", name="登录").click()
        expect(phone.get_by_role("alert")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text("账号已锁定")
    phone.fill("#password", password)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_contain_text("账号已锁定")


@pytest.mark.parametrize("typed_phone, typed_password, message", [
    ("", "", "请输入11位手机号"),
    ("13800000001", "", "请输入密码"),
    ("😀😀😀", "😀", "请输入11位手机号"),
    ("1' OR '1'='1", "' OR 1=1 --", "请输入11位手机号"),
    ("13800000001", "x' OR '1'='1", "手机号或密码错误"),
])
def test_bad_login_input_gets_a_clear_message(phone, app, typed_phone, typed_password, message):
    phone.goto("/login")
    phone.fill("#phone", typed_phone)
    phone.fill("#password", typed_password)
    phone.get_by_role("button", name="登录").click()
    expect(phone.get_by_role("alert")).to_contain_text(message)


def test_logout_returns_to_login_and_the_session_is_gone(phone, app):
    login(phone, GUARD[0], GUARD[1], "/guard")
    phone.locator("nav a[href='/me']").click()
    phone.wait_for_url("**/me")
    phone.locator("#logout").click()
    phone.wait_for_url(re.compile(r".*/login/?$"))
    phone.goto("/guard")
    phone.wait_for_url(re.compile(r".*/login/?$"))


def test_resident_typing_a_manager_url_is_sent_away(phone, app):
    login(phone, DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident")
    for url in ("/manager", "/manager/staff", "/manager/units", "/guard"):
        phone.goto(url)
        phone.wait_for_url("**/resident")
        expect(phone.get_by_role("heading", name="我的家")).to_be_visible()
    expect(phone.get_by_text(MANAGER[0])).to_have_count(0)


def test_language_switch_persists_across_reloads(phone, app):
    phone.goto("/login")
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
    login(phone, GUARD[0], GUARD[1], "/guard")
    expect(phone.get_by_role("heading", name="Guard duty")).to_be_visible()
    phone.get_by_role("button", name="中文").click()
    expect(phone.get_by_role("heading", name="保安值班")).to_be_visible()


@pytest.mark.service_worker
def test_reload_while_offline_shows_the_shell_and_the_banner(phone, app):
    login(phone, GUARD[0], GUARD[1], "/guard")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(phone.locator("#offline-banner")).to_be_hidden()
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="保安值班")).to_be_visible()
    expect(phone.locator("#offline-banner")).to_be_visible()
    expect(phone.locator("#offline-banner")).to_contain_text("离线")
    expect(phone.get_by_text("未在班")).to_have_count(0)  # nothing is claimed about duty until the server says
    expect(phone.get_by_text("加载中…").first).to_be_visible()
    screenshot(phone, f"offline-{app.backend}")
    phone.goto("/me")
    expect(phone.locator("#offline-banner")).to_be_visible()
    phone.context.set_offline(False)
    expect(phone.locator("#offline-banner")).to_be_hidden()


def test_chromium_reports_no_installability_errors(playwright, ui_app, tmp_path):
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=ui_app.url, **device,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        manifest = cdp.send("Page.getAppManifest")
    finally:
        context.close()
    assert errors == []
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")


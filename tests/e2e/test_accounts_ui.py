"""Managers run accounts from the UI; residents join with a printed invite code."""

import re

from playwright.sync_api import expect

from estate_pwa.models import Role
from estate_pwa.services.demo import DEMO_ACCOUNTS
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot, staff_account
from tests.factories import unique_phone

MANAGER = DEMO_ACCOUNTS[0]


def _open_staff_admin(page, app):
    number, password = staff_account(app.db_url, Role.MANAGER, name="副经理")
    login(page, number, password, "/manager")
    page.locator("nav a[href='/manager/staff']").click()
    page.wait_for_url("**/manager/staff")
    expect(page.get_by_text(f"{MANAGER[0]} · 物业经理")).to_be_visible()  # the list has loaded: the screen is live


def test_manager_creates_a_guard_who_can_then_log_in(phone, app, browser, playwright):
    _open_staff_admin(phone, app)
    form = phone.locator("form")
    new_phone = unique_phone()
    form.get_by_placeholder("姓名").fill("周保安")
    form.get_by_placeholder("手机号").fill("😀😀")
    form.get_by_placeholder("初始密码").fill("Guard2024x")
    form.get_by_role("checkbox", name="保安").click()
    form.get_by_role("button", name="创建账号").click()
    expect(phone.get_by_role("alert")).to_have_text("请输入11位手机号")
    form.get_by_placeholder("手机号").fill(new_phone)
    form.get_by_role("button", name="创建账号").click()
    expect(phone.get_by_text(f"{new_phone} · 保安")).to_be_visible()
    expect(phone.get_by_role("alert")).to_have_count(0)
    screenshot(phone, f"staff-admin-{app.backend}")

    other = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    login(other, new_phone, "Guard2024x", "/guard")
    expect(other.get_by_role("heading", name="保安值班")).to_be_visible()
    other.context.close()


def test_reset_password_shows_a_temporary_password_that_works(phone, app, browser, playwright):
    target, _ = staff_account(app.db_url, Role.CLEANER, name="吴保洁")
    _open_staff_admin(phone, app)
    row = phone.locator("div", has_text=target).filter(has=phone.get_by_role("button", name="重置密码")).last
    row.get_by_role("button", name="重置密码").click()
    notice = phone.get_by_role("status").filter(has_text="临时密码")
    expect(notice).to_be_visible()
    temporary = re.search(r"临时密码:(\w+)", notice.inner_text()).group(1)
    other = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    login(other, target, temporary, "/cleaner")
    other.context.close()


def test_disabling_an_account_ends_its_session(phone, app, browser, playwright):
    target, password = staff_account(app.db_url, Role.TECHNICIAN, name="郑师傅")
    technician = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    login(technician, target, password, "/technician")

    _open_staff_admin(phone, app)
    row = phone.locator("div", has_text=target).filter(has=phone.get_by_role("button", name="停用")).last
    row.get_by_role("button", name="停用").click()
    expect(phone.locator("div", has_text=target).get_by_text("已停用").first).to_be_visible()

    technician.goto("/technician")
    technician.wait_for_url(re.compile(r".*/login/?$"))
    technician.fill("#phone", target)
    technician.fill("#password", password)
    technician.get_by_role("button", name="登录").click()
    expect(technician.get_by_role("alert")).to_have_text("账号已停用,请联系物业经理")
    technician.context.close()


def test_resident_joins_with_the_invite_code_a_manager_printed(phone, app, browser, playwright):
    login(phone, MANAGER[0], MANAGER[1], "/manager")
    phone.locator("nav a[href='/manager/units']").click()
    phone.wait_for_url("**/manager/units")
    phone.get_by_placeholder("搜索房号,如 1201").fill("1204")
    row = phone.locator("div", has_text="6栋 1204").filter(has=phone.get_by_role("button", name="邀请码")).last
    row.get_by_role("button", name="邀请码").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog).to_contain_text("6栋 1204 业主邀请码")
    expect(dialog.get_by_role("img")).to_be_visible()
    screenshot(phone, f"invite-{app.backend}")
    code = dialog.locator("img").get_attribute("alt")
    assert re.fullmatch(r"[A-Z2-9]{10}", code)

    resident = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    resident.goto(f"/join?code={code}")
    expect(resident.locator("#code")).to_have_value(code)
    resident.fill("#name", "钱先生")
    resident.fill("#phone", unique_phone())
    resident.fill("#password", "short")
    resident.get_by_role("button", name="注册并登录").click()
    expect(resident.get_by_role("alert")).to_have_text("密码长度为8到128位")
    resident.fill("#password", "Home2024ok")
    resident.get_by_role("button", name="注册并登录").click()
    resident.wait_for_url("**/resident")
    expect(resident.get_by_text("6栋 1204")).to_be_visible()

    again = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    again.goto(f"/join?code={code}")
    expect(again.locator("#code")).to_have_value(code)
    again.fill("#name", "冒用者")
    again.fill("#phone", unique_phone())
    again.fill("#password", "Home2024ok")
    again.get_by_role("button", name="注册并登录").click()
    expect(again.get_by_role("alert")).to_have_text("邀请码已被使用")
    resident.context.close()
    again.context.close()

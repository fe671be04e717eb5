"""A problem reported without an account at phone size: anyone opens the area's code URL, reports "dirty" with a
photo and keeps the follow link; the area's responsible cleaner sees it on their home and marks it handled; the
reporter's follow link then says handled. The public page passes axe-core, in Chinese and in English."""

from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, Estate, PlaceKind, Role, User
from estate_pwa.services import cleaning
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE
from estate_pwa.services.permissions import actor_for
from estate_pwa.services.reports import codes
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot, staff_account
from tests.e2e.test_accessibility import audit, blocking
from tests.e2e.test_jobs_flow import _photo


def _area_for(db_url: str, cleaner_phone: str) -> tuple[str, str]:
    """Make the new cleaner responsible for one demo area; its name and posted code token."""
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == DEMO_ACCOUNTS[0][0])).one())
        cleaner = session.exec(select(User).where(User.phone == cleaner_phone)).one()
        area = session.exec(select(Area).where(Area.estate_id == estate.id).order_by(Area.id.desc())).first()
        cleaning.assign(session, manager, area.id, cleaner.id)
        token = codes.token_for(codes.current_code(session, PlaceKind.AREA, area.id, area.estate_id))
        session.commit()
        return area.name, token


def test_a_dirty_report_without_login_reaches_the_cleaner_and_the_reporter_sees_it_handled(
        browser, playwright, app, phone, tmp_path):
    cleaner_phone, password = staff_account(app.db_url, Role.CLEANER, name="扫码保洁")
    area, token = _area_for(app.db_url, cleaner_phone)
    reporter = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, bypass_csp=True,
                                   **NO_SERVICE_WORKER)
    page = reporter.new_page()
    page.goto(f"/report/{token}")
    expect(page.get_by_role("heading", name="报告问题")).to_be_visible()
    expect(page.get_by_text(area)).to_be_visible()
    found = audit(page, "public report (zh)")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Report a problem")).to_be_visible()
    found += audit(page, "public report (en)")
    page.get_by_role("link", name="中文").click()
    page.get_by_label("脏乱").check()
    page.get_by_label("说明(选填)").fill("电梯口有垃圾")
    page.get_by_label("照片(选填)").set_input_files(_photo(tmp_path / "dirty.jpg", (120, 100, 80)))
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("已收到")
    expect(page.locator("#status")).to_have_text("已交给责任保洁员")
    found += audit(page, "follow page")
    assert blocking(found) == [], blocking(found)
    follow = page.url.split("?")[0]
    screenshot(page, "public-report-sent")

    login(phone, cleaner_phone, password, "/cleaner")
    report = phone.get_by_text("电梯口有垃圾")
    expect(report).to_be_visible()
    expect(phone.get_by_text("住户报告的问题")).to_be_visible()
    expect(phone.get_by_role("img").first).to_be_visible()
    screenshot(phone, "public-report-cleaner")
    phone.get_by_role("button", name="已处理").click()
    expect(report).to_have_count(0)

    page.goto(follow)
    expect(page.locator("#status")).to_have_text("已处理")
    expect(page.get_by_text("处理时间")).to_be_visible()
    reporter.close()

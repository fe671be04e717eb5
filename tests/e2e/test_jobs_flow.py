"""The repair loop at phone size: resident reports a leak, office dispatches against the 3-minute countdown,
technician accepts and closes with the resident's signature, resident rates, office sees it closed on time."""

import re
import uuid

from PIL import Image
from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, ServiceRequest, User
from estate_pwa.services import jobs
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot

MANAGER = DEMO_ACCOUNTS[0]
TECHNICIAN = DEMO_ACCOUNTS[4]


def _card(page, text):
    return page.locator("[data-testid=request-card]").filter(has_text=text)


def _sign(page):
    pad = page.locator("#signature-pad")
    pad.evaluate("canvas => canvas.scrollIntoView({block: 'center'})")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(25):
        page.mouse.move(box["x"] + 20 + step * 10, box["y"] + 40 + (step % 2) * 30)
    page.mouse.up()


def _photo(path, colour):
    Image.new("RGB", (1600, 1200), colour).save(path, format="JPEG")
    return str(path)


def _thumbnails(scope):
    """A request's (or a picker's) photo thumbnails: each is a button that opens the photo at full size."""
    return scope.get_by_role("button", name="查看大图")


def _opens_full_size(page, card):
    """Tapping a request's thumbnail opens that photo at full size (1600 px sent, 1280 px stored, fetched over
    HTTP from a signed link), then closes."""
    _thumbnails(card).first.click()
    full = page.get_by_role("dialog").get_by_role("img", name="照片")
    expect(full).to_be_visible()
    expect(full).to_have_attribute("src", re.compile(r"^/media/"))
    page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=full.element_handle())
    assert full.evaluate("image => image.naturalWidth") == 1280
    page.get_by_role("dialog").get_by_role("button", name="关闭").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_leak_reported_dispatched_fixed_signed_rated_and_closed_on_time(browser, playwright, app, tmp_path):
    device = playwright.devices["Pixel 7"]
    leak = f"厨房水管漏水 {uuid.uuid4().hex[:6]}"
    resident = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    office = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    technician = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    try:
        login(resident, DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident")
        resident.get_by_role("link", name=re.compile("报修")).first.click()
        resident.wait_for_url("**/resident/requests")
        resident.fill("textarea[name=description]", leak)
        resident.get_by_role("checkbox", name="紧急(急修)").click()
        resident.locator("#report-photos input[type=file]").set_input_files(_photo(tmp_path / "leak.jpg", "blue"))
        expect(_thumbnails(resident.locator("form").first)).to_have_count(1)
        resident.get_by_role("button", name="提交").click()
        expect(_card(resident, leak)).to_contain_text("待派单")
        expect(_thumbnails(_card(resident, leak))).to_have_count(1)
        _opens_full_size(resident, _card(resident, leak))

        login(office, MANAGER[0], MANAGER[1], "/manager")
        office.locator("nav a[href='/manager/jobs']").click()
        office.wait_for_url("**/manager/jobs")
        card = _card(office, leak)
        countdown = card.get_by_test_id("countdown")
        expect(countdown).to_have_text(re.compile(r"^[0-2]:\d\d$"))
        first = countdown.inner_text()
        expect(countdown).not_to_have_text(first, timeout=6000)  # the dispatch countdown ticks on the phone
        screenshot(office, f"jobs-board-{app.backend}")
        office.get_by_role("radio", name="超时").click()
        expect(card).to_have_count(0)
        office.get_by_role("radio", name="全部").click()
        expect(card).to_have_count(1)
        card.get_by_role("combobox").click()
        office.get_by_role("option", name=re.compile(TECHNICIAN[2])).click()
        expect(card).to_contain_text("已派单")
        expect(card).to_contain_text(f"首接责任人: {MANAGER[2]}")

        login(technician, TECHNICIAN[0], TECHNICIAN[1], "/technician")
        job = _card(technician, leak)
        expect(_thumbnails(job)).to_have_count(1)
        _opens_full_size(technician, job)
        job.get_by_role("button", name="接单出发").click()
        expect(job).to_contain_text("处理中")
        expect(job).to_contain_text("承诺完成时间")
        job.get_by_role("button", name="完工").click()
        job.locator("textarea[name=work_done]").fill("更换厨房进水软管")
        job.locator("input[name=parts]").fill("进水软管 1 根")
        job.locator("#work-photos input[type=file]").set_input_files(_photo(tmp_path / "fixed.jpg", "green"))
        expect(_thumbnails(job)).to_have_count(2)
        _sign(technician)
        screenshot(technician, f"jobs-finish-{app.backend}")
        job.get_by_role("button", name="确认完工").click()
        expect(_card(technician, leak)).to_have_count(0)

        resident.reload()
        mine = _card(resident, leak)
        expect(mine).to_contain_text("待确认")
        mine.get_by_placeholder("评价(可选)").fill("师傅很专业")
        mine.get_by_placeholder("评价(可选)").blur()
        mine.get_by_role("button", name="满意", exact=True).click()
        expect(mine).to_contain_text("已完成")
        expect(mine).to_contain_text("按时")
        expect(_thumbnails(mine)).to_have_count(2)
        with Session(get_engine(app.db_url)) as session:
            rated = session.exec(select(ServiceRequest).where(ServiceRequest.description == leak)).one()
            assert (rated.satisfied, rated.rating_comment) == (True, "师傅很专业")

        office.reload()
        closed = _card(office, leak)
        expect(closed).to_contain_text("已完成")
        expect(closed).to_contain_text("按时")
        expect(closed).to_contain_text("3分钟内出发")
        _opens_full_size(office, closed)
        closed.get_by_role("button", name="记录").click()
        dialog = office.get_by_role("dialog")
        for step in ("提交报事", "派单", "接单出发", "完工", "确认满意"):
            expect(dialog).to_contain_text(step)
        expect(dialog.get_by_role("img", name="业主签名")).to_be_visible()
        expect(dialog.get_by_role("img", name="业主签名")).to_have_attribute("src", re.compile(r"^/media/"))
    finally:
        for page in (resident, office, technician):
            page.context.close()


def test_a_new_emergency_appears_on_the_technicians_screen_without_reload(phone, app):
    login(phone, TECHNICIAN[0], TECHNICIAN[1], "/technician")
    expect(phone.get_by_role("heading", name="维修工单")).to_be_visible()
    leak = f"楼道水管爆裂 {uuid.uuid4().hex[:6]}"
    with Session(get_engine(app.db_url)) as session:
        resident = session.exec(select(User).where(User.phone == DEMO_RESIDENT[0])).one()
        jobs.submit(session, actor_for(session, resident), "repair", leak, "plumbing", "emergency")
        session.commit()
    expect(_card(phone, leak)).to_be_visible(timeout=15_000)
    expect(_card(phone, leak)).to_contain_text("急修")


def test_a_resident_reports_a_problem_in_a_common_area(browser, playwright, app):
    device = playwright.devices["Pixel 7"]
    broken = f"车库灯不亮 {uuid.uuid4().hex[:6]}"
    resident = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    office = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    try:
        login(resident, DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident")
        resident.goto("/resident/requests")
        resident.fill("textarea[name=description]", broken)
        expect(resident.locator("#report-place")).to_contain_text("我家(1栋 101)")
        resident.locator("#report-place").click()
        resident.get_by_role("option", name="地下车库").click()
        resident.get_by_role("button", name="提交").click()
        expect(_card(resident, broken)).to_contain_text("地下车库")
        with Session(get_engine(app.db_url)) as session:
            stored = session.exec(select(ServiceRequest).where(ServiceRequest.description == broken)).one()
            garage = session.exec(select(Area).where(Area.id == stored.area_id)).one()
            assert (garage.name, stored.unit_id) == ("地下车库", None)

        login(office, MANAGER[0], MANAGER[1], "/manager")
        office.goto("/manager/jobs")
        expect(_card(office, broken)).to_contain_text("地下车库")
    finally:
        for page in (resident, office):
            page.context.close()

"""The indicators view in the browser at tablet size (1024×1366): a technician closes a job late and the manager's
timeliness tile and its drill-down show it; a household answers the open survey once; certification readiness with
an uploaded evidence document; the monthly report links; the overview's websocket weight; axe-core on the new
screens with data in them. Screenshots go to test-artifacts/."""

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa import routes
from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import Estate, Role, ServiceRequest, Survey, SurveyAnswer, Unit, User, UserRole
from estate_pwa.services import jobs, survey
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot, staff_account
from tests.e2e.test_accessibility import audit, blocking
from tests.factories import PASSWORD, password_hash, unique_phone

MANAGER = DEMO_ACCOUNTS[0]
TABLET = {"width": 1024, "height": 1366}
TILE = "[data-indicator=repair_timeliness]"
TIMELINESS = f"{routes.MANAGER_INDICATOR}?key=repair_timeliness&period=month"
WEBSOCKET_BUDGET = 60 * 1024
OVERVIEW_TILES = 28  # the plan's 25, the public equipment rate (issue 12) and the two yearly targets


@pytest.fixture
def tablet(browser, app) -> Page:
    """A fresh tablet tab (1024×1366, touch) on the running app."""
    context = browser.new_context(viewport=TABLET, has_touch=True, base_url=app.url, locale="zh-CN",
                                  **NO_SERVICE_WORKER)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def _new_tab(browser, app, pages: list, phone_size: bool = False, playwright=None) -> Page:
    options = dict(playwright.devices["Pixel 7"]) if phone_size else {"viewport": TABLET, "has_touch": True}
    context = browser.new_context(**options, base_url=app.url, **NO_SERVICE_WORKER)
    context.set_default_timeout(20_000)
    pages.append(context)
    return context.new_page()


def _tiles_shown(page: Page) -> None:
    expect(page.locator("[data-indicator]")).to_have_count(OVERVIEW_TILES)
    expect(page.locator(TILE)).to_contain_text("%")


def _numbers(page: Page) -> tuple[int, int]:
    """The numerator and denominator the detail page shows."""
    shown = page.get_by_text(re.compile(r"分子 \d+ · 分母 \d+")).first
    expect(shown).to_be_visible()
    numerator, denominator = re.search(r"分子 (\d+) · 分母 (\d+)", shown.inner_text()).groups()
    return int(numerator), int(denominator)


def _manager_reads(page: Page) -> tuple[str, tuple[int, int]]:
    """The timeliness tile's value on the overview, then its numerator and denominator on its detail."""
    page.goto(routes.MANAGER)
    _tiles_shown(page)
    value = re.search(r"\d+(\.\d+)?%", page.locator(TILE).inner_text()).group()
    page.locator(TILE).click()
    page.wait_for_url(re.compile(r"/manager/indicator\?key=repair_timeliness&period=month"))
    return value, _numbers(page)


def _late_job(db_url: str, technician_phone: str, description: str) -> int:
    """A resident's repair, dispatched to the technician, who accepted it 30 minutes ago promising to finish 10
    minutes ago: it is due in this month and will be finished late. Returns its id."""
    now = utcnow()
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        local = now.astimezone(ZoneInfo(estate.timezone))
        assert (local - timedelta(minutes=40)).month == local.month, "too close to a month's start to back-date"
        def as_actor(phone: str):
            return actor_for(session, session.exec(select(User).where(User.phone == phone)).one())
        resident, manager, technician = as_actor(DEMO_RESIDENT[0]), as_actor(MANAGER[0]), as_actor(technician_phone)
        request = jobs.submit(session, resident, "repair", description, "plumbing", "routine",
                              now=now - timedelta(minutes=40))
        jobs.dispatch(session, manager, request.id, technician.id, now=now - timedelta(minutes=35))
        jobs.accept(session, technician, request.id, promised_at=now - timedelta(minutes=10),
                    now=now - timedelta(minutes=30))
        session.commit()
        return request.id


def _sign(page: Page) -> None:
    pad = page.locator("#signature-pad")
    pad.evaluate("canvas => canvas.scrollIntoView({block: 'center'})")
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(25):
        page.mouse.move(box["x"] + 20 + step * 10, box["y"] + 40 + (step % 2) * 30)
    page.mouse.up()


def _find_line(page: Page, request_id: int):
    """The drill-down line of a request, turning pages until it shows (late ones come first)."""
    line = page.locator("div").filter(has_text=re.compile(rf"^未达#{request_id} ")).last
    for _ in range(50):
        if line.count():
            return line
        following = page.get_by_role("button", name="下一页")
        if following.is_disabled():
            break
        following.click()
        page.wait_for_timeout(300)
    raise AssertionError(f"#{request_id} not in the drill-down")


def test_a_job_finished_late_moves_timeliness_and_is_listed_as_failing(browser, playwright, app):
    pages = []
    try:
        manager = _new_tab(browser, app, pages)
        login(manager, MANAGER[0], MANAGER[1], routes.MANAGER)
        value_before, (on_time_before, due_before) = _manager_reads(manager)
        if due_before:  # on the 1st of a month nothing may be due yet
            assert value_before == f"{100 * on_time_before / due_before:.1f}%", "the tile and its detail agree"

        tech_phone, tech_password = staff_account(app.db_url, Role.TECHNICIAN, name="迟到技师")
        description = f"卫生间地漏堵塞 {uuid.uuid4().hex[:6]}"
        request_id = _late_job(app.db_url, tech_phone, description)

        technician = _new_tab(browser, app, pages)
        login(technician, tech_phone, tech_password, routes.TECHNICIAN)
        job = technician.locator("[data-testid=request-card]").filter(has_text=description)
        expect(job).to_contain_text("处理中")
        job.get_by_role("button", name="完工").click()
        job.locator("textarea[name=work_done]").fill("疏通地漏")
        _sign(technician)
        job.get_by_role("button", name="确认完工").click()
        expect(technician.locator("[data-testid=request-card]").filter(has_text=description)).to_have_count(0)
        with Session(get_engine(app.db_url)) as session:
            finished = session.get(ServiceRequest, request_id)
            assert (finished.status, finished.on_time) == ("completed", False)

        # The tab keeps its last screens until the server answers again: wait for the new figures, not the old.
        manager.goto(TIMELINESS)
        expect(manager.get_by_text(f"分子 {on_time_before} · 分母 {due_before + 1}")).to_be_visible()
        value_after = f"{100 * on_time_before / (due_before + 1):.1f}%"
        print(f"\n[{app.backend}] 及时率 {value_before} ({on_time_before}/{due_before}) -> "
              f"{value_after} ({on_time_before}/{due_before + 1})")
        if on_time_before:  # 0 of n stays 0 % (the 1st of a month after midnight): the denominator moved above
            assert value_after != value_before
        expect(manager.get_by_text(value_after, exact=True).first).to_be_visible()
        line = _find_line(manager, request_id)
        expect(line).to_contain_text(description)
        expect(line.get_by_role("link", name="打开")).to_have_attribute("href", f"/manager/jobs?request={request_id}")
        line.scroll_into_view_if_needed()
        screenshot(manager, f"indicators-detail-{app.backend}")
        line.get_by_role("link", name="打开").click()  # the record behind the number opens on the office board
        manager.wait_for_url(f"**/manager/jobs**request={request_id}")
        expect(manager.get_by_role("dialog")).to_contain_text(f"#{request_id} {description[:30]}")
        manager.keyboard.press("Escape")
        manager.goto(routes.MANAGER)
        _tiles_shown(manager)
        expect(manager.locator(TILE)).to_contain_text(value_after)
        screenshot(manager, f"indicators-overview-{app.backend}")
    finally:
        for context in pages:
            context.close()


def _household(db_url: str, members: int) -> tuple[int, list[str]]:
    """`members` new residents of one unit where nobody lived yet; returns the unit's id and their phones."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        lived_in = select(User.unit_id).where(col(User.unit_id).is_not(None))
        unit_id = session.exec(select(Unit.id).where(Unit.estate_id == estate_id, col(Unit.id).not_in(lived_in))
                               .order_by(col(Unit.id).desc())).first()
        assert unit_id is not None, "the demo estate has no empty unit left"
        phones = []
        for number in range(members):
            user = User(estate_id=estate_id, phone=unique_phone(), name=f"住户{number + 1}", unit_id=unit_id,
                        password_hash=password_hash(PASSWORD))
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role=Role.RESIDENT))
            phones.append(user.phone)
        session.commit()
        return unit_id, phones


def _close_open_surveys(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER[0])).one())
        for open_one in session.exec(select(Survey).where(col(Survey.closed_at).is_(None))).all():
            survey.close_survey(session, manager, open_one.id)
        session.commit()


def test_a_household_answers_the_open_survey_once(browser, playwright, app):
    _close_open_surveys(app.db_url)
    unit_id, (first, second) = _household(app.db_url, 2)
    title = f"满意度调查 {uuid.uuid4().hex[:6]}"
    pages = []
    try:
        manager = _new_tab(browser, app, pages)
        login(manager, MANAGER[0], MANAGER[1], routes.MANAGER)
        manager.goto(routes.MANAGER_SURVEYS)
        manager.fill("#survey-title", title)
        manager.get_by_role("button", name="发起", exact=True).click()
        row = manager.locator("div").filter(has_text=re.compile("^" + re.escape(title))).last
        expect(row).to_contain_text("进行中")
        screenshot(manager, f"indicators-surveys-{app.backend}")

        resident = _new_tab(browser, app, pages, phone_size=True, playwright=playwright)
        login(resident, first, PASSWORD, routes.RESIDENT)
        card = resident.locator(".rt-Card").filter(has_text=title)
        expect(card).to_contain_text("请为我们的服务打分")
        card.scroll_into_view_if_needed()
        screenshot(resident, f"indicators-survey-card-{app.backend}")
        for aspect, rating in (("总体满意度", "满意"), ("安全保卫", "基本满意"), ("清洁卫生", "满意"),
                               ("维修服务", "不满意"), ("绿化养护", "满意"), ("服务态度", "基本满意")):
            card.get_by_role("radiogroup", name=aspect).get_by_role("radio", name=rating, exact=True).click()
        card.locator("#survey-comment").fill("电梯维修慢")
        card.get_by_role("button", name="提交").click()
        expect(card).to_contain_text("您家已提交本次调查,谢谢!")
        expect(card.get_by_role("button", name="提交")).to_have_count(0)
        screenshot(resident, f"indicators-survey-thanks-{app.backend}")

        housemate = _new_tab(browser, app, pages, phone_size=True, playwright=playwright)
        login(housemate, second, PASSWORD, routes.RESIDENT)
        theirs = housemate.locator(".rt-Card").filter(has_text=title)
        expect(theirs).to_contain_text("您家已提交本次调查,谢谢!")
        expect(theirs.get_by_role("radiogroup")).to_have_count(0)

        with Session(get_engine(app.db_url)) as session:
            answers = session.exec(select(SurveyAnswer).join(Survey).where(Survey.title == title)).all()
        assert [(a.unit_id, a.overall, a.repairs, a.comment) for a in answers] == [
            (unit_id, "satisfied", "dissatisfied", "电梯维修慢")]
        manager.reload()
        answered = manager.locator("div").filter(has_text=title).filter(has_text=re.compile(r"已答 1 / \d+ 户"))
        expect(answered.last).to_be_visible()
    finally:
        for context in pages:
            context.close()


def _small_pdf() -> bytes:
    """A one-page PDF (valid enough for a viewer)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_certification_shows_the_levels_and_keeps_an_uploaded_document(tablet, app):
    login(tablet, MANAGER[0], MANAGER[1], routes.MANAGER)
    tablet.goto(routes.MANAGER_CERTIFICATION)
    for level in ("深圳市安全文明", "广东省优秀住宅小区", "全国城市物业管理优秀住宅小区"):
        expect(tablet.get_by_text(re.compile(level)).first).to_be_visible()
    shenzhen = tablet.locator(".rt-Card").filter(has_text="深圳市安全文明")
    expect(shenzhen).to_contain_text(re.compile(r"窗口期内,剩余 \d+ 个月"))
    expect(tablet.locator("#founded-on")).not_to_have_value("")
    name = f"物业服务合同-{uuid.uuid4().hex[:6]}.pdf"
    tablet.locator("#evidence-service_contract input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": _small_pdf()}])
    link = tablet.get_by_role("link", name=name)
    expect(link).to_be_visible()
    response = tablet.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF-")
    screenshot(tablet, f"indicators-certification-{app.backend}")


def test_the_report_links_answer_with_their_files(tablet, app):
    login(tablet, MANAGER[0], MANAGER[1], routes.MANAGER)
    _tiles_shown(tablet)
    expected = {"月报 PDF": ("application/pdf", b"%PDF-"),
                "导出 Excel": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
                "导出 CSV": ("text/csv", None)}
    for name, (content_type, starts) in expected.items():
        link = tablet.get_by_role("link", name=name)
        href = link.get_attribute("href")
        assert href and href.startswith("/files/"), href
        response = tablet.request.get(href)
        assert response.status == 200, (name, response.status)
        assert response.headers["content-type"].startswith(content_type), (name, response.headers["content-type"])
        body = response.body()
        assert len(body) > 100
        if starts:
            assert body.startswith(starts)
        else:
            assert "及时率".encode() in body or "及时率".encode("utf-8-sig") in body


def test_the_overview_sends_at_most_60_kib_over_the_websocket(tablet, app):
    login(tablet, MANAGER[0], MANAGER[1], routes.MANAGER)
    received = []

    def watch(ws):
        if "/_event" in ws.url:
            ws.on("framereceived", lambda payload: received.append(
                len(payload.encode()) if isinstance(payload, str) else len(payload)))

    tablet.on("websocket", watch)
    tablet.goto(routes.MANAGER)
    _tiles_shown(tablet)
    tablet.wait_for_timeout(500)  # what is still on its way once the tiles show belongs to the overview too
    total = sum(received)
    print(f"\n[{app.backend}] overview websocket: {total} bytes ({total / 1024:.1f} KiB) in {len(received)} frames")
    assert received, "no websocket frame seen"
    assert total <= WEBSOCKET_BUDGET, f"frame sizes: {received}"


def _open_survey(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER[0])).one())
        if not session.exec(select(func.count()).select_from(Survey).where(col(Survey.closed_at).is_(None))).one():
            survey.open_survey(session, manager, f"无障碍检查调查 {uuid.uuid4().hex[:4]}")
        session.commit()


def test_the_indicator_screens_with_data_pass_axe(browser, playwright, ui_app):
    """The detail (with records and the trend), certification, surveys (with a row) and the resident's home with
    the open survey's questions: no critical or serious axe-core violation, at tablet and at phone size."""
    _open_survey(ui_app.db_url)
    unit_id, (resident_phone,) = _household(ui_app.db_url, 1)
    pages, found = [], []
    try:
        for size, phone_size in (("tablet", False), ("phone", True)):
            manager = _new_tab(browser, ui_app, pages, phone_size=phone_size, playwright=playwright)
            login(manager, MANAGER[0], MANAGER[1], routes.MANAGER)
            _tiles_shown(manager)
            manager.wait_for_timeout(400)
            found += audit(manager, f"{size} /manager overview")
            for path, ready in ((TIMELINESS, manager.get_by_text(re.compile(r"分子 \d+"))),
                                (routes.MANAGER_CERTIFICATION, manager.get_by_text("物业服务合同")),
                                (routes.MANAGER_SURVEYS, manager.get_by_text("进行中"))):
                manager.goto(path)
                expect(ready.first).to_be_visible()
                manager.wait_for_timeout(400)
                found += audit(manager, f"{size} {path}")
            resident = _new_tab(browser, ui_app, pages, phone_size=phone_size, playwright=playwright)
            login(resident, resident_phone, PASSWORD, routes.RESIDENT)
            expect(resident.get_by_role("radiogroup", name="总体满意度")).to_be_visible()
            resident.wait_for_timeout(400)
            found += audit(resident, f"{size} /resident with the survey card")
    finally:
        for context in pages:
            context.close()
    for violation in found:
        print(f"{violation['page']}: {violation['impact']} {violation['id']} ({violation['count']}×)")
    assert not blocking(found), "\n".join(blocking(found))

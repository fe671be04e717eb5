"""A guard walks a round at phone size: starts it, scans checkpoints by opening their URLs (the phone's camera),
and the manager's board shows the round finished on time."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, Estate, PatrolRound, Role, User
from estate_pwa.services import patrol, roster
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.patrol import MIN_GAP
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import login, screenshot, staff_account

MANAGER = DEMO_ACCOUNTS[0]


def _route_due_now(db_url: str, guard_phone: str) -> tuple[str, list[str]]:
    """A two-checkpoint route whose window opens now, its round given to the guard, who is put on duty."""
    tag = uuid.uuid4().hex[:5]
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER[0])).one())
        guard = session.exec(select(User).where(User.phone == guard_phone)).one()
        now = utcnow()
        local = now.astimezone(ZoneInfo(estate.timezone))
        for day in (local.date(), local.date() - timedelta(days=1)):
            for shift in roster.shifts(session, estate.id):
                starts, ends = roster.shift_bounds(shift, day, estate.timezone)
                if starts <= now < ends:
                    roster.assign(session, manager, guard.id, shift.id, day, "guard")
        areas = session.exec(select(Area).where(Area.estate_id == estate.id).order_by(Area.id)).all()[:2]
        points = [patrol.create_point(session, manager, area.id, f"测试点{letter}{tag}")
                  for area, letter in zip(areas, "AB")]
        opens = (local - timedelta(minutes=1)).replace(second=0, microsecond=0)
        route = patrol.create_route(session, manager, f"测试巡更{tag}", [p.id for p in points],
                                    opens.strftime("%H:%M"), (opens + timedelta(minutes=60)).strftime("%H:%M"),
                                    every_minutes=60, expected_minutes=30, grace_minutes=10)
        patrol.generate_rounds(session, estate.id, now - timedelta(hours=1), now + timedelta(hours=1), now)
        patrol_round = session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id)).one()
        patrol_round.guard_id = guard.id
        session.commit()
        return route.name, [patrol.point_url("", p) for p in points]


def test_guard_starts_a_round_scans_by_url_and_the_manager_sees_it_on_time(browser, playwright, app):
    guard_phone, guard_password = staff_account(app.db_url, Role.GUARD, name="巡逻员")
    route_name, (first, second) = _route_due_now(app.db_url, guard_phone)
    device = playwright.devices["Pixel 7"]
    guard = browser.new_context(**device, base_url=app.url).new_page()
    manager = browser.new_context(**device, base_url=app.url).new_page()
    try:
        login(guard, guard_phone, guard_password, "/guard")
        card = guard.get_by_test_id("round-card").filter(has_text=route_name)
        card.get_by_role("button", name="开始巡更").click()
        expect(card).to_contain_text("巡更中")

        guard.goto(first)
        expect(guard.get_by_test_id("scan-message")).to_have_text("打卡成功")
        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2")
        screenshot(guard, f"patrol-scan-{app.backend}")
        guard.goto(first)
        expect(guard.get_by_test_id("scan-message")).to_contain_text("不重复计")
        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2")
        guard.goto("/p/" + "x" * 40)
        expect(guard.get_by_test_id("scan-message")).to_have_text("二维码无效,请扫描巡更点上的二维码")

        guard.wait_for_timeout(MIN_GAP.total_seconds() * 1000 + 1000)
        guard.goto(second)
        expect(guard.get_by_test_id("scan-progress")).to_have_text("2 / 2")
        guard.get_by_role("link", name="返回巡更").click()
        guard.wait_for_url("**/guard")

        login(manager, MANAGER[0], MANAGER[1], "/manager")
        manager.locator("nav a[href='/manager/patrol']").click()
        manager.wait_for_url("**/manager/patrol")
        finished = manager.get_by_test_id("round-card").filter(has_text=route_name)
        expect(finished).to_contain_text("按时完成")
        expect(finished).to_contain_text("2 / 2")
        expect(manager.get_by_test_id("last-scan").filter(has_text="巡逻员")).to_contain_text("测试点B")
        screenshot(manager, f"patrol-board-{app.backend}")
    finally:
        guard.context.close()
        manager.context.close()


def test_a_resident_cannot_scan_a_checkpoint(phone, app):
    _, (url, _) = _route_due_now(app.db_url, staff_account(app.db_url, Role.GUARD)[0])
    login(phone, DEMO_RESIDENT[0], DEMO_RESIDENT[1], "/resident")
    phone.goto(url)
    phone.wait_for_url("**/resident")


"""Every screen of every role, and the dialogs people open on them, pass axe-core at phone size with no critical or
serious violation; going offline shows the app's own banner in the user's language, never Reflex's toast.

axe-core comes from the project's install step (`make axe`: `npm ci` in tests/e2e/axe/), never from the network."""

import json
import re
import uuid
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from estate_pwa import routes
from estate_pwa.models import Role
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from tests.e2e.conftest import ARTIFACTS, NO_SERVICE_WORKER, login, route_due_now, screenshot, staff_account

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")

MANAGER = DEMO_ACCOUNTS[0]
GUARD = DEMO_ACCOUNTS[1]
CLEANER = DEMO_ACCOUNTS[3]
TECHNICIAN = DEMO_ACCOUNTS[4]

# Every route of routes.py: the two before login, and per role its home, every screen under it and /me.
ALL_ROUTES = sorted(v for k, v in vars(routes).items() if k.isupper() and isinstance(v, str) and v.startswith("/"))
PUBLIC = (routes.LOGIN, routes.JOIN, routes.PRICE_LIST)
ACCOUNTS = {"manager": MANAGER, "guard": GUARD, "cleaner": CLEANER, "technician": TECHNICIAN,
            "resident": DEMO_RESIDENT}
ROLES = {
    role: (ACCOUNTS[role], routes.HOME[Role(role)],
           tuple(r for r in ALL_ROUTES if r == routes.HOME[Role(role)] or r.startswith(routes.HOME[Role(role)] + "/"))
           + (routes.ME,))
    for role in ACCOUNTS
}

for _role in ("manager", "technician"):  # the inspections list is reached from their screens, not under their home
    ROLES[_role] = (*ROLES[_role][:2], ROLES[_role][2] + (routes.INSPECTIONS, routes.INSPECTIONS_SCAN))
for _role in ("manager", "guard"):  # an asset's record is opened from the register or its posted code
    ROLES[_role] = (*ROLES[_role][:2], ROLES[_role][2] + (routes.FACILITY_ASSET,))


def test_every_route_is_audited():
    audited = set(PUBLIC) | {path for _, _, screens in ROLES.values() for path in screens}
    assert set(ALL_ROUTES) <= audited, f"routes no role opens: {set(ALL_ROUTES) - audited}"


def _settle(page: Page) -> None:
    """Wait until the screen has its title and its data (no 'loading' left), and animations have ended."""
    expect(page.locator("h1, h2, h3").first).to_be_visible()
    try:
        page.wait_for_function(
            "() => ![...document.querySelectorAll('body *')].some("
            "e => e.children.length === 0 && /加载中|Loading/.test(e.textContent) && e.offsetParent !== null)",
            timeout=10_000,
        )
    except Exception:  # noqa: BLE001  (a screen may legitimately keep a 'loading' line; axe runs anyway)
        pass
    page.wait_for_timeout(400)


def audit(page: Page, where: str) -> list[dict]:
    """Run axe-core on the page as it is now; return every violation (all impacts) tagged with `where`."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    # colours are checked as they settle: a toast caught fading in is a blend of its colours and the page's
    page.evaluate("document.getAnimations().forEach(a => { try { a.finish(); } catch (e) {} })")
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help,"
        "targets: v.nodes.map(n => n.target.join(' ') + (v.id === 'color-contrast' && n.any[0] ? "
        "` [${n.any[0].data.fgColor} on ${n.any[0].data.bgColor}: ${n.any[0].data.contrastRatio}]` : '')).slice(0, 5),"
        "count: v.nodes.length}))"
    )
    return [{**v, "page": where} for v in violations]


def blocking(found: list[dict]) -> list[str]:
    """Critical and serious violations, one line each: page, impact, rule id, targets."""
    return [f"{v['page']}: {v['impact']} {v['id']} ({v['count']}×) {v['help']} — {', '.join(v['targets'])}"
            for v in found if v["impact"] in BLOCKING]


def _report(name: str, found: list[dict]) -> None:
    """Keep every finding, minor ones included, for people to read (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))


@pytest.fixture(scope="session", autouse=True)
def _axe_installed():
    assert AXE.is_file(), f"{AXE} is missing: run `make axe` (npm ci in tests/e2e/axe/)"


def test_screens_before_login_pass_axe(phone, ui_app):
    found = []
    for path in PUBLIC:
        phone.goto(path)
        _settle(phone)
        found += audit(phone, path)
    _report(f"public-{ui_app.backend}", found)
    assert not blocking(found), "\n".join(blocking(found))


@pytest.mark.parametrize("role", list(ROLES))
def test_every_screen_of_each_role_passes_axe(phone, ui_app, role):
    (number, password, *_), home, screens = ROLES[role]
    login(phone, number, password, home)
    found = []
    for path in screens:
        phone.goto(path)
        phone.wait_for_url(re.compile(re.escape(path) + r"/?$"))
        _settle(phone)
        found += audit(phone, f"{role} {path}")
    _report(f"{role}-{ui_app.backend}", found)
    assert not blocking(found), "\n".join(blocking(found))


def _photo(path: Path) -> str:
    Image.new("RGB", (800, 600), "teal").save(path, format="JPEG")
    return str(path)


def test_screens_with_data_and_their_dialogs_pass_axe(browser, playwright, ui_app, tmp_path):
    """A resident's request with a photo, a guard's round under way and an open incident fill the screens with
    rows (dispatch, history, close forms); the photo, invite code, SOS confirm and round detail dialogs open."""
    device = playwright.devices["Pixel 7"]
    pages = []

    def tab() -> Page:
        context = browser.new_context(**device, base_url=ui_app.url, **NO_SERVICE_WORKER)
        context.set_default_timeout(20_000)
        pages.append(context)
        return context.new_page()

    found = []
    guard_phone, guard_password = staff_account(ui_app.db_url, Role.GUARD, name="无障碍保安")
    _, point_paths = route_due_now(ui_app.db_url, guard_phone, side_by_side=True)
    description = f"阳台漏水 {uuid.uuid4().hex[:6]}"
    try:
        resident = tab()
        login(resident, DEMO_RESIDENT[0], DEMO_RESIDENT[1], routes.RESIDENT)
        resident.goto(routes.RESIDENT_REQUESTS)
        resident.fill("textarea[name=description]", description)
        resident.locator("input[type=file]").first.set_input_files(_photo(tmp_path / "leak.jpg"))
        expect(resident.locator("form img").first).to_be_visible()
        resident.get_by_role("button", name="提交").click()
        request = resident.locator("[data-testid=request-card]").filter(has_text=description)
        expect(request).to_be_visible()
        _settle(resident)
        found += audit(resident, "resident /resident/requests with a request")
        request.locator("img").first.click()
        expect(resident.get_by_role("dialog")).to_be_visible()
        resident.wait_for_timeout(400)
        found += audit(resident, "resident photo dialog")

        guard = tab()
        login(guard, guard_phone, guard_password, routes.GUARD)
        guard.get_by_role("button", name="开始巡更").first.click()
        expect(guard.get_by_role("button", name="扫码打卡")).to_be_visible()
        _settle(guard)
        found += audit(guard, "guard /guard with a round under way")
        guard.goto(point_paths[0])
        expect(guard.get_by_test_id("scan-message")).to_be_visible()
        _settle(guard)
        found += audit(guard, "guard /p/<checkpoint>")
        guard.goto(routes.GUARD_INCIDENT)
        _settle(guard)
        guard.locator("textarea[name=text]").fill(f"消防通道堆物 {uuid.uuid4().hex[:6]}")
        guard.get_by_role("button", name="上报", exact=True).click()
        expect(guard.locator("[data-testid=incident-card]").first).to_be_visible()
        found += audit(guard, "guard /guard/incident with an incident")
        guard.get_by_role("button", name=re.compile("SOS")).click()
        expect(guard.get_by_role("alertdialog")).to_be_visible()
        guard.wait_for_timeout(400)
        found += audit(guard, "guard SOS confirm dialog")
        guard.get_by_role("alertdialog").get_by_role("button", name="取消").click()

        manager = tab()
        login(manager, MANAGER[0], MANAGER[1], routes.MANAGER)
        manager.goto(routes.MANAGER_JOBS)
        card = manager.locator("[data-testid=request-card]").filter(has_text=description)
        expect(card).to_be_visible()
        _settle(manager)
        found += audit(manager, "manager /manager/jobs with a request")
        card.get_by_role("button", name="记录").click()
        expect(manager.get_by_role("dialog")).to_be_visible()
        manager.wait_for_timeout(400)
        found += audit(manager, "manager request history dialog")
        manager.keyboard.press("Escape")
        manager.goto(routes.MANAGER_PATROL)
        expect(manager.locator("[data-testid=incident-card]").first).to_be_visible()
        _settle(manager)
        found += audit(manager, "manager /manager/patrol with a round under way and an open incident")
        manager.get_by_role("button", name="打卡明细").first.click()
        expect(manager.get_by_role("dialog")).to_be_visible()
        manager.wait_for_timeout(400)
        found += audit(manager, "manager round detail dialog")
        manager.keyboard.press("Escape")
        manager.goto(routes.MANAGER_UNITS)
        _settle(manager)
        manager.get_by_role("button", name="邀请码").first.click()
        expect(manager.get_by_role("dialog")).to_be_visible()
        manager.wait_for_timeout(400)
        found += audit(manager, "manager invite code dialog")
        screenshot(manager, f"a11y-invite-dialog-{ui_app.backend}")
        manager.keyboard.press("Escape")
        manager.goto(routes.MANAGER_FEES)
        expect(manager.get_by_test_id("office-bill").first).to_be_visible()
        manager.get_by_role("button", name="标准与违约金").click()
        expect(manager.get_by_role("dialog")).to_be_visible()
        manager.wait_for_timeout(400)
        found += audit(manager, "manager fee rates and late fee dialog")
        manager.keyboard.press("Escape")
        expect(manager.get_by_role("dialog")).to_have_count(0)
        manager.get_by_test_id("office-bill").get_by_role("button", name="登记收款").first.click()
        expect(manager.get_by_role("dialog")).to_be_visible()
        manager.wait_for_timeout(400)
        found += audit(manager, "manager fee payment dialog")
    finally:
        for context in pages:
            context.close()
    _report(f"data-{ui_app.backend}", found)
    assert not blocking(found), "\n".join(blocking(found))


def test_offline_shows_the_apps_banner_in_chinese_and_reconnecting_quietly_never_reflexs_toast(phone, app):
    """Reflex's default overlay ("Cannot connect to server: websocket error…", English, over the tab bar) is
    replaced on every screen: offline, the app's banner says so in the user's language; with the device online
    but the event socket down, a quiet "reconnecting" note sits above the tab bar until it comes back."""
    sockets, blocked = [], []

    def event_socket(ws):
        if blocked:  # answer as a server refusing the connection: socket.io's connect_error, then Reflex retries
            ws.send('0{"sid":"down","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}')
            ws.on_message(lambda message: ws.send('44/_event,{"message":"server down"}')
                          if str(message).startswith("40") else None)
            return
        ws.connect_to_server()
        sockets.append(ws)

    phone.route_web_socket(re.compile(r"/_event"), event_socket)
    login(phone, GUARD[0], GUARD[1], routes.GUARD)
    _settle(phone)
    reconnecting = phone.locator("#reconnecting")
    expect(reconnecting).to_have_text("")

    blocked.append(True)  # the server goes away, the phone's network stays up
    for ws in sockets:
        ws.close()
    expect(reconnecting).to_have_text("正在重新连接…")
    expect(reconnecting).to_be_visible()
    assert reconnecting.bounding_box()["y"] + reconnecting.bounding_box()["height"] <= \
        phone.locator("nav[aria-label=main]").bounding_box()["y"], "the note sits above the tab bar"
    screenshot(phone, f"a11y-reconnecting-{app.backend}")

    phone.context.set_offline(True)  # and now the phone has no network at all
    expect(phone.locator("#offline-banner")).to_be_visible()
    expect(phone.locator("#offline-banner")).to_contain_text("当前离线")
    expect(reconnecting).to_be_hidden()
    phone.wait_for_timeout(3000)  # Reflex's toast appeared after two failed reconnections
    expect(phone.get_by_text(re.compile("Cannot connect|websocket error|Check if server"))).to_have_count(0)
    expect(phone.locator("[data-sonner-toast]")).to_have_count(0)
    screenshot(phone, f"a11y-offline-{app.backend}")

    phone.context.set_offline(False)
    blocked.clear()
    expect(phone.locator("#offline-banner")).to_be_hidden()
    expect(reconnecting).to_have_text("", timeout=30_000)
    expect(phone.get_by_role("heading", name="保安值班")).to_be_visible()


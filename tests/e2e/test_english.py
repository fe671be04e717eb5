"""In English, as a new user would try it: every screen of every role (and the options of every drop-down list on
it) shows no interface text left in Chinese. People's and places' names and what people typed are data, not
interface: every Chinese string stored in the database is taken out of the page's text before looking."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import String, inspect, select
from sqlmodel import AutoString, Session

from estate_pwa import routes
from estate_pwa.core.db import get_engine
from estate_pwa.models import ALL_TABLES, User
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from tests.e2e.conftest import login, screenshot

MANAGER = DEMO_ACCOUNTS[0]
GUARD = DEMO_ACCOUNTS[1]
CLEANER = DEMO_ACCOUNTS[3]
TECHNICIAN = DEMO_ACCOUNTS[4]

# Each role's account, the screen it lands on, and every screen of that role (routes.py), /me included.
ROLES = {
    "manager": (MANAGER, routes.MANAGER, (
        routes.MANAGER, routes.MANAGER_JOBS, routes.MANAGER_PATROL, routes.MANAGER_PATROL_HISTORY,
        routes.MANAGER_PATROL_SETUP, routes.CLEANING_INSPECT, routes.MANAGER_STAFF, routes.MANAGER_UNITS, routes.MANAGER_ROSTER,
        routes.MANAGER_BOOKINGS, routes.MANAGER_FEES, routes.INSPECTIONS, routes.MANAGER_FACILITIES,
        f"{routes.FACILITY_ASSET}?id=1", routes.ME,
    )),
    "guard": (GUARD, routes.GUARD, (routes.GUARD, routes.GUARD_SCAN, routes.GUARD_INCIDENT, routes.ME)),
    "cleaner": (CLEANER, routes.CLEANER, (routes.CLEANER, routes.CLEANER_SCAN, routes.ME)),
    "technician": (TECHNICIAN, routes.TECHNICIAN, (routes.TECHNICIAN, routes.INSPECTIONS, routes.ME)),
    "resident": (DEMO_RESIDENT, routes.RESIDENT, (routes.RESIDENT, routes.RESIDENT_REQUESTS, routes.RESIDENT_SERVICES,
                                                           routes.RESIDENT_FEES, routes.ME)),
}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# The language switch names the other language in that language.
ALLOWED = ("中文",)


def _is_text(column) -> bool:
    return isinstance(column.type, (String, AutoString))


def stored_chinese(db_url: str) -> list[str]:
    """Every string in the database holding Chinese (names of people, buildings, areas, checkpoints, routes,
    shifts, the estate; descriptions people typed), longest first so a name goes before its parts."""
    found: set[str] = set()
    with Session(get_engine(db_url)) as session:
        for table in ALL_TABLES:
            columns = [c for c in inspect(table).columns if _is_text(c)]
            for column in columns:
                for value in session.execute(select(column).distinct()).scalars():
                    if isinstance(value, str) and CJK.search(value):
                        found.add(value.strip())
        # A person's avatar shows the first character of their name.
        found.update(name[:1] for name in session.execute(select(inspect(User).columns["name"])).scalars())
    return sorted((v for v in found if v), key=len, reverse=True)


def chinese_left(text: str, data: list[str]) -> list[str]:
    """Each run of Chinese left once names and data are taken out, with a few characters around it."""
    for value in data:
        text = text.replace(value, "·")
    for allowed in ALLOWED:
        text = text.replace(allowed, "·")
    return sorted({text[max(0, m.start() - 12):m.end() + 12].replace("\n", "⏎") for m in CJK.finditer(text)})


def settle(page: Page) -> str:
    """The page's text once it has its title and its data: read until two reads 0.4 s apart agree. The page is
    hydrated in English first (its language switch offers 中文), so a slow hydrate is not read as Chinese."""
    expect(page.locator("h1, h2, h3").first).to_be_visible()
    expect(page.get_by_role("button", name="中文").first).to_be_visible()
    text = ""
    for _ in range(25):
        page.wait_for_timeout(400)
        now = page.evaluate("document.body.innerText")
        if now == text and "Loading" not in now and "加载中" not in now:
            break
        text = now
    return text


def drop_down_texts(page: Page) -> str:
    """Open each drop-down list of the screen in turn and read its options."""
    texts = []
    triggers = page.locator("button[role=combobox]:visible")
    for i in range(triggers.count()):
        trigger = triggers.nth(i)
        if not trigger.is_enabled():
            continue
        trigger.scroll_into_view_if_needed()
        trigger.click()
        listbox = page.locator("[role=listbox]")
        expect(listbox).to_be_visible()
        texts.append(listbox.inner_text())
        page.keyboard.press("Escape")
        expect(listbox).to_have_count(0)
    return "\n".join(texts)


def walk(page: Page, screens, data: list[str], tag: str) -> dict[str, list[str]]:
    """Chinese left on each screen (its text, then its drop-down lists), by route."""
    left = {}
    for route in screens:
        page.goto(route)
        text = settle(page)
        assert "Log in" not in text or route in (routes.LOGIN, routes.JOIN), f"{route}: sent back to log in"
        found = chinese_left(text + "\n" + drop_down_texts(page), data)
        if found:
            left[route] = found
            screenshot(page, f"english-{tag}-{route.strip('/').replace('/', '-') or 'root'}")
    return left


def to_english(page: Page) -> None:
    page.goto(routes.LOGIN)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_login_and_join_in_english(phone, ui_app):
    to_english(phone)
    left = walk(phone, (routes.LOGIN, routes.JOIN), stored_chinese(ui_app.db_url), f"anonymous-{ui_app.backend}")
    assert left == {}, f"Chinese left in the English interface: {left}"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_screen_of_each_role_in_english(phone, ui_app, role):
    (number, password, *_), home, screens = ROLES[role]
    to_english(phone)
    login(phone, number, password, home)
    left = walk(phone, screens, stored_chinese(ui_app.db_url), f"{role}-{ui_app.backend}")
    assert left == {}, f"Chinese left in the English interface: {left}"


def test_the_fee_rates_dialog_in_english(phone, ui_app):
    """The manager's rates and late fee dialog (its text and drop-down lists) in English."""
    to_english(phone)
    login(phone, MANAGER[0], MANAGER[1], routes.MANAGER)
    phone.goto(routes.MANAGER_FEES)
    settle(phone)
    phone.get_by_role("button", name="Rates and late fee").click()
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_text("Fee rates and late fee")).to_be_visible()
    phone.wait_for_timeout(400)
    left = chinese_left(dialog.inner_text() + "\n" + drop_down_texts(phone), stored_chinese(ui_app.db_url))
    if left:
        screenshot(phone, f"english-fee-rates-{ui_app.backend}")
    assert left == [], f"Chinese left in the English rates dialog: {left}"

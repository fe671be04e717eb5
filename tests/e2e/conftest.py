"""Chromium (Debian's) driven by Playwright at Pixel 7 size against the app in production mode.

Which app a browser test runs against is chosen by the fixture it asks for (tests/conftest.py):

- `app` (and `phone`, which opens a tab on it): once per backend, SQLite and PostgreSQL + Redis with two workers.
  The default, and the rule for anything that goes through the server: flows that save or change records, what one
  person sees of another's work (live updates), sessions, logins and lock-outs, reconnecting, offline scans
  replayed, what a screen sends over the websocket.
- `ui_app`: once, against SQLite (the same app; in a run spread over xdist workers, a SQLite app of its own that
  runs beside the others). Only for checks of what the browser is
  given that cannot differ with the database or the state manager behind it: axe-core on screens and dialogs, the
  English walk (no Chinese left), the installability of the static PWA shell. Such a test may write records only to
  have something on screen, when the flow that writes them runs on both backends elsewhere.

When in doubt, `app`. A browser test costs 5-60 s per backend, and the whole suite has an 11-minute budget.
"""

import re
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, Estate, PatrolPoint, PatrolRound, PatrolRoute, PatrolScan, Role, User, UserRole
from estate_pwa.services import patrol, roster
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE
from estate_pwa.services.permissions import actor_for
from tests.factories import PASSWORD, password_hash, unique_phone

# A screen may take longer than Playwright's 5 s default to settle when the 2-core machine is also building or
# loading the other app; an assertion still fails at once on a wrong value, it only waits longer for the right one.
expect.set_options(timeout=15_000)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOT_SCREENS = 8
"""Pages longer than this many screens are captured as far as the screen shows."""
MANAGER = DEMO_ACCOUNTS[0]


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the run."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    """Headless Debian Chromium with the flags this machine needs."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


NO_SERVICE_WORKER = {"service_workers": "block"}
"""Options of a browser context for a test that never goes offline. A fresh phone's service worker caches the whole
app for use offline: about 2,000 requests and 10 s of CPU, which on this 2-core machine every other test waits
for. Tests of what works offline (the `service_worker` mark, or a context made without these options) keep it."""


@pytest.fixture
def phone(browser, playwright, app, request) -> Page:
    """A fresh Pixel 7 tab (412×839, touch) on the running app; its service worker runs only for tests marked
    `service_worker`."""
    offline_ready = request.node.get_closest_marker("service_worker") is not None
    context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url,
                                  **({} if offline_ready else NO_SERVICE_WORKER))
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def login(page: Page, phone_number: str, password: str, lands_on: str) -> None:
    """Log in through the form and wait for the home screen."""
    page.goto("/login")
    page.fill("#phone", phone_number)
    page.fill("#password", password)
    page.get_by_role("button", name=re.compile("登录|Log in")).click()
    page.wait_for_url(f"**{lands_on}")


def staff_account(db_url: str, *roles: Role, name: str = "测试员工") -> tuple[str, str]:
    """A new account in the demo estate (so demo logins are never locked by a test); returns phone, password."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        user = User(estate_id=estate_id, phone=unique_phone(), name=name, password_hash=password_hash(PASSWORD))
        session.add(user)
        session.flush()
        for role in roles:
            session.add(UserRole(user_id=user.id, role=role))
        session.commit()
        return user.phone, PASSWORD


class Signal:
    """The phone's connection in a stairwell or basement: once lost, the app's event socket drops and cannot come
    back (as on a phone with no signal) until it is restored."""

    def __init__(self, page: Page) -> None:
        self._page, self._sockets, self._lost = page, [], False
        page.route_web_socket(re.compile(r"/_event"), self._event_socket)

    def _event_socket(self, ws) -> None:
        if self._lost:
            ws.close()
            return
        ws.connect_to_server()
        self._sockets.append(ws)

    def lose(self) -> None:
        self._lost = True
        self._page.context.set_offline(True)
        for ws in self._sockets:
            ws.close()

    def restore(self) -> None:
        self._lost = False
        self._page.context.set_offline(False)


def fits_width(page: Page) -> bool:
    """No horizontal scrolling: the page is no wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot for people to look at (test-artifacts/, not committed): the whole page, or only what is in
    view when the page is very long (on the 1st of a month every monthly inspection is due: hundreds of rows, and a
    full-page capture of that outlasts Playwright's timeout). One image pixel per CSS pixel: a Pixel 7's own density
    (2.625) makes each capture seven times the pixels and about a second and a half more of Chromium's CPU."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = (page.viewport_size or {"height": 900})["height"]
    long_page = page.evaluate("document.documentElement.scrollHeight") > SCREENSHOT_SCREENS * height
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=not long_page, scale="css")


__all__ = ["NO_SERVICE_WORKER", "Signal", "expect", "fits_width", "login", "screenshot", "staff_account"]


def route_due_now(db_url: str, guard_phone: str, side_by_side: bool = False) -> tuple[str, list[str]]:
    """A two-checkpoint route whose window opens now, its round given to the guard, who is put on duty; returns
    the route's name and the checkpoints' paths. `side_by_side` gives both checkpoints the same coordinates, so
    walking between them takes no time (no 20-second wait between scans)."""
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
        where = (31.23, 121.47) if side_by_side else (None, None)
        points = [patrol.create_point(session, manager, area.id, f"测试点{letter}{tag}", "", *where)
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


def point_where(db_url: str, name: str) -> tuple[float | None, float | None]:
    """The stored coordinates of the checkpoint called `name`."""
    with Session(get_engine(db_url)) as session:
        point = session.exec(select(PatrolPoint).where(PatrolPoint.name == name)).one()
        return point.latitude, point.longitude


def round_and_scans(db_url: str, route_name: str) -> tuple[PatrolRound, list[PatrolScan]]:
    """The round of a route made by `route_due_now`, and its scans in the order they were stored."""
    with Session(get_engine(db_url)) as session:
        patrol_round = session.exec(select(PatrolRound).join(PatrolRoute).where(PatrolRoute.name == route_name)).one()
        scans = session.exec(select(PatrolScan).where(PatrolScan.round_id == patrol_round.id)
                             .order_by(col(PatrolScan.id))).all()
        return patrol_round, list(scans)

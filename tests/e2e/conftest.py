"""Chromium (Debian's) driven by Playwright at Pixel 7 size against the app in production mode."""

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

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
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


@pytest.fixture
def phone(browser, playwright, app) -> Page:
    """A fresh Pixel 7 tab (412×839, touch) on the running app."""
    context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url)
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


def fits_width(page: Page) -> bool:
    """No horizontal scrolling: the page is no wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot for people to look at (test-artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


__all__ = ["expect", "fits_width", "login", "screenshot", "staff_account"]


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

"""Chromium (Debian's) driven by Playwright at Pixel 7 size against the app in production mode."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.core.security import hash_password
from estate_pwa.models import Estate, Role, User, UserRole
from estate_pwa.services.demo import DEMO_CODE
from tests.factories import PASSWORD, unique_phone

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


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
        user = User(estate_id=estate_id, phone=unique_phone(), name=name, password_hash=hash_password(PASSWORD))
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

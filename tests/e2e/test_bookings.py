"""A booked service at phone size: a resident books from home in four taps, cancels and rebooks; the cleaner it
holds finds it in the job list on their own home and completes it with the jobs system's steps; the resident
rates it; the office records the payment, closes another slot of the day with a reason, and the resident
downloads the receipt."""

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import Booking, DutyAssignment, Estate, Role, Shift, Unit, User, UserRole
from estate_pwa.services import bookings
from estate_pwa.services.demo import DEMO_CODE
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import NO_SERVICE_WORKER, login, screenshot
from tests.e2e.test_accessibility import audit, blocking
from tests.factories import PASSWORD, password_hash, unique_phone


def _person(session, estate, name, *roles, unit_id=None) -> User:
    user = User(estate_id=estate.id, phone=unique_phone(), name=name, password_hash=password_hash(PASSWORD),
                unit_id=unit_id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    return user


def _setting(db_url: str, tag: str) -> tuple[str, str, str, str]:
    """A cleaner on every shift of the coming week, a housekeeping service only they do, a resident and an office
    manager; returns the service's name and the three phones."""
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        unit = session.exec(select(Unit.id).where(Unit.estate_id == estate.id).order_by(col(Unit.id).desc())).first()
        cleaner = _person(session, estate, f"预约保洁{tag}", Role.CLEANER)
        resident = _person(session, estate, f"预约业主{tag}", Role.RESIDENT, unit_id=unit)
        office = _person(session, estate, f"前台{tag}", Role.MANAGER)
        today = utcnow().astimezone(ZoneInfo(estate.timezone)).date()
        for shift in session.exec(select(Shift).where(Shift.estate_id == estate.id)):
            for offset in range(-1, 8):
                session.add(DutyAssignment(estate_id=estate.id, user_id=cleaner.id, shift_id=shift.id,
                                           role=Role.CLEANER, day=today + timedelta(days=offset)))
        session.commit()
        name = f"上门保洁{tag}"
        bookings.save_service(session, actor_for(session, office), {
            "name_zh": name, "name_en": f"Home cleaning {tag}", "category": "housekeeping", "special": "on",
            "price": "60", "price_unit": "visit", "duration_minutes": "60", "lead_hours": "1",
            "free_cancel_hours": "0", "cancel_fee": "10", "staff_role": "cleaner", "staff_id": str(cleaner.id)})
        session.commit()
        return name, cleaner.phone, resident.phone, office.phone


def _booked_day(db_url: str, phone: str) -> str:
    """The local day of the resident's booking that is not cancelled."""
    with Session(get_engine(db_url)) as session:
        user = session.exec(select(User).where(User.phone == phone)).one()
        zone = ZoneInfo(session.get(Estate, user.estate_id).timezone)
        booking = session.exec(select(Booking).where(Booking.resident_id == user.id,
                                                     col(Booking.cancelled_at).is_(None))).one()
        return booking.starts_at.astimezone(zone).date().isoformat()


def _book(page, name, found: list | None = None) -> int:
    """From the resident's home to a confirmed booking (auditing the slots and the confirmation with axe-core
    into `found`); returns the taps it took."""
    taps = 0
    page.get_by_role("link", name=re.compile("特约服务")).click()
    taps += 1
    page.wait_for_url("**/resident/services")
    page.locator("[data-testid=menu-service]").filter(has_text=name).click()
    taps += 1
    slot = page.locator("[data-testid=slot]:not([disabled])").first
    expect(slot).to_be_visible()
    if found is not None:
        found += audit(page, "resident /resident/services with slots")
    slot.click()
    taps += 1
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("¥60.00")
    if found is not None:
        page.wait_for_timeout(400)
        found += audit(page, "resident booking confirmation")
    dialog.get_by_role("button", name="确认预约").click()
    taps += 1
    expect(page.get_by_role("status").filter(has_text="预约成功")).to_be_visible()
    return taps


def test_book_cancel_rebook_complete_rate_pay_and_download_the_receipt(browser, playwright, app):
    tag = uuid.uuid4().hex[:5]
    name, cleaner_phone, resident_phone, office_phone = _setting(app.db_url, tag)
    device = playwright.devices["Pixel 7"]
    resident = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    cleaner = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    office = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
    found = []
    try:
        login(resident, resident_phone, PASSWORD, "/resident")
        assert _book(resident, name, found) == 4
        card = resident.locator("[data-testid=booking-card]").filter(has_text=name)
        expect(card).to_have_count(1)
        expect(card.get_by_test_id("booking-status")).to_have_text("已预约")
        expect(card).to_contain_text("应付 ¥60.00")
        screenshot(resident, "bookings-resident")

        card.get_by_role("button", name="取消预约").click()
        expect(resident.get_by_role("dialog")).to_contain_text("免费")
        resident.get_by_test_id("confirm-cancel").click()
        expect(card.get_by_test_id("booking-status")).to_have_text("已取消")

        resident.goto("/resident")
        assert _book(resident, name) == 4
        booked = resident.locator("[data-testid=booking-card]").filter(has_text=name).filter(has_text="已预约")
        expect(booked).to_have_count(1)
        when = booked.locator("p, span").filter(has_text=re.compile(r"\d\d-\d\d \d\d:\d\d–")).first.inner_text()

        login(cleaner, cleaner_phone, PASSWORD, "/cleaner")
        expect(cleaner.get_by_text("我的预约服务")).to_be_visible()
        job = cleaner.locator("[data-testid=request-card]").filter(has_text=name)
        expect(job).to_contain_text("预约服务")
        found += audit(cleaner, "cleaner home with a booked job")
        job.get_by_role("button", name="接单出发", exact=True).click()
        job.get_by_role("button", name="完工", exact=True).click()
        job.locator("textarea[name=work_done]").fill("已打扫完毕")
        job.get_by_role("button", name="确认完工", exact=True).click()
        expect(cleaner.locator("[data-testid=request-card]").filter(has_text=name)).to_have_count(0)

        resident.reload()
        done = resident.locator("[data-testid=booking-card]").filter(has_text=name).filter(has_text=when) \
            .filter(has_not_text="已取消")
        expect(done.get_by_test_id("booking-status")).to_have_text("待评价")
        done.get_by_role("button", name="满意", exact=True).click()
        expect(done.get_by_test_id("booking-status")).to_have_text("已完成")

        login(office, office_phone, PASSWORD, "/manager")
        office.goto(f"/manager/bookings?day={_booked_day(app.db_url, resident_phone)}")
        paid = office.locator("[data-testid=booking-card]").filter(has_text=name).filter(has_text=when) \
            .filter(has_not_text="已取消")
        found += audit(office, "manager /manager/bookings with a booking")
        paid.get_by_role("button", name="登记收款").click()
        expect(office.get_by_role("dialog")).to_be_visible()
        office.wait_for_timeout(400)
        found += audit(office, "manager booking payment dialog")
        office.get_by_test_id("record-payment").click()
        expect(office.get_by_role("status").filter(has_text="已登记收款")).to_be_visible()
        expect(paid).to_contain_text("已付 ¥60.00")
        screenshot(office, "bookings-office")
        office.locator("#slot-service").select_option(label=name)
        slot = office.locator("[data-testid=office-slot]:not([disabled])").last
        closed_label = slot.locator("p, span").first.inner_text()
        slot.click()
        expect(office.get_by_role("dialog")).to_contain_text(closed_label)
        office.wait_for_timeout(400)
        found += audit(office, "manager close-slot dialog")
        office.fill("#slot-reason", "保洁员培训")
        office.get_by_test_id("confirm-close-slot").click()
        expect(office.get_by_role("status").filter(has_text="时段已关闭")).to_be_visible()
        expect(office.get_by_test_id("closed-slot").filter(has_text=name)).to_contain_text("保洁员培训")
        found += audit(office, "manager /manager/bookings with a closed slot")
        office.get_by_role("button", name="新增服务").click()
        expect(office.get_by_role("dialog")).to_be_visible()
        office.wait_for_timeout(400)
        found += audit(office, "manager service dialog")
        office.keyboard.press("Escape")
        expect(office.get_by_role("dialog")).to_have_count(0)
        closed = office.get_by_test_id("closed-slot").filter(has_text=name)
        closed.get_by_role("button", name="重新开放").click()
        expect(office.get_by_role("status").filter(has_text="时段已重新开放")).to_be_visible()
        expect(closed).to_have_count(0)
        expect(slot.locator("p, span").first).to_have_text(closed_label)  # bookable again
        expect(slot).to_be_enabled()

        resident.reload()
        receipt = resident.locator("[data-testid=booking-card]").filter(has_text=when).filter(
            has_not_text="已取消").get_by_test_id("receipt-link")
        expect(receipt).to_be_visible()
        with resident.expect_download() as download:
            receipt.click()
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(4) == b"%PDF"
    finally:
        for page in (resident, cleaner, office):
            page.context.close()
    assert not blocking(found), "\n".join(blocking(found))

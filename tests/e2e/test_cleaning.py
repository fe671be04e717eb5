"""Cleaning in the field at phone size: a cleaner ticks a checklist with a photo and scans the area's code (a fake
camera); the same offline — ticks and a photo queued, reloaded offline with the count in sight, recorded once when
the connection returns; and a supervisor's failed item (an inspection form with a photo, through the outbox)
reaching the cleaner's phone as rework."""

import uuid
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Area,
    AreaKind,
    CleaningResult,
    CleaningTask,
    CleaningTick,
    CleaningVisit,
    Estate,
    OutboxReceipt,
    Role,
    TaskKind,
    User,
)
from estate_pwa.services import cleaning
from estate_pwa.services.demo import DEMO_CODE
from estate_pwa.services.permissions import actor_for
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MANAGER,
    NO_SERVICE_WORKER,
    Signal,
    login,
    screenshot,
    staff_account,
)
from tests.e2e.fake_camera import write_y4m

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def _my_area(db_url: str, cleaner_phone: str) -> tuple[int, str, str]:
    """A new area of a kind of its own (a plain item and a photo item) given to the cleaner, today's tasks made;
    returns its id, name and posted code."""
    kind = AreaKind.OTHER  # no demo template: the area has exactly these two items
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER[0])).one())
        cleaner = session.exec(select(User).where(User.phone == cleaner_phone)).one()
        name = f"测试区域{uuid.uuid4().hex[:4]}"
        area = Area(estate_id=estate.id, name=name, kind=kind)
        session.add(area)
        session.flush()
        words = {i.text for i in cleaning.checklist(session, estate.id, kind)}
        if "擦拭滑梯" not in words:
            cleaning.add_item(session, manager, kind, "擦拭滑梯", "daily")
            cleaning.add_item(session, manager, kind, "拍照:地面无垃圾", "daily", photo_required=True)
        cleaning.assign(session, manager, area.id, cleaner.id, now=utcnow() - timedelta(minutes=1))
        cleaning.keep_tasks_current(session, estate.id)
        code = cleaning.area_code(area)  # the area's posted code is made (and kept) now
        session.commit()
        return area.id, name, code


def _ticks(db_url: str, area_id: int) -> list[CleaningTick]:
    with Session(get_engine(db_url)) as session:
        return list(session.exec(select(CleaningTick).join(CleaningTask, col(CleaningTask.id) == CleaningTick.task_id)
                                 .where(CleaningTask.area_id == area_id).order_by(col(CleaningTick.id))))


def _photo(tmp_path) -> str:
    path = tmp_path / "floor.jpg"
    Image.new("RGB", (2400, 1800), "olive").save(path, "JPEG", quality=95)  # a big camera photo: shrunk first
    return str(path)


def _card(page, name: str):
    return page.locator(".rt-Card").filter(has_text=name).first


def test_a_cleaner_ticks_with_a_photo_and_scans_the_area_code(playwright, app, tmp_path):
    phone_number, password = staff_account(app.db_url, Role.CLEANER, name="扫码保洁")
    area_id, name, code = _my_area(app.db_url, phone_number)
    video = write_y4m(tmp_path / "area.y4m", [code])
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"])
    try:
        page = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
        login(page, phone_number, password, "/cleaner")
        area = _card(page, name)
        expect(area.get_by_test_id("area-progress")).to_have_text("0/2 完成")
        area.get_by_test_id("tick").click()
        expect(area.get_by_test_id("area-progress")).to_have_text("1/2 完成")
        area.get_by_test_id("tick-photo").set_input_files(_photo(tmp_path))
        expect(area.get_by_test_id("area-progress")).to_have_text("2/2 完成")
        expect(area.get_by_role("button", name="查看大图")).to_be_visible()  # the photo, as stored
        expect(page.get_by_test_id("outbox-notice")).to_be_hidden()
        page.get_by_role("link", name="扫区域码").click()
        page.wait_for_url("**/cleaner/scan")
        expect(page.get_by_test_id("seen-area")).to_have_text(name, timeout=20_000)
        screenshot(page, f"cleaning-scan-{app.backend}")
    finally:
        browser.close()
    ticks = _ticks(app.db_url, area_id)
    assert len(ticks) == 2 and all(t.present for t in ticks)  # the scan came after: the ticks count as there
    photos = [t.photos for t in ticks if t.photos]
    assert len(photos) == 1 and photos[0][0].startswith("cleaning/")


@pytest.mark.service_worker
def test_ticks_and_a_photo_made_offline_survive_a_reload_in_sight_and_are_recorded_once(phone, app, tmp_path):
    phone_number, password = staff_account(app.db_url, Role.CLEANER, name="离线保洁")
    area_id, name, _ = _my_area(app.db_url, phone_number)
    signal = Signal(phone)
    login(phone, phone_number, password, "/cleaner")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    area = _card(phone, name)
    expect(area.get_by_test_id("area-progress")).to_have_text("0/2 完成")

    signal.lose()
    area.get_by_test_id("tick").click()
    notice, count = phone.get_by_test_id("outbox-notice"), phone.get_by_test_id("outbox-count")
    expect(count).to_have_text("1")
    expect(notice).to_be_visible()
    phone.reload()  # offline: the work waiting and today's tasks must still be in sight, and the rest can be done
    expect(count).to_have_text("1")
    expect(notice).to_be_visible()
    expect(phone.locator("#offline-banner")).to_be_visible()
    area = _card(phone, name)  # the copy of today's list kept on the phone
    expect(area).to_be_visible()
    expect(area.get_by_test_id("area-progress")).to_have_text("0/2 完成")
    expect(area.get_by_test_id("tick")).to_have_attribute("data-outbox-queued", "")  # shown as waiting to be sent
    area.get_by_test_id("tick-photo").set_input_files(_photo(tmp_path))
    expect(count).to_have_text("2")
    screenshot(phone, f"cleaning-offline-outbox-{app.backend}")
    assert _ticks(app.db_url, area_id) == []

    signal.restore()
    expect(notice).to_be_hidden(timeout=30_000)
    expect(_card(phone, name).get_by_test_id("area-progress")).to_have_text("2/2 完成")
    phone.reload()
    expect(_card(phone, name).get_by_test_id("area-progress")).to_have_text("2/2 完成")
    ticks = _ticks(app.db_url, area_id)
    assert len(ticks) == 2 and sum(bool(t.photos) for t in ticks) == 1
    assert all(t.client_time < t.done_at for t in ticks)  # made on the phone before the server heard of them
    with Session(get_engine(app.db_url)) as session:
        receipts = session.exec(select(OutboxReceipt).where(col(OutboxReceipt.uid).in_([t.tick_uid for t in ticks]))).all()
    assert sorted(r.outcome for r in receipts) == ["ok", "ok"]


def test_a_failed_item_reaches_the_cleaners_phone_as_rework(phone, browser, playwright, app, tmp_path):
    phone_number, password = staff_account(app.db_url, Role.CLEANER, name="返工保洁")
    area_id, name, _ = _my_area(app.db_url, phone_number)
    manager = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url, **NO_SERVICE_WORKER).new_page()
    try:
        login(manager, MANAGER[0], MANAGER[1], "/manager")
        manager.goto("/manager/cleaning")
        _card(manager, name).get_by_role("button", name="抽查").click()
        manager.wait_for_url("**/manager/cleaning/inspect")
        sheet = manager.get_by_test_id("inspection-sheet").filter(has_text=name)
        sheet.locator("summary").click()
        failing = sheet.locator("fieldset").first
        failing.get_by_role("radio", name="不合格").check()
        failing.get_by_role("textbox").fill("滑梯上有泥")
        failing.get_by_test_id("item-photos").set_input_files(_photo(tmp_path))  # the photo of this item
        expect(failing.locator("label[data-outbox-photos='1']")).to_have_count(1)  # the camera button shows it
        sheet.get_by_role("button", name="提交抽查").click()  # queued in the outbox with its photo, then sent
        expect(manager.get_by_text("抽查已记录,不合格项已生成返工任务")).to_be_visible(timeout=20_000)
        manager.goto("/manager/cleaning")
        expect(manager.get_by_test_id("rework-row").filter(has_text=name)).to_be_visible()

        login(phone, phone_number, password, "/cleaner")
        area = _card(phone, name)
        expect(area.get_by_text("返工")).to_be_visible()
        screenshot(phone, f"cleaning-rework-{app.backend}")
    finally:
        manager.context.close()
    with Session(get_engine(app.db_url)) as session:
        rework = session.exec(select(CleaningTask).where(CleaningTask.area_id == area_id,
                                                         CleaningTask.kind == TaskKind.REWORK)).all()
        assert len(rework) == 1 and rework[0].cleaner_id is not None
        failed = session.exec(select(CleaningResult).where(CleaningResult.area_id == area_id,
                                                           col(CleaningResult.passed).is_(False))).one()
        assert failed.note == "滑梯上有泥" and len(failed.photos) == 1 and failed.photos[0].startswith("cleaning/")
        passed = session.exec(select(CleaningResult).where(CleaningResult.area_id == area_id,
                                                           col(CleaningResult.passed).is_(True))).one()
        assert passed.photos == []  # the photo went with its own item only
        assert session.exec(select(CleaningVisit).where(CleaningVisit.area_id == area_id)).all() == []

"""At phone size: an inspector in a basement without signal finds a defective extinguisher (with a photo), the
inspection waits on the phone through an offline reload (the list kept on the phone) and is recorded once when the
signal returns; its repair job appears on the technician's home, the job is done, the re-inspection is on the
inspector's list, scanning the extinguisher's posted code (a fake camera) opens it, it passes, and the
extinguisher is intact again. The inspection form passes axe-core."""

import re
import uuid
from datetime import UTC, datetime

from PIL import Image
from playwright.sync_api import expect
from sqlmodel import Session, select

from estate_pwa import routes
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Asset,
    AssetDefect,
    Estate,
    InspectionResult,
    InspectionTask,
    PlaceKind,
    Role,
    ServiceRequest,
    User,
)
from estate_pwa.services import inspections, jobs
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE
from estate_pwa.services.facilities import open_defect_of, register
from estate_pwa.services.permissions import actor_for
from estate_pwa.services.reports import codes
from tests.e2e.conftest import Signal, CHROMIUM, CHROMIUM_ARGS, login, screenshot, staff_account
from tests.e2e.fake_camera import write_y4m
from tests.e2e.test_accessibility import audit, blocking

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]

MANAGER_PHONE = DEMO_ACCOUNTS[0][0]


def _extinguisher_for(db_url: str, inspector_phone: str) -> tuple[int, str]:
    """A new extinguisher in the demo estate with a daily plan given to the inspector by name; its code."""
    code = f"MH-E2E-{uuid.uuid4().hex[:6]}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        boss = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        inspector = session.exec(select(User).where(User.phone == inspector_phone)).one()
        asset = register.add_asset(session, boss, {
            "code": code, "category": "fire_equipment", "subkind": "extinguisher", "name": f"灭火器 {code}",
            "location": "地下车库 B1", "quantity": "1", "expires_on": "2030-01-31"}, now=datetime(2025, 1, 1, tzinfo=UTC))
        inspections.save_plan(session, boss, {"name": "灭火器日检", "asset_id": asset.id, "frequency": "daily",
                                              "items": ["压力表指针在绿区", "铅封完好", "未过期"],
                                              "assignee_id": inspector.id})
        inspections.keep_tasks_current(session, estate_id)
        session.commit()
        return asset.id, code


def _photo(tmp_path, name: str = "seal") -> str:
    path = tmp_path / f"{name}.jpg"  # a new file each: a file changed after it was chosen can no longer be read
    Image.new("RGB", (2000, 1500), "maroon").save(path, "JPEG", quality=95)  # a camera photo: shrunk on the phone
    return str(path)


def _posted_code(db_url: str, asset_id: int) -> str:
    """The URL printed in the asset's QR code."""
    with Session(get_engine(db_url)) as session:
        posted = codes.current_code(session, PlaceKind.ASSET, asset_id, session.get(Asset, asset_id).estate_id)
        session.commit()
        return codes.code_url("https://wy.example.cn", posted)


def test_a_defective_extinguisher_becomes_a_job_and_is_intact_after_the_re_inspection(playwright, app, tmp_path):
    inspector_phone, password = staff_account(app.db_url, Role.TECHNICIAN, name="巡检师傅")
    asset_id, code = _extinguisher_for(app.db_url, inspector_phone)
    video = write_y4m(tmp_path / "asset.y4m", [_posted_code(app.db_url, asset_id)])
    browser = playwright.chromium.launch(  # a camera that sees the code posted on the extinguisher
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"])
    try:
        phone = browser.new_context(**playwright.devices["Pixel 7"], base_url=app.url).new_page()
        phone.context.set_default_timeout(20_000)
        _walk(phone, app, tmp_path, inspector_phone, password, asset_id, code)
    finally:
        browser.close()


def _walk(phone, app, tmp_path, inspector_phone: str, password: str, asset_id: int, code: str) -> None:
    signal = Signal(phone)
    login(phone, inspector_phone, password, routes.TECHNICIAN)

    # from the technician's home to today's list, the extinguisher on it
    phone.get_by_role("link", name=re.compile("今日巡检")).click()
    phone.wait_for_url(f"**{routes.INSPECTIONS}")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    task = phone.get_by_test_id("inspection-task").filter(has_text=code).first  # the demo's monthly plan too
    expect(task).to_be_visible()

    # in the basement, no signal: the seal is broken, with a photo; the form waits on the phone
    signal.lose()
    task.locator("summary").click()
    expect(task.get_by_text("铅封完好")).to_be_visible()
    seal, gauge = task.locator("fieldset").nth(1), task.locator("fieldset").nth(2)
    seal.get_by_role("radio", name="有缺陷").check()
    seal.get_by_role("textbox", name="缺陷说明").fill("铅封脱落")
    seal.get_by_label(re.compile("^拍照:")).set_input_files(_photo(tmp_path))  # a photo of the broken seal
    gauge.get_by_test_id("item-photos").set_input_files(_photo(tmp_path, "label"))  # and one of an intact item
    expect(seal.locator("label[data-outbox-photos='1']")).to_have_count(1)
    found = audit(phone, "inspection form")
    assert not blocking(found), "\n".join(blocking(found))
    screenshot(phone, f"inspection-form-{app.backend}")
    task.get_by_role("button", name="提交巡检").click()
    notice, count = phone.get_by_test_id("outbox-notice"), phone.get_by_test_id("outbox-count")
    expect(count).to_have_text("1")
    expect(notice).to_be_visible()
    phone.reload()  # offline: the waiting inspection and today's list are still in sight
    expect(count).to_have_text("1")
    expect(notice).to_be_visible()
    kept = phone.get_by_test_id("inspection-task").filter(has_text=code).first
    expect(kept).to_be_visible()
    expect(kept.locator("details[data-outbox-queued]")).to_have_count(1)
    screenshot(phone, f"inspection-offline-{app.backend}")
    with Session(get_engine(app.db_url)) as session:
        assert open_defect_of(session, asset_id) is None

    signal.restore()
    expect(notice).to_be_hidden(timeout=30_000)
    expect(phone.get_by_role("status").filter(has_text="已记录缺陷").first).to_be_visible()

    with Session(get_engine(app.db_url), expire_on_commit=False) as session:
        defect = open_defect_of(session, asset_id)
        assert defect is not None and defect.request_id is not None
        found = session.exec(select(InspectionResult).where(InspectionResult.asset_id == asset_id)).all()
        assert len(found) == 3 and len({r.client_id for r in found}) == 1  # sent once, recorded once
        photos = [r.photos for r in sorted(found, key=lambda r: r.position)]
        assert [len(p) for p in photos] == [0, 1, 1] and photos[1] != photos[2]  # each photo with its own item
        assert [r.note for r in found if r.outcome == "defective"] == ["铅封脱落"]
        tech = actor_for(session, session.exec(select(User).where(User.phone == inspector_phone)).one())
        boss = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        if session.get(ServiceRequest, defect.request_id).technician_id != tech.id:  # the office dispatches it
            jobs.dispatch(session, boss, defect.request_id, tech.id)
            session.commit()

    # the repair job appears on the technician's home …
    phone.goto(routes.TECHNICIAN)
    expect(phone.get_by_text(re.compile(f"巡检发现缺陷 {code}")).first).to_be_visible()
    # … and is done (the jobs flow has its own browser tests: here through its services)
    with Session(get_engine(app.db_url), expire_on_commit=False) as session:
        jobs.accept(session, tech, defect.request_id, None)
        jobs.complete(session, tech, defect.request_id, "更换铅封")
        session.commit()

    # the re-inspection is on the list; scanning the extinguisher's code opens it, and it passes
    phone.goto(routes.INSPECTIONS)
    expect(phone.get_by_test_id("inspection-task").filter(has_text=code).filter(has_text="复检")).to_be_visible()
    phone.get_by_role("link", name="扫码巡检").click()
    phone.wait_for_url(f"**{routes.INSPECTIONS_SCAN}")
    expect(phone.get_by_role("heading", name="扫码巡检")).to_be_visible()  # the list has gone
    recheck = phone.get_by_test_id("inspection-task").filter(has_text=code)
    expect(recheck).to_contain_text("复检", timeout=30_000)
    screenshot(phone, f"inspection-scan-{app.backend}")
    recheck.locator("summary").click()
    recheck.get_by_role("button", name="提交巡检").click()
    expect(phone.get_by_role("status").filter(has_text="全部完好").first).to_be_visible()
    screenshot(phone, f"inspection-recheck-{app.backend}")
    with Session(get_engine(app.db_url)) as session:
        assert open_defect_of(session, asset_id) is None
        closed = session.get(AssetDefect, defect.id)
        assert closed.closed_at is not None and closed.close_note == "复检通过"
        done = session.exec(select(InspectionTask).where(InspectionTask.asset_id == asset_id,
                                                         InspectionTask.kind == "recheck")).one()
        assert done.done_at is not None and done.defective is False

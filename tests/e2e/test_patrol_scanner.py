"""The in-app scanner reading codes from a fake camera, and scans queued on the phone while offline.

The camera is Chromium's fake capture device playing a Y4M video of the app's own checkpoint codes.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from estate_pwa.models import Role, RoundStatus, ScanOutcome
from tests.app_server import ROOT
from tests.e2e.conftest import (
    CHROMIUM, CHROMIUM_ARGS, MANAGER, NO_SERVICE_WORKER, login, round_and_scans, route_due_now, screenshot,
    staff_account,
)
from tests.e2e.fake_camera import write_y4m

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def _start(page, route_name: str) -> None:
    card = page.get_by_test_id("round-card").filter(has_text=route_name)
    card.get_by_role("button", name="开始巡更").click()
    expect(card).to_contain_text("巡更中")


def test_guard_scans_checkpoints_with_the_in_app_camera(playwright, app, tmp_path):
    guard_phone, guard_password = staff_account(app.db_url, Role.GUARD, name="扫码员")
    route_name, paths = route_due_now(app.db_url, guard_phone, side_by_side=True)
    video = write_y4m(tmp_path / "codes.y4m", [app.url + path for path in paths])
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"])
    device = playwright.devices["Pixel 7"]
    try:
        guard = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
        elsewhere: list[str] = []
        guard.on("request", lambda request: urlsplit(request.url).netloc != urlsplit(app.url).netloc
                 and elsewhere.append(request.url))
        login(guard, guard_phone, guard_password, "/guard")
        _start(guard, route_name)
        with guard.expect_response("**/zxing_reader.wasm") as decoder:
            guard.get_by_role("link", name="扫码打卡").click()
            guard.wait_for_url("**/guard/scan")
        assert decoder.value.ok

        expect(guard.get_by_test_id("scan-progress")).to_have_text("1 / 2", timeout=15_000)
        expect(guard.get_by_test_id("scan-message")).to_have_text("打卡成功")
        screenshot(guard, f"patrol-scanner-{app.backend}")
        # the looping video shows the first code again once the round is done: the big result may already say
        # so (本轮巡更已结束), while the list keeps the scan that completed the round
        completing = guard.get_by_test_id("recent-scan").filter(has_text="本轮巡更完成:按时完成")
        expect(completing).to_have_count(1, timeout=15_000)
        expect(completing).to_contain_text("2 / 2")
        assert elsewhere == []

        patrol_round, scans = round_and_scans(app.db_url, route_name)
        assert patrol_round.status == RoundStatus.ON_TIME
        assert [s.outcome for s in scans if s.outcome == ScanOutcome.COUNTED] == [ScanOutcome.COUNTED] * 2

        manager = browser.new_context(**device, base_url=app.url, **NO_SERVICE_WORKER).new_page()
        login(manager, MANAGER[0], MANAGER[1], "/manager")
        manager.goto("/manager/patrol")
        finished = manager.get_by_test_id("round-card").filter(has_text=route_name)
        expect(finished).to_contain_text("按时完成")
        expect(finished).to_contain_text("2 / 2")
    finally:
        browser.close()


@pytest.mark.service_worker
def test_scans_made_offline_wait_on_the_phone_survive_a_reload_and_are_recorded_once(phone, app):
    guard_phone, guard_password = staff_account(app.db_url, Role.GUARD, name="离线员")
    route_name, paths = route_due_now(app.db_url, guard_phone, side_by_side=True)
    login(phone, guard_phone, guard_password, "/guard")
    _start(phone, route_name)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.context.set_offline(True)
    for path in paths:
        phone.goto(path)
        phone.wait_for_url("**/guard/scan")
    waiting, notice = phone.get_by_test_id("outbox-count"), phone.get_by_test_id("outbox-notice")
    expect(waiting).to_have_text("2")
    expect(notice).to_be_visible()
    expect(phone.locator("#offline-banner")).to_be_visible()
    phone.reload()  # offline: the person must still SEE that their scans are safe on the phone
    expect(waiting).to_have_text("2")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("条记录保存在本手机上")
    expect(phone.locator("video")).to_have_count(1)
    screenshot(phone, f"patrol-offline-queue-{app.backend}")
    assert round_and_scans(app.db_url, route_name)[1] == []

    phone.context.set_offline(False)  # the answers land in the scan list (the big result may show the camera's)
    expect(phone.get_by_test_id("recent-scan").first).to_contain_text("本轮巡更完成:按时完成", timeout=30_000)
    expect(phone.get_by_test_id("recent-scan")).to_have_count(2)
    expect(notice).to_be_hidden()
    assert phone.evaluate("window.estateOutbox.all().then((items) => items.length)") == 0
    phone.reload()
    expect(phone.get_by_test_id("scan-message")).to_have_text("无法打开摄像头:请允许使用摄像头,或用手机相机扫描二维码")

    patrol_round, scans = round_and_scans(app.db_url, route_name)
    assert patrol_round.status == RoundStatus.ON_TIME
    assert len(scans) == 2 and len({s.scan_uid for s in scans}) == 2
    assert all(s.outcome == ScanOutcome.COUNTED for s in scans)
    assert all(s.client_time < s.server_time for s in scans)


def test_the_served_decoder_is_the_one_the_locked_packages_load(app):
    installed = app.web_dir / "node_modules" / "zxing-wasm" / "dist" / "reader" / "zxing_reader.wasm"
    assert (ROOT / "assets" / "zxing_reader.wasm").read_bytes() == installed.read_bytes()

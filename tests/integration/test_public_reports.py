"""The public report pages over real HTTP against the running app (SQLite, and PostgreSQL + Redis with two
workers): the form without an account, a report with a photo landing with the responsible cleaner, the follow
link; every refusal with its status and message (forged and revoked codes, no device, a foreign form token, a
non-image, an oversized body declared or streamed); and the rate limits holding across workers.

Clients are told apart by X-Forwarded-For, which the app trusts from a proxy on this host (as behind nginx)."""

import base64
import http.client
import io
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from PIL import Image
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Area,
    AuditEntry,
    CleaningAssignment,
    Estate,
    PlaceKind,
    PublicReport,
    Role,
    ServiceRequest,
    User,
)
from estate_pwa.services import reports
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.reports import codes, limits, uploads
from estate_pwa.states.reports import (
    AssetCodesState,
    CleanerReportsState,
    ReportsBoardState,
)
from tests.e2e.conftest import staff_account
from tests.rawclient import call_all, log_since, log_size, login_token, run

FORM = re.compile(r'name="form" value="([^"]+)"')


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _areas(db_url: str) -> list[tuple[int, int | None]]:
    """The demo estate's areas and each one's responsible cleaner (None: nobody)."""
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        cleaners = {a.area_id: a.cleaner_id for a in session.exec(select(CleaningAssignment).where(
            CleaningAssignment.estate_id == estate.id, col(CleaningAssignment.ends_at).is_(None)))}
        return [(a.id, cleaners.get(a.id)) for a in session.exec(select(Area).where(Area.estate_id == estate.id)
                                                                  .order_by(Area.id))]


def _code(db_url: str, area_id: int) -> str:
    with Session(get_engine(db_url)) as session:
        area = session.get(Area, area_id)
        token = codes.token_for(codes.current_code(session, PlaceKind.AREA, area.id, area.estate_id))
        session.commit()
        return token


def _client(app, address: str) -> httpx.Client:
    return httpx.Client(base_url=app.url, headers={"X-Forwarded-For": address}, timeout=30)


def _open(client: httpx.Client, token: str, lang: str = "") -> str:
    answer = client.get(f"/report/{token}" + (f"?lang={lang}" if lang else ""))
    assert answer.status_code == 200, answer.text
    return FORM.search(answer.text).group(1)


def _send(client: httpx.Client, token: str, form: str, category: str = "dirty", photo: bytes | None = None,
          **fields) -> httpx.Response:
    files = {"photo": ("photo.jpg", photo, "image/jpeg")} if photo is not None else None
    data = {"form": form, "category": category, "description": fields.get("description", ""),
            "contact": fields.get("contact", "")}
    return client.post(f"/report/{token}", data=data, files=files)


def _address() -> str:
    return f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def _refusals(db_url: str, code_token: str) -> list[str]:
    with Session(get_engine(db_url)) as session:
        code_id = _code_id(code_token)
        return [e.detail["reason"] for e in session.exec(select(AuditEntry).where(
            AuditEntry.action == "report_refused", AuditEntry.target_id == code_id).order_by(AuditEntry.id))]


def _declared_too_large(app, token: str, device: str) -> int:
    """Declare a body over the limit and send one byte of it (httpx will not): refused before it is read."""
    connection = http.client.HTTPConnection(app.url.split("//")[1], timeout=30)
    connection.putrequest("POST", f"/report/{token}")
    for name, value in (("Content-Length", str(uploads.BODY_MAX + 1)), ("X-Forwarded-For", _address()),
                        ("Content-Type", "multipart/form-data; boundary=x"),
                        ("Cookie", f"estate_report_device={device}")):
        connection.putheader(name, value)
    connection.endheaders(b"x")
    try:
        return connection.getresponse().status
    finally:
        connection.close()


def _code_id(token: str) -> int:
    body = token.split(".")[0]
    return int(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()[1:])


def test_a_report_with_a_photo_reaches_the_responsible_cleaner_and_the_follow_link_shows_it(app):
    area_id, cleaner_id = next((a, c) for a, c in _areas(app.db_url) if c is not None)
    token = _code(app.db_url, area_id)
    with _client(app, _address()) as client:
        page = client.get(f"/report/{token}")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert '<html lang="zh-CN">' in page.text and 'capture="environment"' in page.text
        assert "<script" not in page.text and len(page.content) < 8000
        assert "httponly" in page.headers["set-cookie"].lower()
        english = client.get(f"/report/{token}?lang=en")
        assert "Report a problem" in english.text and '<html lang="en">' in english.text
        form = FORM.search(english.text).group(1)
        sent = _send(client, f"{token}?lang=en", form, "dirty", _jpeg(), description="楼道有垃圾",
                     contact="13900000000")
        assert sent.status_code == 303, sent.text
        follow = sent.headers["location"]
        assert follow.startswith("/report/status/") and follow.endswith("lang=en")
        status = client.get(follow)
        assert status.status_code == 200 and "With the area&#x27;s cleaner" in status.text and "Received" in status.text
    with Session(get_engine(app.db_url)) as session:
        report = session.exec(select(PublicReport).where(PublicReport.area_id == area_id)
                              .order_by(col(PublicReport.id).desc())).first()
        assert (report.route, report.assignee_id, report.description) == ("cleaner", cleaner_id, "楼道有垃圾")
        assert report.photo and report.photo.startswith("reports/")


def test_damaged_becomes_a_repair_request(app):
    area_id = _areas(app.db_url)[-1][0]
    token = _code(app.db_url, area_id)
    with _client(app, _address()) as client:
        sent = _send(client, token, _open(client, token), "damaged", description="路灯不亮")
        assert sent.status_code == 303
        assert "等待派工" in client.get(sent.headers["location"]).text or "维修中" in client.get(
            sent.headers["location"]).text
    with Session(get_engine(app.db_url)) as session:
        request = session.exec(select(ServiceRequest).where(ServiceRequest.area_id == area_id)
                               .order_by(col(ServiceRequest.id).desc())).first()
        assert "路灯不亮" in request.description and request.reporter_id is None


def test_every_refusal_has_its_status_and_message_and_is_recorded(app):
    area_id = _areas(app.db_url)[1][0]
    token = _code(app.db_url, area_id)
    with _client(app, _address()) as client:
        assert client.get("/report/forged.token").status_code == 404
        assert "二维码无效" in client.get("/report/forged.token").text
        form = _open(client, token)
        stranger = httpx.Client(base_url=app.url, headers={"X-Forwarded-For": _address()}, timeout=30)
        no_device = stranger.post(f"/report/{token}", data={"form": form, "category": "dirty"})
        assert no_device.status_code == 403 and "页面已过期" in no_device.text
        foreign = _open(stranger, token)  # a token made for another device
        refused = _send(client, token, foreign)
        assert refused.status_code == 403
        not_image = client.post(f"/report/{token}", data={"form": form, "category": "dirty"},
                                files={"photo": ("x.jpg", b"%PDF-1.7 not a photo", "image/jpeg")})
        assert not_image.status_code == 415 and "只能上传照片" in not_image.text and 'role="alert"' in not_image.text
        assert _declared_too_large(app, token, client.cookies.get("estate_report_device")) == 413

        def stream():
            for _ in range(uploads.BODY_MAX // 65536 + 2):
                yield b"\0" * 65536
        streamed = client.post(f"/report/{token}", content=stream(),
                               headers={"Content-Type": "multipart/form-data; boundary=x"})
        assert streamed.status_code == 413 and "照片太大" in streamed.text
        assert client.get("/report/status/forged.link").status_code == 404
        stranger.close()
    assert {"error.report_expired", "error.photo_not_image", "error.photo_too_large"} <= set(
        _refusals(app.db_url, token))


def test_a_revoked_code_is_refused(app):
    area_id = _areas(app.db_url)[2][0]
    token = _code(app.db_url, area_id)
    with Session(get_engine(app.db_url)) as session:
        code = session.get(codes.PostedCode, _code_id(token))
        code.revoked_at = utcnow()
        session.add(code)
        session.commit()
    with _client(app, _address()) as client:
        page = client.get(f"/report/{token}")
        assert page.status_code == 410 and "已停用" in page.text
        fresh = _code(app.db_url, area_id)
        assert fresh != token and client.get(f"/report/{fresh}").status_code == 200
        assert client.post(f"/report/{token}", data={"category": "dirty"}).status_code == 410
    assert "error.code_revoked" in _refusals(app.db_url, token)


def _new_area(db_url: str) -> int:
    """An area of the demo estate no other test reports on (its place counter starts at 0)."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        area = Area(estate_id=estate_id, name=f"限流测试 {uuid.uuid4().hex[:6]}", kind="lobby")
        session.add(area)
        session.commit()
        return area.id


def _within_one_window(seconds: float = 60) -> None:
    """Wait, if need be, so that the next `seconds` fall in one fixed window of the limits (counters restart)."""
    now = utcnow()
    left = (limits.window_start(now) + limits.WINDOW - now).total_seconds()
    if left < seconds:
        time.sleep(left + 1)


def test_limits_hold_across_workers_and_others_keep_reporting(app):
    flooded, quiet = _code(app.db_url, _new_area(app.db_url)), _code(app.db_url, _new_area(app.db_url))
    attempts = limits.DEVICE_LIMIT + 6
    _within_one_window()
    with _client(app, _address()) as flooder:
        form = _open(flooder, flooded)
        with ThreadPoolExecutor(6) as pool:  # at once, so both workers of the PostgreSQL app take some
            answers = list(pool.map(lambda _: _send(flooder, flooded, form, "other").status_code, range(attempts)))
        assert sorted(answers) == [303] * limits.DEVICE_LIMIT + [429] * (attempts - limits.DEVICE_LIMIT)
        limited = _send(flooder, flooded, form, "other")
        assert limited.status_code == 429 and "提交太频繁" in limited.text and int(limited.headers["retry-after"]) > 0
    with _client(app, _address()) as other:
        assert _send(other, quiet, _open(other, quiet), "other").status_code == 303
    assert _refusals(app.db_url, flooded).count("limit") == 1  # the first refusal of the window is recorded


# Raw-socket authorisation: every handler of the report widgets by people who may not use it, hostile arguments.

MANAGER, CLEANER, SECOND_CLEANER = DEMO_ACCOUNTS[0], DEMO_ACCOUNTS[3], DEMO_ACCOUNTS[6]
DROP = "'; DROP TABLE \"user\"; --"
HUGE = "报" * 3000


def _report_targets(db_url: str) -> dict[str, int]:
    """A dirty report with the demo cleaner, a repair report, another estate's report and area."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        cleaner = session.exec(select(User.id).where(User.phone == CLEANER[0])).one()
        area_id = session.exec(select(CleaningAssignment.area_id).where(
            CleaningAssignment.cleaner_id == cleaner, col(CleaningAssignment.ends_at).is_(None))).first()
        token = codes.token_for(codes.current_code(session, PlaceKind.AREA, area_id, estate_id))
        mine = reports.submit(session, token, "dirty", "授权测试", device="raw")
        repair = reports.submit(session, token, "damaged", "授权测试", device="raw")
        elsewhere = Estate(name="别的小区", code=f"rep{uuid.uuid4().hex[:8]}")
        session.add(elsewhere)
        session.flush()
        far_area = Area(estate_id=elsewhere.id, name="别处大堂", kind="lobby")
        session.add(far_area)
        session.flush()
        far = reports.submit(session, codes.token_for(codes.current_code(
            session, PlaceKind.AREA, far_area.id, elsewhere.id)), "other", device="raw")
        session.commit()
        return {"mine": mine.id, "repair": repair.id, "far": far.id, "far_area": far_area.id, "area": area_id}


def _report_snapshot(db_url: str) -> tuple:
    with Session(get_engine(db_url)) as session:
        return (sorted((r.id, r.handled_at is not None) for r in session.exec(select(PublicReport))),
                sorted((c.id, c.revoked_at is not None) for c in session.exec(select(codes.PostedCode))))


def _hostile_calls(t: dict[str, int]) -> list:
    calls = [(AssetCodesState, "load", "/manager/facilities", {})]
    for report_id in (t["mine"], t["repair"], t["far"], -1, 0, 10**30, DROP, HUGE, {"id": t["mine"]}, [1], None):
        calls.append((CleanerReportsState, "handle", "/cleaner", {"report_id": report_id}))
        calls.append((ReportsBoardState, "handle", "/manager/cleaning", {"report_id": report_id}))
    for area_id in (str(t["far_area"]), DROP, HUGE, "9" * 5000, {"id": 1}, [t["area"]], None, str(t["area"])):
        calls.append((ReportsBoardState, "choose_area", "/manager/cleaning", {"area_id": area_id}))
        calls.append((ReportsBoardState, "revoke", "/manager/cleaning", {}))
    return calls


def test_report_handlers_refuse_everyone_else_and_hostile_arguments(app):
    t = _report_targets(app.db_url)
    before, since = _report_snapshot(app.db_url), log_size(app)
    for who in ("anonymous", "forged", "guard", "technician", "resident", "other cleaner"):
        token = {"anonymous": "", "forged": "A" * 43, "resident": None, "other cleaner": None}.get(who)
        if who == "resident":
            token = login_token(app.db_url, *DEMO_RESIDENT[:2])
        elif who == "other cleaner":
            token = login_token(app.db_url, *SECOND_CLEANER[:2])
        elif token is None:
            token = login_token(app.db_url, *staff_account(app.db_url, Role(who)))
        calls = [c for c in _hostile_calls(t) if c[1] != "choose_area"]
        run(call_all(app.url, token, calls))
        assert _report_snapshot(app.db_url) == before, who
    manager = login_token(app.db_url, *MANAGER[:2])  # allowed, but every argument here is someone else's or junk
    run(call_all(app.url, manager, [c for c in _hostile_calls(t)
                                    if c[3].get("report_id") not in (t["mine"],) and c[3].get("area_id") != str(
                                        t["area"])]))
    assert _report_snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, since)

"""Every cleaning handler called directly over a raw socket — the outbox's sync with queued ticks, scans of area
codes and inspections, the manager's handlers — and the outbox's photo upload over HTTP, by people who may not use
them and with hostile arguments: nothing changes in the database or the media folder, the app logs no traceback,
and each call that would act is answered with a refusal."""

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Area,
    AreaKind,
    ChecklistItem,
    CleaningAssignment,
    CleaningInspection,
    CleaningResult,
    CleaningTask,
    CleaningTick,
    Estate,
    Role,
    User,
)
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.states.cleaning import (
    CleanerState,
    CleaningBoardState,
    CleaningScanState,
    InspectState,
)
from estate_pwa.states.outbox import OutboxState
from tests.e2e.conftest import staff_account
from tests.rawclient import actions_by_people, call_all, log_since, run, token_as

MANAGER = DEMO_ACCOUNTS[0]
CLEANER = DEMO_ACCOUNTS[3]
SECOND_CLEANER = DEMO_ACCOUNTS[6]
HUGE = "扫" * 50_000
"""50,000 characters (300 kB as socket.io sends them, under the transport's 1 MB cap, which closes the socket)."""
LONG_DIGITS = "9" * 5000
"""More digits than Python turns into an int by default (a ValueError where nobody expects one)."""
DROP = "'; DROP TABLE \"user\"; --"
CLEANER_PAGE, BOARD_PAGE, SCAN_PAGE, INSPECT_PAGE = "/cleaner", "/manager/cleaning", "/cleaner/scan", \
    "/manager/cleaning/inspect"
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "记录不存在", "这不是你负责的区域", "该任务还没开始",
            "此项需要拍照", "只能指定在职的保洁员", "请逐项评定", "'/login'", "二维码无效", "只能授予本小区在职员工",
            "请填写清单项", "请选择区域类型", "请选择频次", "时间无效", "最多", "返工时限")
"""Texts of which at least one must come back from a refused call (a message or the way back to login)."""
LOCAL_ONLY = ("CleaningScanState.camera_failed", "CleanerState.load", "CleaningBoardState.load",
              "CleaningScanState.open_scanner", "InspectState.load")
"""Handlers that only change what the screen shows (the camera failed); loads answer with a redirect, checked
separately. An inspection is a form the phone queues; only the outbox's sync receives it."""



ACCOUNTS = {"cleaner": lambda _: CLEANER[:2], "other cleaner": lambda _: SECOND_CLEANER[:2],
            "new cleaner": lambda db_url: staff_account(db_url, Role.CLEANER)}
"""This test's own callers (tests/rawclient.token_as has the common ones; "cleaner" is the demo's here)."""


def _snapshot(app) -> dict[str, object]:
    """Everything these handlers could change (the clock may add the next day's routine tasks: not counted)."""
    photos = app.media_dir / "cleaning"
    with Session(get_engine(app.db_url)) as session:
        count = lambda model, *where: session.exec(select(func.count()).select_from(model).where(*where)).one()
        return {
            "ticks": count(CleaningTick),
            "done": count(CleaningTask, col(CleaningTask.done_at).is_not(None)),
            "rework": count(CleaningTask, CleaningTask.kind == "rework"),
            "assignments": sorted((a.id, a.area_id, a.cleaner_id, a.ends_at is None)
                                  for a in session.exec(select(CleaningAssignment))),
            "inspections": count(CleaningInspection),
            "results": count(CleaningResult),
            "items": sorted((i.id, i.active) for i in session.exec(select(ChecklistItem))),
            "audit": actions_by_people(session),
            "photos": len(list(photos.glob("*"))) if photos.exists() else 0,
        }


def _targets(db_url: str) -> dict[str, int]:
    """Records to aim at: the demo cleaner's task (begun, not done; and one with a photo, one not yet begun), the
    second cleaner's task, another estate's task and area, a demo area, the second cleaner and a guard. The test
    items are inactive, so the clock makes no tasks from them."""
    now = utcnow()
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        users = {u.phone: u.id for u in session.exec(select(User).where(col(User.phone).in_(
            [MANAGER[0], CLEANER[0], SECOND_CLEANER[0], DEMO_ACCOUNTS[1][0]])))}
        areas = {}
        for phone in (CLEANER[0], SECOND_CLEANER[0]):
            areas[phone] = session.exec(select(CleaningAssignment.area_id).where(
                CleaningAssignment.cleaner_id == users[phone], col(CleaningAssignment.ends_at).is_(None))
                .order_by(col(CleaningAssignment.id))).first()
        elsewhere = Estate(name="别的小区", code=f"auth{uuid.uuid4().hex[:8]}")
        session.add(elsewhere)
        session.flush()
        far_area = Area(estate_id=elsewhere.id, name="别处大堂", kind=AreaKind.LOBBY)
        session.add(far_area)
        items = {}
        for key, estate, photo in (("plain", estate_id, False), ("photo", estate_id, True),
                                   ("far", elsewhere.id, False)):
            items[key] = ChecklistItem(estate_id=estate, area_kind=AreaKind.LOBBY, text=f"授权测试项 {key}",
                                       frequency="daily", photo_required=photo, active=False)
            session.add(items[key])
        session.flush()

        def task(estate: int, area_id: int, item: ChecklistItem, begins: timedelta) -> int:
            made = CleaningTask(estate_id=estate, area_id=area_id, item_id=item.id, day=now.date(),
                                slot=f"test:{uuid.uuid4().hex[:16]}", starts_at=now + begins,
                                due_at=now + begins + timedelta(hours=2))
            session.add(made)
            session.flush()
            return made.id

        targets = {
            "task": task(estate_id, areas[CLEANER[0]], items["plain"], -timedelta(hours=1)),
            "photo_task": task(estate_id, areas[CLEANER[0]], items["photo"], -timedelta(hours=1)),
            "future_task": task(estate_id, areas[CLEANER[0]], items["plain"], timedelta(days=1)),
            "other_task": task(estate_id, areas[SECOND_CLEANER[0]], items["plain"], -timedelta(hours=1)),
            "far_task": task(elsewhere.id, far_area.id, items["far"], -timedelta(hours=1)),
            "area": areas[CLEANER[0]], "far_area": far_area.id, "second_cleaner": users[SECOND_CLEANER[0]],
            "cleaner": users[CLEANER[0]], "guard": users[DEMO_ACCOUNTS[1][0]], "far_item": items["far"].id,
            "plain_item": items["plain"].id,
            "far_user": session.exec(select(User.id).where(User.estate_id != estate_id)).first() or 10**6,
            "active_item": session.exec(select(ChecklistItem.id).where(
                ChecklistItem.estate_id == estate_id, col(ChecklistItem.active).is_(True),
                ChecklistItem.area_kind == session.get(Area, areas[CLEANER[0]]).kind)).first(),
            "resident": session.exec(select(User.id).where(User.phone == DEMO_RESIDENT[0])).one(),
        }
        session.commit()
        return targets


def _action(kind: str, **payload) -> dict:
    return {"uid": uuid.uuid4().hex, "kind": kind, "payload": payload, "phone_time": utcnow().isoformat()}


def _cleaner_calls(t: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """(state, handler, page, arguments): each cleaner handler — the outbox's sync with queued ticks and scans of
    area codes — with plausible and hostile arguments (each action in its own call, so each is answered)."""
    calls = [(CleanerState, "load", CLEANER_PAGE, {}), (CleaningScanState, "open_scanner", SCAN_PAGE, {}),
             (CleaningScanState, "camera_failed", SCAN_PAGE, {})]
    for task_id in (t["task"], t["other_task"], t["far_task"], t["future_task"], t["photo_task"], -1, 0, 10**30,
                    -(10**30), DROP, HUGE[:3000], LONG_DIGITS[:3000], {"id": t["task"]}, [t["task"]], None, 1e308,
                    True):
        calls.append((OutboxState, "sync", CLEANER_PAGE, {"items": [_action("cleaning_tick", task_id=task_id)]}))
    for photos in (["../../etc/passwd"], [DROP], ["cleaning/" + "0" * 32 + ".jpg"] * 9, "x", {"a": 1}):
        calls.append((OutboxState, "sync", CLEANER_PAGE, {"items": [
            _action("cleaning_tick", task_id=t["photo_task"], photos=photos)]}))
    calls.append((OutboxState, "sync", CLEANER_PAGE, {"items": [
        _action("cleaning_tick", task_id=t["task"]) | {"phone_time": DROP}]}))
    for code in ("forged", DROP, HUGE[:3000], None, 7, {"$ne": 1}):
        calls.append((OutboxState, "sync", SCAN_PAGE, {"items": [_action("cleaning_visit", code=code)]}))
    return calls


def _board_calls(t: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """Each manager handler of the cleaning page, with plausible and hostile arguments."""
    calls = [(CleaningBoardState, "load", BOARD_PAGE, {})]
    for area_id, cleaner_id in ((t["area"], str(t["second_cleaner"])), (t["far_area"], str(t["cleaner"])),
                                (t["area"], str(t["guard"])), (t["area"], DROP), (t["area"], HUGE),
                                (t["area"], LONG_DIGITS), (DROP, str(t["cleaner"])), (HUGE, "1"), (-1, "-1"),
                                (10**30, str(10**30)), ({"id": t["area"]}, [t["cleaner"]]), (None, None)):
        calls.append((CleaningBoardState, "assign", BOARD_PAGE, {"area_id": area_id, "cleaner_id": cleaner_id}))
    for form in ({"kind": "lobby", "text": HUGE, "frequency": "daily"}, {"kind": DROP, "text": "x", "frequency": "daily"},
                 {"kind": "lobby", "text": "x", "frequency": DROP}, {"kind": ["lobby"], "text": {"a": 1}},
                 "not a form", {"kind": "lobby", "text": "擦窗", "frequency": "daily", "rework_hours": LONG_DIGITS}):
        calls.append((CleaningBoardState, "add_item", BOARD_PAGE, {"form": form}))
    for item_id, active in ((t["far_item"], True), (DROP, True), (t["plain_item"], DROP), (10**30, False),
                            ({"id": 1}, True), (t["plain_item"], True)):
        calls.append((CleaningBoardState, "set_item_active", BOARD_PAGE, {"item_id": item_id, "active": active}))
    for user_id, on in ((t["guard"], True), (t["far_user"], True), (t["resident"], True), (DROP, True),
                        (t["guard"], DROP), (10**30, True), ([1], True)):
        calls.append((CleaningBoardState, "set_inspector", BOARD_PAGE, {"user_id": user_id, "on": on}))
    calls.extend(_inspection_calls(t, BOARD_PAGE))
    return calls


def _form(area_id: object, item_id: object, result: object = "fail", **more) -> dict:
    """An inspection form as the phone queues it: its fields by name (assets/outbox.js)."""
    return _action("cleaning_inspection", area_id=area_id, **{f"result.{item_id}": result}, **more)


def _inspection_calls(t: dict[str, int], page: str) -> list[tuple[type, str, str, dict]]:
    """Inspection forms sent through the outbox's sync: plausible (the demo area) and hostile."""
    plain, far = t["plain_item"], t["far_item"]
    forms = [_form(t["area"], plain), _form(t["far_area"], plain), _form(t["area"], far, "damage"),
             _form(DROP, plain), _form(t["area"], DROP), _action("cleaning_inspection", area_id=t["area"]),
             _form(t["area"], plain, DROP), _form({"id": 1}, plain), _form(t["area"], LONG_DIGITS[:40]),
             _form(t["area"], plain, **{f"note.{plain}": HUGE[:3000]}), _form(t["area"], plain, ["fail"]),
             _form(t["area"], plain, photos=["../../etc/passwd"]), _form(t["area"], plain, photos={"a": 1})]
    return [(OutboxState, "sync", page, {"items": [form]}) for form in forms]


def _inspect_page_calls(t: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    return [(InspectState, "load", INSPECT_PAGE, {}), *_inspection_calls(t, INSPECT_PAGE)]



def _upload(app_url: str, ticket: str = "", body: bytes | None = None, folder: str = "cleaning") -> int:
    """Upload a photo to the outbox's photo route (HTTP, never the socket), as the phone does before a tick."""
    response = httpx.post(f"{app_url}/outbox/photo?folder={folder}", content=_jpeg() if body is None else body,
                          headers={"X-Outbox-Ticket": ticket, "Content-Type": "image/jpeg"}, timeout=30)
    return response.status_code


def _hostile_uploads(app_url: str) -> list[int]:
    return [_upload(app_url, ""), _upload(app_url, "A" * 60), _upload(app_url, "x.y", b"\xff" * (2 * 1024 * 1024)),
            _upload(app_url, "x.y", b"<svg/>")]


def _jpeg() -> bytes:
    import io

    from PIL import Image
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(data, format="JPEG")
    return data.getvalue()



def _quiet(answers: list[tuple[str, str]]) -> list[str]:
    """The calls that came back without a refusal (a message or the way back to login)."""
    return [name for name, answer in answers
            if not name.startswith(LOCAL_ONLY) and not any(text in answer for text in REFUSALS)]


def _check(app, token: str, calls: list, expect_home: str, upload: bool) -> None:
    before, log_from = _snapshot(app), app.log.stat().st_size
    answers = run(call_all(app.url, token, calls))
    statuses = _hostile_uploads(app.url) if upload else []
    after = _snapshot(app)
    assert after == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    assert all(400 <= status < 500 for status in statuses), statuses
    quiet = _quiet(answers)
    assert not quiet, f"no refusal for: {quiet}"
    loads = [answer for name, answer in answers if name.split("(")[0].endswith(".load")]
    assert loads and all(expect_home in answer for answer in loads), "the screen sends them away"


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "technician", "resident", "manager"])
def test_cleaner_handlers_refuse_everyone_else(app, who):
    targets = _targets(app.db_url)
    home = {"anonymous": "'/login'", "forged token": "'/login'", "manager": "'/manager'"}.get(who, f"'/{who}'")
    _check(app, token_as(app.db_url, who, ACCOUNTS), _cleaner_calls(targets), home, upload=True)


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "technician", "resident", "cleaner"])
def test_manager_cleaning_handlers_refuse_everyone_else(app, who):
    targets = _targets(app.db_url)
    home = {"anonymous": "'/login'", "forged token": "'/login'"}.get(who, f"'/{who}'")
    calls = _board_calls(targets) + _inspect_page_calls(targets)
    _check(app, token_as(app.db_url, who, ACCOUNTS), calls, home, upload=False)


@pytest.mark.parametrize("who", ["other cleaner", "new cleaner"])
def test_a_cleaner_cannot_tick_another_cleaners_task(app, who):
    """Cleaners, but not responsible for the demo cleaner's areas: every tick refused, nothing stored (the second
    cleaner's own task is left out for them)."""
    targets = _targets(app.db_url)
    own = {"task_id": targets["other_task"]} if who == "other cleaner" else {}
    calls = [call for call in _cleaner_calls(targets) if call[1] not in ("load", "open_scanner") and not (
        own and call[3].get("items", [{}])[0].get("payload", {}).get("task_id") == own["task_id"])]
    token = token_as(app.db_url, who, ACCOUNTS)
    before = _snapshot(app)
    answers = run(call_all(app.url, token, calls))
    after = _snapshot(app)
    before.pop("photos"), after.pop("photos")
    assert after == before
    assert not _quiet(answers), answers


def test_hostile_arguments_from_the_right_people_change_nothing(app):
    """The demo cleaner and the manager on their own screens, with nothing but hostile arguments."""
    targets = _targets(app.db_url)
    def plausible(call) -> bool:
        payload = call[3].get("items", [{}])[0].get("payload", {}) if isinstance(call[3].get("items"), list) else {}
        return (payload.get("task_id") in (targets["task"], targets["photo_task"]) and "photos" not in payload
                and call[3]["items"][0]["phone_time"] != DROP) or (
            payload == {"area_id": targets["area"], f"result.{targets['plain_item']}": "fail"}) \
            or call[1] in ("set_item_active", "set_inspector") \
            and call[3] in ({"item_id": targets["plain_item"], "active": True}, {"user_id": targets["guard"], "on": True})
    cleaner_calls = [c for c in _cleaner_calls(targets) if c[1] not in ("load", "open_scanner") and not plausible(c)]
    board_calls = [call for call in _board_calls(targets) if call[1] != "load" and not plausible(call) and call[3] not in (
        {"area_id": targets["area"], "cleaner_id": str(targets["second_cleaner"])}, {"area_id": targets["area"]},
        {"item_id": str(targets["plain_item"]), "result": "fail"})]
    for who, calls in (("cleaner", cleaner_calls), ("manager", board_calls)):
        token = token_as(app.db_url, who, ACCOUNTS)
        before, log_from = _snapshot(app), app.log.stat().st_size
        answers = run(call_all(app.url, token, calls))
        after = _snapshot(app)
        before.pop("photos"), after.pop("photos")
        assert after == before, who
        assert "Traceback" not in log_since(app, log_from), who
        assert not _quiet(answers), (who, _quiet(answers))


def test_the_same_calls_work_for_their_own_people(app):
    """Control: the detector is real, since the right person with plausible arguments does change the data."""
    targets = _targets(app.db_url)
    before = _snapshot(app)
    answers = run(call_all(app.url, token_as(app.db_url, "cleaner", ACCOUNTS), [
        (CleanerState, "load", CLEANER_PAGE, {}),
        (OutboxState, "sync", CLEANER_PAGE, {"items": [_action("cleaning_tick", task_id=targets["task"])]}),
    ]))
    middle = _snapshot(app)
    assert (middle["ticks"], middle["done"]) == (before["ticks"] + 1, before["done"] + 1)
    ticket = _ticket_of(answers[-1][1])
    assert _upload(app.url, ticket) == 200
    assert _snapshot(app)["photos"] == middle["photos"] + 2  # the photo and its thumbnail
    assert _upload(app.url, ticket, folder="../jobs") == 400
    assert _upload(app.url, ticket, b"\xff" * (2 * 1024 * 1024)) == 413
    run(call_all(app.url, token_as(app.db_url, "manager"), [
        (CleaningBoardState, "load", BOARD_PAGE, {}),
        (OutboxState, "sync", BOARD_PAGE, {"items": [_form(targets["area"], targets["active_item"])]}),
        (CleaningBoardState, "assign", BOARD_PAGE, {"area_id": targets["area"],
                                                    "cleaner_id": str(targets["cleaner"])}),  # already: no change
    ]))
    after = _snapshot(app)
    assert after["inspections"] == middle["inspections"] + 1 and after["results"] > middle["results"]
    assert after["assignments"] == middle["assignments"]


def _ticket_of(answer: str) -> str:
    """The photo ticket in the sync's answer (window.estateOutbox.ack([...], "<ticket>"))."""
    import re
    found = re.search(r'estateOutbox\.ack\(\[[^\]]*\], \\?"([A-Za-z0-9_.-]+)\\?"\)', answer)
    assert found, answer[-500:]
    return found.group(1)

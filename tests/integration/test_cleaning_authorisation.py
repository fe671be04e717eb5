"""Every cleaning handler called directly over a raw socket (and the photo upload over Reflex's own /_upload), by
people who may not use it and with hostile arguments: nothing changes in the database or the media folder, the app
logs no traceback, and each call that would act is answered with a refusal."""

import json
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
    AuditEntry,
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
from estate_pwa.states.cleaning import CleanerState, CleaningBoardState
from tests.app_server import ROOT
from tests.e2e.conftest import staff_account
from tests.rawclient import RawClient, call_all, log_since, login_token, run

MANAGER = DEMO_ACCOUNTS[0]
CLEANER = DEMO_ACCOUNTS[3]
SECOND_CLEANER = DEMO_ACCOUNTS[6]
HUGE = "扫" * 50_000
"""50,000 characters (300 kB as socket.io sends them, under the transport's 1 MB cap, which closes the socket)."""
LONG_DIGITS = "9" * 5000
"""More digits than Python turns into an int by default (a ValueError where nobody expects one)."""
DROP = "'; DROP TABLE \"user\"; --"
CLEANER_PAGE, BOARD_PAGE = "/cleaner", "/manager/cleaning"
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "记录不存在", "这不是你负责的区域", "该任务还没开始",
            "此项需要拍照", "只能指定在职的保洁员", "请逐项评定", "'/login'")
"""Texts of which at least one must come back from a refused call (a message or the way back to login)."""
LOCAL_ONLY = ("CleanerState.start_photo", "CleanerState.cancel_photo", "CleaningBoardState.close_inspection",
              "CleaningBoardState.mark", "CleaningBoardState.write_note", "CleanerState.load",
              "CleaningBoardState.load")
"""Handlers that only change what the screen shows (the photo step opened, a verdict chosen before it is
submitted: submitting is checked); loads answer with a redirect, checked separately."""
MEDIA = ROOT / "var" / "media" / "cleaning"



def _token(db_url: str, who: str) -> str:
    if who == "anonymous":
        return ""
    if who == "forged token":
        return "A" * 43
    if who == "manager":
        return login_token(db_url, *MANAGER[:2])
    if who == "cleaner":
        return login_token(db_url, *CLEANER[:2])
    if who == "other cleaner":
        return login_token(db_url, *SECOND_CLEANER[:2])
    if who == "resident":
        return login_token(db_url, *DEMO_RESIDENT[:2])
    roles = {"guard": (Role.GUARD,), "technician": (Role.TECHNICIAN,), "new cleaner": (Role.CLEANER,)}[who]
    return login_token(db_url, *staff_account(db_url, *roles))


def _snapshot(db_url: str) -> dict[str, object]:
    """Everything these handlers could change (the clock may add the next day's routine tasks: not counted)."""
    with Session(get_engine(db_url)) as session:
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
            "audit": count(AuditEntry, col(AuditEntry.action).not_like("%_refused")),
            "photos": len(list(MEDIA.glob("*"))) if MEDIA.exists() else 0,
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
        }
        session.commit()
        return targets


def _cleaner_calls(t: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """(state, handler, page, arguments): each cleaner handler, with plausible and hostile arguments."""
    calls = [(CleanerState, "load", CLEANER_PAGE, {})]
    for task_id in (t["task"], t["other_task"], t["far_task"], t["future_task"], t["photo_task"], -1, 0, 10**30,
                    -(10**30), DROP, HUGE, LONG_DIGITS, {"id": t["task"]}, [t["task"]], None, 1e308, True):
        calls.append((CleanerState, "tick", CLEANER_PAGE, {"task_id": task_id}))
    for task_id in (t["photo_task"], t["far_task"], DROP, HUGE, {"id": 1}):
        calls.append((CleanerState, "start_photo", CLEANER_PAGE, {"task_id": task_id}))
        calls.append((CleanerState, "tick_with_photos", CLEANER_PAGE, {}))
    calls.append((CleanerState, "cancel_photo", CLEANER_PAGE, {}))
    return calls


def _board_calls(t: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """Each manager handler of the cleaning page, with plausible and hostile arguments."""
    calls = [(CleaningBoardState, "load", BOARD_PAGE, {})]
    for area_id, cleaner_id in ((t["area"], str(t["second_cleaner"])), (t["far_area"], str(t["cleaner"])),
                                (t["area"], str(t["guard"])), (t["area"], DROP), (t["area"], HUGE),
                                (t["area"], LONG_DIGITS), (DROP, str(t["cleaner"])), (HUGE, "1"), (-1, "-1"),
                                (10**30, str(10**30)), ({"id": t["area"]}, [t["cleaner"]]), (None, None)):
        calls.append((CleaningBoardState, "assign", BOARD_PAGE, {"area_id": area_id, "cleaner_id": cleaner_id}))
    for area_id in (t["far_area"], DROP, HUGE, LONG_DIGITS, -1, 10**30, {"id": 1}, [t["area"]]):
        calls.append((CleaningBoardState, "open_inspection", BOARD_PAGE, {"area_id": area_id}))
    calls.append((CleaningBoardState, "open_inspection", BOARD_PAGE, {"area_id": t["area"]}))
    for item_id, result in ((str(t["far_item"]), "fail"), (str(t["plain_item"]), "fail"), (LONG_DIGITS, "fail"),
                            (DROP, DROP), (HUGE, HUGE), ({"id": 1}, ["fail"])):
        calls.append((CleaningBoardState, "mark", BOARD_PAGE, {"item_id": item_id, "result": result}))
        calls.append((CleaningBoardState, "write_note", BOARD_PAGE, {"item_id": item_id, "note": HUGE}))
    calls.append((CleaningBoardState, "submit_inspection", BOARD_PAGE, {}))
    calls.append((CleaningBoardState, "close_inspection", BOARD_PAGE, {}))
    return calls



def _upload(app_url: str, token: str) -> list[int]:
    """Upload a photo for the open photo item through Reflex's /_upload, as the cleaner's phone does."""
    async def go() -> list[int]:
        client = RawClient(app_url)
        try:
            await client.connect(token, page=CLEANER_PAGE)
            async with httpx.AsyncClient(timeout=30) as http:
                response = await http.post(
                    f"{app_url}/_upload",
                    headers={"reflex-client-token": client.client_token,
                             "reflex-event-handler": f"{CleanerState.get_full_name()}.add_photos"},
                    data={"__reflex_event_args": json.dumps({})},
                    files=[("files", ("photo.jpg", _jpeg(), "image/jpeg"))])
            await client._settle(CLEANER_PAGE)
            return [response.status_code]
        finally:
            await client.close()
    return run(go())


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
    before, log_from = _snapshot(app.db_url), app.log.stat().st_size
    answers = run(call_all(app.url, token, calls))
    statuses = _upload(app.url, token) if upload else []
    after = _snapshot(app.db_url)
    assert after == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    assert all(status < 500 for status in statuses), statuses
    quiet = _quiet(answers)
    assert not quiet, f"no refusal for: {quiet}"
    loads = [answer for name, answer in answers if name.split("(")[0].endswith(".load")]
    assert loads and all(expect_home in answer for answer in loads), "the screen sends them away"


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "technician", "resident", "manager"])
def test_cleaner_handlers_refuse_everyone_else(app, who):
    targets = _targets(app.db_url)
    home = {"anonymous": "'/login'", "forged token": "'/login'", "manager": "'/manager'"}.get(who, f"'/{who}'")
    _check(app, _token(app.db_url, who), _cleaner_calls(targets), home, upload=True)


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "technician", "resident", "cleaner"])
def test_manager_cleaning_handlers_refuse_everyone_else(app, who):
    targets = _targets(app.db_url)
    home = {"anonymous": "'/login'", "forged token": "'/login'"}.get(who, f"'/{who}'")
    _check(app, _token(app.db_url, who), _board_calls(targets), home, upload=False)


@pytest.mark.parametrize("who", ["other cleaner", "new cleaner"])
def test_a_cleaner_cannot_tick_another_cleaners_task(app, who):
    """Cleaners, but not responsible for the demo cleaner's areas: every tick refused, nothing stored (the second
    cleaner's own task is left out for them)."""
    targets = _targets(app.db_url)
    own = {"task_id": targets["other_task"]} if who == "other cleaner" else {}
    calls = [call for call in _cleaner_calls(targets) if call[1] != "load" and call[3] != own]
    token = _token(app.db_url, who)
    before = _snapshot(app.db_url)
    answers = run(call_all(app.url, token, calls))
    after = _snapshot(app.db_url)
    before.pop("photos"), after.pop("photos")
    assert after == before
    assert not _quiet(answers), answers


def test_hostile_arguments_from_the_right_people_change_nothing(app):
    """The demo cleaner and the manager on their own screens, with nothing but hostile arguments."""
    targets = _targets(app.db_url)
    plausible = ({"task_id": targets["task"]}, {"task_id": targets["photo_task"]})
    cleaner_calls = [call for call in _cleaner_calls(targets) if call[1] != "load" and call[3] not in plausible]
    board_calls = [call for call in _board_calls(targets) if call[1] != "load" and call[3] not in (
        {"area_id": targets["area"], "cleaner_id": str(targets["second_cleaner"])}, {"area_id": targets["area"]},
        {"item_id": str(targets["plain_item"]), "result": "fail"})]
    for who, calls in (("cleaner", cleaner_calls), ("manager", board_calls)):
        token = _token(app.db_url, who)
        before, log_from = _snapshot(app.db_url), app.log.stat().st_size
        answers = run(call_all(app.url, token, calls))
        after = _snapshot(app.db_url)
        before.pop("photos"), after.pop("photos")
        assert after == before, who
        assert "Traceback" not in log_since(app, log_from), who
        assert not _quiet(answers), (who, _quiet(answers))


def test_the_same_calls_work_for_their_own_people(app):
    """Control: the detector is real, since the right person with plausible arguments does change the data."""
    targets = _targets(app.db_url)
    before = _snapshot(app.db_url)
    run(call_all(app.url, _token(app.db_url, "cleaner"), [
        (CleanerState, "load", CLEANER_PAGE, {}), (CleanerState, "tick", CLEANER_PAGE, {"task_id": targets["task"]}),
    ]))
    middle = _snapshot(app.db_url)
    assert (middle["ticks"], middle["done"]) == (before["ticks"] + 1, before["done"] + 1)
    run(call_all(app.url, _token(app.db_url, "manager"), [
        (CleaningBoardState, "load", BOARD_PAGE, {}),
        (CleaningBoardState, "open_inspection", BOARD_PAGE, {"area_id": targets["area"]}),
        (CleaningBoardState, "submit_inspection", BOARD_PAGE, {}),
        (CleaningBoardState, "assign", BOARD_PAGE, {"area_id": targets["area"],
                                                    "cleaner_id": str(targets["cleaner"])}),  # already: no change
    ]))
    after = _snapshot(app.db_url)
    assert after["inspections"] == middle["inspections"] + 1 and after["results"] > middle["results"]
    assert after["assignments"] == middle["assignments"]
    assert _upload(app.url, _token(app.db_url, "cleaner")) == [200]
    assert _snapshot(app.db_url)["photos"] == after["photos"] + 2  # the photo and its thumbnail

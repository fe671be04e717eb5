"""The inspection handlers called directly over a raw socket — the page's, the asset scanner's, and the outbox's
sync with queued inspection forms and scans of asset codes: by people who may not use them, with another estate's
ids and codes, a revoked code and hostile payloads. Nothing changes in the database, the app logs no traceback,
each call is answered with a refusal. The manager's own calls record a defect once (the same form sent twice)
and add a plan, and a scan opens the asset's task (so the detector is real)."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    AssetDefect,
    Estate,
    InspectionPlan,
    InspectionResult,
    InspectionTask,
    PlaceKind,
    Role,
    ServiceRequest,
    User,
)
from estate_pwa.services import inspections
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE
from estate_pwa.services.facilities import register
from estate_pwa.services.permissions import actor_for
from estate_pwa.services.reports import codes
from estate_pwa.states.inspections import InspectionScanState, InspectionsState
from estate_pwa.states.outbox import OutboxState
from tests.factories import Factory
from tests.rawclient import actions_by_people, call_all, log_since, log_size, run, token_as

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
HUGE = "检" * 50_000
DROP = "'; DROP TABLE \"inspectiontask\"; --"
PAGE, SCAN_PAGE = "/inspections", "/inspections/scan"
STATE = InspectionsState
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "'/login'", "记录不存在", "这项巡检不是分派给您的",
            "请逐项填写完好或有缺陷", "请填写计划名称", "请选择设施类别", "请填写检查项", "内容最多", "检查项最多",
            "请选择星期几", "这项巡检已完成", "二维码无效", "二维码已停用", "没有你的待巡检任务")
UNANSWERED_OK = ("InspectionsState.load", "InspectionScanState.open_scanner", "InspectionScanState.camera_failed")
"""Loads answer with a redirect (checked apart); the camera failing changes nothing anywhere."""


def _targets(db_url: str) -> dict[str, int]:
    """A technicians' extinguisher task of the demo estate, a task given to a named technician, and another
    estate's task and plan (made here once per call, each with its own asset)."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        boss = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        factory = Factory(session)
        other = factory.estate()
        other_boss = factory.actor(factory.user(other, Role.MANAGER, name="别处经理"))
        named = factory.actor(factory.user(estate, Role.TECHNICIAN, name="指定师傅"))
        made = {}
        for who, actor, key in ((boss, boss, "task"), (boss, boss, "named_task"), (other_boss, other_boss, "other_task")):
            code = f"RAW-{key}-{factory.session.exec(select(func.count()).select_from(InspectionPlan)).one()}"
            asset = register.add_asset(session, who, {"code": code, "category": "fire_equipment",
                                                      "subkind": "extinguisher", "name": f"测试灭火器 {code}",
                                                      "quantity": "1"}, now=datetime(2025, 1, 1, tzinfo=UTC))
            plan = inspections.save_plan(session, actor, {
                "name": f"测试 {code}", "asset_id": asset.id, "frequency": "daily", "items": ["压力正常", "铅封完好"],
                **({"assignee_id": named.id} if key == "named_task" else {})})
            inspections.keep_tasks_current(session, actor.estate_id)
            session.flush()
            made[key] = session.exec(select(InspectionTask.id).where(  # the demo's own plans cover it too
                InspectionTask.asset_id == asset.id, InspectionTask.plan_id == plan.id)).one()
            made[key.replace("task", "plan")] = plan.id
            made[key.replace("task", "code")] = codes.code_url("https://x", codes.current_code(
                session, PlaceKind.ASSET, asset.id, asset.estate_id))
            if key == "named_task":  # its printed code is revoked: scanning it is refused
                codes.revoke(session, boss, PlaceKind.ASSET, asset.id)
        session.commit()
        return made


def _snapshot(db_url: str) -> dict[str, object]:
    """Everything the inspection handlers could change."""
    with Session(get_engine(db_url)) as session:
        return {
            "plans": sorted((p.id, p.name, p.active, tuple(p.items)) for p in session.exec(select(InspectionPlan))),
            "tasks": sorted((t.id, t.done_at is None) for t in session.exec(select(InspectionTask))),
            "results": session.exec(select(func.count()).select_from(InspectionResult)).one(),
            "defects": session.exec(select(func.count()).select_from(AssetDefect)).one(),
            "requests": session.exec(select(func.count()).select_from(ServiceRequest)).one(),
            "audit": actions_by_people(session),
        }


GOOD_PLAN = {"name": "原始套接字计划", "category": "street_light", "frequency": "weekly", "items": "灯亮\n灯杆无倾斜",
             "role": "technician"}


def _calls(targets: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """(state, handler, page, arguments): every inspection handler, with plausible and hostile arguments."""
    calls = [(STATE, "load", PAGE, {}), (InspectionScanState, "open_scanner", SCAN_PAGE, {}),
             (InspectionScanState, "camera_failed", SCAN_PAGE, {})]
    for task in (targets["task"], targets["named_task"], targets["other_task"], -1, 0, 10**30, DROP, HUGE[:3000],
                 {"id": targets["task"]}, [targets["task"]], None, True):
        calls.append((OutboxState, "sync", PAGE, {"items": [_form(task, "intact", "defective")]}))
    for fields in ({"outcome.0": DROP, "outcome.1": "intact"}, {"outcome.0": "intact"},
                   {"outcome.0": "intact", "outcome.1": "intact", "outcome.7": "intact"},
                   {"outcome.0": "intact", "outcome.1": "defective", "note.1": HUGE[:3000]},
                   {"outcome.0": ["intact"], "outcome.1": "intact"},
                   {"outcome.0": "intact", "outcome.1": "intact", "photos": ["../../etc/passwd"]},
                   {"outcome.0": "intact", "outcome.1": "intact", "photos": "inspections/x.jpg"}):
        calls.append((OutboxState, "sync", PAGE, {"items": [_action("inspection", task_id=targets["task"],
                                                                     **fields)]}))
    for code in (targets["code"], targets["other_code"], targets["named_code"], "forged", DROP, HUGE[:3000], None,
                 7, {"$ne": 1}):
        calls.append((OutboxState, "sync", SCAN_PAGE, {"items": [_action("asset_scan", code=code)]}))
    for form in (GOOD_PLAN, {**GOOD_PLAN, "category": DROP}, {**GOOD_PLAN, "items": HUGE},
                 {**GOOD_PLAN, "frequency": "hourly"}, {**GOOD_PLAN, "name": HUGE}, {**GOOD_PLAN, "role": "resident"},
                 {**GOOD_PLAN, "frequency": "weekdays"}, {**GOOD_PLAN, "items": {"x": 1}}, HUGE, [], None):
        calls.append((STATE, "save_plan", PAGE, {"form": form}))
    for plan, active in ((targets["plan"], False), (targets["other_plan"], False), (DROP, True), (-1, False),
                         (10**30, True), ({"id": 1}, False), (targets["plan"], "false"), (targets["plan"], HUGE)):
        calls.append((STATE, "toggle_plan", PAGE, {"plan_id": plan, "active": active}))
    return calls


def _action(kind: str, **payload) -> dict:
    return {"uid": uuid.uuid4().hex, "kind": kind, "payload": payload, "phone_time": datetime.now(UTC).isoformat()}


def _form(task: object, *outcomes: str, uid: str | None = None) -> dict:
    """An inspection form as the phone queues it: its fields by name (assets/outbox.js)."""
    sent = _action("inspection", task_id=task, **{f"outcome.{i}": o for i, o in enumerate(outcomes)},
                   **{f"note.{i}": "铅封脱落" for i, o in enumerate(outcomes) if o == "defective"})
    return {**sent, "uid": uid or sent["uid"]}


def _own(targets: dict, call: tuple) -> bool:
    """A call about the technicians' own task (its form or its asset's code)."""
    items = call[3].get("items")
    payload = items[0]["payload"] if isinstance(items, list) else {}
    return payload.get("task_id") in (targets["task"], {"id": targets["task"]}, [targets["task"]]) and \
        payload.get("note.1") == "铅封脱落" or payload.get("code") == targets["code"]


def _quiet(answers: list[tuple[str, str]]) -> list[str]:
    """The calls that came back without a refusal (a message or the way back to login)."""
    return [name for name, answer in answers
            if not name.startswith(UNANSWERED_OK) and not any(text in answer for text in REFUSALS)]


def test_inspection_handlers_refuse_everyone_else(app):
    """Strangers and residents may do nothing; guards and cleaners (staff, who inspect what their role is given)
    may open none of these technicians' tasks and keep no plans; a technician may not keep plans, nor open a task
    given to someone else by name or another estate's."""
    targets = _targets(app.db_url)
    for who in ("anonymous", "forged token", "resident", "guard", "cleaner", "technician"):
        token = token_as(app.db_url, who)
        calls = _calls(targets)
        if who == "technician":  # their own role's task is theirs to record and scan: leave those calls out
            calls = [c for c in calls if not _own(targets, c)]
        before, log_from = _snapshot(app.db_url), log_size(app)
        answers = run(call_all(app.url, token, calls))
        assert _snapshot(app.db_url) == before, who
        logged = log_since(app, log_from)
        assert "Traceback" not in logged, logged[-3000:]
        assert not _quiet(answers), f"{who}: no refusal for {_quiet(answers)}"
        received = "".join(answer for _, answer in answers)
        assert "别处经理" not in received and "RAW-other_task" not in received, who
        loads = [answer for name, answer in answers if name.startswith("InspectionsState.load")]
        if who in ("anonymous", "forged token"):
            assert all("'/login'" in answer for answer in loads), who
        if who == "resident":
            assert all("'/resident'" in answer for answer in loads), who


def test_a_manager_with_hostile_arguments_changes_nothing(app):
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    calls = [c for c in _calls(targets) if c[3].get("form") is not GOOD_PLAN and not _own(targets, c)
             and not (c[3].get("items") and c[3]["items"][0]["payload"].get("task_id") == targets["named_task"])
             and not (c[1] == "toggle_plan" and c[3]["plan_id"] == targets["plan"] and c[3]["active"] is False)]
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, calls))
    assert _snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, log_from)
    quiet = _quiet(answers)
    assert not quiet, f"no refusal for {quiet}"
    assert "别处经理" not in "".join(answer for _, answer in answers)


def test_the_same_calls_work_for_a_manager(app):
    """Control: the manager scans the asset's code (its task opens), sends its form with an item defective (twice,
    as a phone that did not hear the answer: recorded once), a repair request is raised; a plan is added and
    paused."""
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    before = _snapshot(app.db_url)
    form = _form(targets["task"], "intact", "defective")
    answers = run(call_all(app.url, token, [
        (STATE, "load", PAGE, {}),
        (OutboxState, "sync", SCAN_PAGE, {"items": [_action("asset_scan", code=targets["code"])]}),
        (OutboxState, "sync", PAGE, {"items": [form]}),
        (OutboxState, "sync", PAGE, {"items": [form]}),
        (STATE, "save_plan", PAGE, {"form": GOOD_PLAN}),
        (STATE, "toggle_plan", PAGE, {"plan_id": targets["plan"], "active": False}),
    ]))
    after = _snapshot(app.db_url)
    received = "".join(answer for _, answer in answers)
    assert "已记录缺陷" in received and "巡检计划已保存" in received and "测试灭火器 RAW-task" in received
    assert after["results"] == before["results"] + 2
    assert after["defects"] == before["defects"] + 1 and after["requests"] == before["requests"] + 1
    assert len(after["plans"]) == len(before["plans"]) + 1
    with Session(get_engine(app.db_url)) as session:
        task = session.get(InspectionTask, targets["task"])
        assert task.done_at is not None and task.defective
        notes = session.exec(select(InspectionResult.note).where(InspectionResult.task_id == task.id,
                                                                 InspectionResult.outcome == "defective")).all()
        assert notes == ["铅封脱落"]
        assert session.get(InspectionPlan, targets["plan"]).active is False

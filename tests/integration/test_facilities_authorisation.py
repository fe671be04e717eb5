"""The asset register's handlers called directly over a raw socket: by people who may not use them, with another
estate's asset and with hostile arguments. Nothing changes in the database, the app logs no traceback, each call is
answered with a refusal, and no export link reaches anyone but a manager. The manager's and a guard's own calls do
mark an asset defective and intact again, add and correct an asset and retire it (so the detector is real). The
roster's on-call handlers (issue 12's 24-hour cover) are checked the same way at the end."""

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import Asset, AssetDefect, DutyAssignment, Estate, Role, Shift, User
from estate_pwa.services import roster
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE
from estate_pwa.services.demo.inspections import ON_CALL_SHIFT
from estate_pwa.services.facilities import register
from estate_pwa.services.permissions import actor_for
from estate_pwa.states.facilities import AssetState, FacilitiesState
from estate_pwa.states.manager import RosterState
from tests.factories import Factory
from tests.rawclient import actions_by_people, call_all, log_since, log_size, run, token_as

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
HUGE = "设" * 50_000
DROP = "'; DROP TABLE \"asset\"; --"
REGISTER = "/manager/facilities"
RECORD = "/facilities/asset"
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "'/login'", "记录不存在", "类别无效", "内容最多",
            "该设施已停用", "该设施没有未关闭的缺陷", "无法读取文件", "缺少编号", "编号只能用", "单元格不能以",
            "编号已存在", "数量无效", "子类与类别不符")
"""Texts of which at least one must come back from a refused call (a message or the redirect to login)."""
UNANSWERED_OK = ("FacilitiesState.load", "AssetState.load", "FacilitiesState.cancel_import",
                 "FacilitiesState.confirm_import", "FacilitiesState.check_file")
"""Loads answer with a redirect (checked apart); cancelling or confirming an import nobody checked, or a file
upload with no file in it, change nothing anywhere."""


def _targets(db_url: str) -> dict[str, object]:
    """A street light of the demo estate and another estate's asset (made here once per call)."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        boss = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        factory = Factory(session)
        other_boss = factory.actor(factory.user(factory.estate(), Role.MANAGER, name="别处经理"))
        count = session.exec(select(func.count()).select_from(Asset)).one()
        fields = {"category": "street_light", "subkind": "street_light", "quantity": "1"}
        own = register.add_asset(session, boss, {**fields, "code": f"RAW-{count}", "name": "原始套接字路灯"},
                                 now=datetime(2025, 1, 1, tzinfo=UTC))
        other = register.add_asset(session, other_boss, {**fields, "code": f"RAW-{count}", "name": "别处路灯"})
        session.commit()
        assert own.estate_id == estate_id
        return {"asset": own.id, "other_asset": other.id, "code": own.code}


def _snapshot(db_url: str) -> dict[str, object]:
    """Everything the register's handlers could change."""
    with Session(get_engine(db_url)) as session:
        return {
            "assets": sorted((a.id, a.code, a.name, a.retired_at is None) for a in session.exec(select(Asset))),
            "defects": sorted((d.id, d.closed_at is None) for d in session.exec(select(AssetDefect))),
            "audit": actions_by_people(session),
        }


LAMP = {"category": "street_light", "subkind": "street_light", "name": "原始套接字新路灯", "quantity": "1"}
HOSTILE_FORMS = ({**LAMP, "code": DROP}, {**LAMP, "code": "=1+1"}, {**LAMP, "code": "RAW-X", "name": HUGE},
                 {**LAMP, "code": "RAW-X", "quantity": "NaN"}, {**LAMP, "code": {"x": 1}}, {**LAMP, "code": ""},
                 {**LAMP, "code": "RAW-X", "subkind": "lift"}, HUGE, [], None)
"""Asset forms the register refuses (each with its own message), for adding and for correcting."""


def _form_calls(state: type, page: str, handler: str, extra: dict) -> list[tuple[type, str, str, dict]]:
    """The asset form's handlers (`handler` taking the form) with a plausible form and hostile ones."""
    calls = [(state, "pick_category", page, {"category": category})
             for category in ("well", DROP, HUGE, {"c": "well"}, None)]
    return calls + [(state, handler, page, {**extra, "form": form})
                    for form in ({**LAMP, "code": "RAW-NEW"}, *HOSTILE_FORMS)]


def _register_calls() -> list[tuple[type, str, str, dict]]:
    """Every handler of the manager's register, with plausible and hostile arguments."""
    state = FacilitiesState
    calls = [(state, "load", REGISTER, {})] + _form_calls(state, REGISTER, "add_asset", {})
    for category in ("well", DROP, HUGE, {"c": "well"}, ["well"], 7, None):
        calls.append((state, "choose_category", REGISTER, {"category": category}))
    for offset in (50, -1, 10**30, DROP, {"o": 1}, None, True):
        calls.append((state, "turn", REGISTER, {"offset": offset}))
    for files in ([], "x", [{"name": "a.csv"}], None):
        calls.append((state, "check_file", REGISTER, {"files": files}))
    calls += [(state, "confirm_import", REGISTER, {}), (state, "cancel_import", REGISTER, {})]
    return calls


def _record_calls(asset_id: object) -> list[tuple[type, str, str, dict]]:
    """Every handler of an asset's record, opened at `asset_id`, with plausible and hostile forms."""
    page = f"{RECORD}?id={asset_id}"
    calls = [(AssetState, "load", page, {})]
    for form in ({"note": "原始套接字缺陷"}, {"note": HUGE}, {"note": {"x": 1}}, HUGE, [], None):
        calls.append((AssetState, "report_defect", page, {"form": form}))
    for form in ({"note": HUGE}, {"note": ["x"]}, HUGE):
        calls.append((AssetState, "close_defect", page, {"form": form}))
    calls.append((AssetState, "retire", page, {}))
    return calls + _form_calls(AssetState, page, "save", {})


def _quiet(answers: list[tuple[str, str]]) -> list[str]:
    """The calls that came back without a refusal (a message or the way back to login)."""
    return [name for name, answer in answers
            if not name.startswith(UNANSWERED_OK) and not any(text in answer for text in REFUSALS)]


def test_register_and_record_handlers_refuse_everyone_else(app):
    """Strangers and residents may do nothing; staff who are not managers may not use the register, nor retire an
    asset, nor touch another estate's asset."""
    targets = _targets(app.db_url)
    for who in ("anonymous", "forged token", "resident", "guard", "cleaner", "technician"):
        token = token_as(app.db_url, who)
        calls = _register_calls() + _record_calls(targets["other_asset"])
        for hostile in (DROP, -1, 10**30, ""):
            calls += _record_calls(hostile)[:2]
        if who in ("anonymous", "forged token", "resident"):
            calls += _record_calls(targets["asset"])
        else:  # staff may read and mark their own estate's asset: retiring and correcting it are refused
            calls += [c for c in _record_calls(targets["asset"]) if c[1] in ("load", "retire", "save",
                                                                             "pick_category")]
        before, log_from = _snapshot(app.db_url), log_size(app)
        answers = run(call_all(app.url, token, calls))
        assert _snapshot(app.db_url) == before, who
        logged = log_since(app, log_from)
        assert "Traceback" not in logged, logged[-3000:]
        assert not _quiet(answers), f"{who}: no refusal for {_quiet(answers)}"
        received = "".join(answer for _, answer in answers)
        assert "/files/" not in received, who  # no export link
        assert "别处路灯" not in received, who
        loads = [answer for name, answer in answers if name.startswith(("FacilitiesState.load", "AssetState.load"))]
        if who in ("anonymous", "forged token"):
            assert all("'/login'" in answer for answer in loads), who
        if who == "resident":
            assert all("'/resident'" in answer for answer in loads), who
        if who in ("guard", "cleaner", "technician"):
            register_loads = [a for n, a in answers if n.startswith("FacilitiesState.load")]
            assert all(f"'/{who}'" in answer for answer in register_loads), who
            assert "原始套接字路灯" in received, who  # their own estate's asset record opens


def test_a_manager_with_hostile_arguments_changes_nothing(app):
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    plausible = ({"note": "原始套接字缺陷"}, {**LAMP, "code": "RAW-NEW"})
    calls = [c for c in _register_calls() if c[1] != "load" and c[3].get("category") != "well"
             and c[3].get("offset") != 50 and c[3].get("form") not in plausible]
    calls += [c for c in _record_calls(targets["other_asset"]) if c[1] != "pick_category"]
    calls += [c for c in _record_calls(targets["asset"]) if c[3].get("form") not in plausible
              and c[1] not in ("retire", "load") and c[3].get("category") != "well"]
    calls.append((FacilitiesState, "add_asset", REGISTER, {"form": {**LAMP, "code": targets["code"]}}))
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, calls))
    assert _snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, log_from)
    assert not _quiet(answers), f"no refusal for {_quiet(answers)}"
    assert "别处路灯" not in "".join(answer for _, answer in answers)


def test_the_same_calls_work_for_staff_and_a_manager(app):
    """Control: a guard marks the asset defective and intact again; the manager sees the register with its export
    links, adds an asset from the form and corrects the first one, then retires it."""
    targets = _targets(app.db_url)
    page = f"{RECORD}?id={targets['asset']}"
    before = _snapshot(app.db_url)
    guard = run(call_all(app.url, token_as(app.db_url, "guard"), [
        (AssetState, "load", page, {}),
        (AssetState, "report_defect", page, {"form": {"note": "灯不亮"}}),
        (AssetState, "close_defect", page, {"form": {"note": "换了灯泡"}}),
    ]))
    added = f"{targets['code']}-NEW"
    manager = run(call_all(app.url, token_as(app.db_url, "manager"), [
        (FacilitiesState, "load", REGISTER, {}),
        (FacilitiesState, "choose_category", REGISTER, {"category": "street_light"}),
        (AssetState, "load", page, {}),
        (FacilitiesState, "pick_category", REGISTER, {"category": "well"}),
        (FacilitiesState, "add_asset", REGISTER, {"form": {**LAMP, "code": added, "evil": "x"}}),
        (AssetState, "pick_category", page, {"category": "street_light"}),
        (AssetState, "save", page, {"form": {**LAMP, "code": targets["code"], "name": "改名路灯", "quantity": "2"}}),
        (AssetState, "retire", page, {}),
    ]))
    after = _snapshot(app.db_url)
    assert len(after["defects"]) == len(before["defects"]) + 1
    assert "灯不亮" in guard[1][1] and "换了灯泡" in guard[2][1]
    assert "/files/" in manager[0][1] and "原始套接字路灯" in manager[2][1]
    assert "sewage_well" in manager[3][1] and f"已登记资产 {added}" in manager[4][1] and "已保存" in manager[6][1]
    assert len(after["assets"]) == len(before["assets"]) + 1
    with Session(get_engine(app.db_url)) as session:
        asset = session.get(Asset, targets["asset"])
        assert (asset.retired_at is not None, asset.name, asset.quantity) == (True, "改名路灯", 2)
        assert session.exec(select(Asset).where(Asset.code == added)).one().name == "原始套接字新路灯"
        defect = session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset.id)).one()
        assert defect.closed_at is not None and defect.note == "灯不亮" and defect.close_note == "换了灯泡"


# The roster's on-call handlers: adding an on-call shift, putting a technician on one for a run of days

ROSTER = "/manager/roster"
ON_CALL_REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "'/login'", "记录不存在", "内容最多", "请填写班次名称",
                    "已有同名班次", "时间格式应为", "这不是值班班次", "开始日期应为", "天数应为", "该员工没有这个岗位",
                    "该班次已有人值班")


def _on_call_targets(db_url: str) -> dict[str, object]:
    """The demo's on-call and day shifts, an on-call shift nobody is on, a technician, a guard, another estate's
    shift and the estate's today."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        unused = Shift(estate_id=estate_id, name=f"备用{uuid.uuid4().hex[:6]}", starts=time(12), ends=time(13),
                       on_call=True)
        session.add(unused)
        session.commit()
        shift = {s.name: s.id for s in session.exec(select(Shift).where(Shift.estate_id == estate_id))}
        phone = {u.phone: u.id for u in session.exec(select(User).where(User.estate_id == estate_id))}
        other = Factory(session).estate()
        return {"on_call": shift[ON_CALL_SHIFT], "day_shift": shift["白班"], "unused": unused.id,
                "technician": phone["13800000004"],
                "guard": phone["13800000002"], "other_shift": Factory(session).shifts(other)["夜班"].id,
                "today": roster.local_today(session, estate_id, utcnow()), "shifts": len(shift)}


def _on_call_snapshot(db_url: str) -> dict[str, object]:
    with Session(get_engine(db_url)) as session:
        return {"shifts": sorted((s.id, s.name, s.on_call) for s in session.exec(select(Shift))),
                "duties": sorted(session.exec(select(DutyAssignment.id)).all()),
                "audit": actions_by_people(session)}


def _on_call_calls(t: dict[str, object], name: str) -> tuple[list, list]:
    """The on-call handlers: the plausible calls (a shift added, a technician put on call for two days) and
    hostile ones."""
    day = (t["today"] + timedelta(days=40)).isoformat()
    put = {"user": t["technician"], "shift": t["on_call"], "first_day": day, "days": "2"}
    plausible = [(RosterState, "add_on_call_shift", ROSTER, {"form": {"name": name, "starts": "21:00",
                                                                       "ends": "07:00"}}),
                 (RosterState, "put_on_call", ROSTER, {"form": put}),
                 (RosterState, "remove_on_call_shift", ROSTER, {"shift_id": t["unused"]})]
    hostile = [(RosterState, "add_on_call_shift", ROSTER, {"form": form}) for form in (
        {"name": HUGE, "starts": "21:00", "ends": "07:00"}, {"name": DROP, "starts": "25:00", "ends": "07:00"},
        {"name": "白班", "starts": "21:00", "ends": "07:00"}, {"name": "同一时刻", "starts": "08:00", "ends": "08:00"},
        {"name": ["x"]}, HUGE, None, [])]
    hostile += [(RosterState, "put_on_call", ROSTER, {"form": form}) for form in (
        {**put, "user": t["guard"]}, {**put, "shift": t["day_shift"]}, {**put, "shift": t["other_shift"]},
        {**put, "first_day": "1999-01-01"}, {**put, "first_day": DROP}, {**put, "days": "0"}, {**put, "days": HUGE},
        {**put, "days": 10**30}, {**put, "user": DROP}, {**put, "shift": {"id": 1}}, HUGE, None)]
    hostile += [(RosterState, "remove_on_call_shift", ROSTER, {"shift_id": shift}) for shift in (
        t["on_call"], t["day_shift"], t["other_shift"], DROP, HUGE, 10**30, -1, {"id": 1}, None)]
    return plausible, hostile


def test_on_call_handlers_refuse_everyone_but_a_manager(app):
    """Nobody but a manager adds on-call shifts or puts anyone on call, whatever they send; a manager's hostile
    forms change nothing either, each answered with its refusal."""
    t = _on_call_targets(app.db_url)
    plausible, hostile = _on_call_calls(t, f"原始值班{t['shifts']}")
    for who in ("anonymous", "forged token", "resident", "guard", "cleaner", "technician", "manager"):
        calls = [(RosterState, "load", ROSTER, {})] + ([] if who == "manager" else plausible) + hostile
        token = token_as(app.db_url, who)
        before, log_from = _on_call_snapshot(app.db_url), log_size(app)
        answers = run(call_all(app.url, token, calls))
        assert _on_call_snapshot(app.db_url) == before, who
        assert "Traceback" not in log_since(app, log_from)
        quiet = [n for n, answer in answers[1:] if not any(text in answer for text in ON_CALL_REFUSALS)]
        assert not quiet, f"{who}: no refusal for {quiet}"


def test_a_manager_adds_an_on_call_shift_and_puts_a_technician_on_it(app):
    """Control: the same plausible calls do change the roster for a manager, even sent before the page's load
    (a quick tap while a slow phone is still connecting)."""
    t = _on_call_targets(app.db_url)
    name = f"原始值班{t['shifts']}"
    plausible, _ = _on_call_calls(t, name)
    token = token_as(app.db_url, "manager")
    before = _on_call_snapshot(app.db_url)
    answers = run(call_all(app.url, token, plausible))
    after = _on_call_snapshot(app.db_url)
    assert "已新增值班班次" in answers[0][1] and "已安排 2 天值班" in answers[1][1] and "已删除值班班次" in answers[2][1]
    assert name in answers[0][1]  # the new shift is offered at once
    assert {s[0] for s in after["shifts"]} == {s[0] for s in before["shifts"]} - {t["unused"]} | {
        s[0] for s in after["shifts"] if s[1] == name}
    assert len(after["duties"]) == len(before["duties"]) + 2

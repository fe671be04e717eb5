"""Hostile or broken input to the account, job and patrol handlers: a clear message, no change, and no server error."""

import re

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, PatrolPoint, Role, ServiceRequest, User
from estate_pwa.services import accounts
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from estate_pwa.states.auth import JoinState, LoginState
from estate_pwa.states.jobs import ResidentRequestsState, TechnicianJobsState
from estate_pwa.states.manager import RosterState, StaffAdminState, UnitsState
from estate_pwa.states.me import MeState
from estate_pwa.states.patrol import PatrolBoardState, PatrolSetupState, RoundDetailView
from tests.e2e.conftest import staff_account
from tests.rawclient import RawClient, run

LONG = "8" * 10_000
EMOJI = "😀👨‍👩‍👧🏠"
SQL = "1'; DROP TABLE \"user\"; --"
HOSTILE_VALUES = ["", LONG, EMOJI, SQL, None, 12345, ["13800000001"], {"$ne": ""}]

LOGIN_MESSAGES = {"请输入11位手机号", "请输入密码", "手机号或密码错误"}


def _errors(received: str) -> list[str]:
    return re.findall(r"'(?:error|password_error)_rx_state_': '([^']+)'", received)


def _users(db_url: str) -> int:
    with Session(get_engine(db_url)) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def _log_has_no_traceback(app, since: int) -> None:
    """Nothing written to the app's log after byte `since` is a traceback, and the app still answers."""
    with app.log.open("rb") as log:
        log.seek(since)
        text = log.read().decode(errors="replace")
    assert "Traceback" not in text and "Backend Exception" not in text, text[-3000:]
    assert httpx.get(f"{app.url}/ping", timeout=5).status_code == 200


async def _send_all(app_url: str, token: str, calls) -> str:
    client = RawClient(app_url)
    try:
        await client.connect(token, page="/login")
        for state, handler, kwargs in calls:
            await client.call(state, handler, page="/login", **kwargs)
        return client.received()
    finally:
        await client.close()


def test_login_refuses_hostile_input_with_a_message(app):
    calls = [(LoginState, "submit", {"form": {"phone": phone, "password": password}})
             for phone in HOSTILE_VALUES for password in ("", LONG, SQL)]
    calls += [(LoginState, "submit", {"form": form}) for form in ("not a form", None, [], 7, {})]
    before, log_start = _users(app.db_url), app.log.stat().st_size
    received = run(_send_all(app.url, "", calls))
    messages = _errors(received)
    assert messages and set(messages) <= LOGIN_MESSAGES
    assert _users(app.db_url) == before
    _log_has_no_traceback(app, log_start)


def test_join_refuses_hostile_input_with_a_message(app):
    calls = [(JoinState, "submit", {"form": {"code": code, "name": name, "phone": "13912345678",
                                             "password": "Abcdefg123"}})
             for code in HOSTILE_VALUES for name in (LONG, EMOJI)]
    calls += [(JoinState, "submit", {"form": {"code": "ABCDEFGHJK", "name": name, "phone": phone,
                                              "password": password}})
              for name, phone, password in [("", "13912345678", "Abcdefg123"), (LONG, "13912345678", "Abcdefg123"),
                                            ("王", SQL, "Abcdefg123"), ("王", "13912345678", LONG),
                                            ("王", "13912345678", "short")]]
    calls += [(JoinState, "submit", {"form": "x"})]
    before, log_start = _users(app.db_url), app.log.stat().st_size
    received = run(_send_all(app.url, "", calls))
    assert len(_errors(received)) >= 10
    assert _users(app.db_url) == before
    _log_has_no_traceback(app, log_start)


def test_staff_forms_refuse_hostile_input_with_a_message(app):
    phone, password = staff_account(app.db_url, Role.MANAGER)
    with Session(get_engine(app.db_url)) as session:
        token = accounts.login(session, phone, password)[1]
    bad_forms = [
        {"name": LONG, "phone": "13912340001", "password": "Abcdefg123", "role_guard": "on"},
        {"name": "", "phone": "13912340002", "password": "Abcdefg123", "role_guard": "on"},
        {"name": "王", "phone": EMOJI, "password": "Abcdefg123", "role_guard": "on"},
        {"name": "王", "phone": SQL, "password": "Abcdefg123", "role_guard": "on"},
        {"name": "王", "phone": "13912340003", "password": LONG, "role_guard": "on"},
        {"name": "王", "phone": "13912340004", "password": "Abcdefg123"},
        {"name": {"x": 1}, "phone": ["1"], "password": None, "role_guard": "on"},
        {"name": "王", "phone": DEMO_ACCOUNTS[1][0], "password": "Abcdefg123", "role_guard": "on"},
    ]
    calls = [(StaffAdminState, "load", {})]
    calls += [(StaffAdminState, "create", {"form": form}) for form in bad_forms + ["x", None]]
    calls += [(StaffAdminState, "set_active", {"user_id": value, "active": False}) for value in HOSTILE_VALUES]
    calls += [(StaffAdminState, "reset_password", {"user_id": value}) for value in HOSTILE_VALUES]
    calls += [(UnitsState, "load", {}), (UnitsState, "set_search", {"text": LONG}),
              (UnitsState, "set_search", {"text": {"a": 1}}), (UnitsState, "set_filter", {"building": SQL}),
              (UnitsState, "invite", {"unit_id": LONG}), (UnitsState, "invite", {"unit_id": -1})]
    calls += [(RosterState, "load", {}), (RosterState, "shift_day", {"days": 10**9}),
              (RosterState, "remove", {"assignment_id": SQL}),
              (RosterState, "add", {"form": {"user": LONG, "shift": EMOJI, "role": SQL}})]
    calls += [(MeState, "change_password", {"form": {"current": LONG, "new": LONG}}),
              (MeState, "change_password", {"form": {"current": password, "new": EMOJI}}),
              (MeState, "change_password", {"form": None})]
    before, log_start = _users(app.db_url), app.log.stat().st_size
    received = run(_send_all(app.url, token, calls))
    messages = _errors(received)
    assert len(messages) >= len(bad_forms)
    assert "该手机号已注册" in messages and "请至少选择一个岗位" in messages and "姓名最多50个字符" in messages
    assert _users(app.db_url) == before
    _log_has_no_traceback(app, log_start)



def test_job_handlers_refuse_hostile_input_with_a_message(app):
    with Session(get_engine(app.db_url)) as session:
        resident_token = accounts.login(session, DEMO_RESIDENT[0], DEMO_RESIDENT[1])[1]
    technician_phone, technician_password = staff_account(app.db_url, Role.TECHNICIAN)
    with Session(get_engine(app.db_url)) as session:
        technician_token = accounts.login(session, technician_phone, technician_password)[1]
    resident_calls = [(ResidentRequestsState, "load", {})]
    resident_calls += [(ResidentRequestsState, "submit", {"form": form}) for form in [
        {"kind": "repair", "description": LONG}, {"kind": "repair", "description": ""},
        {"kind": SQL, "description": "漏水"}, {"kind": "repair", "category": EMOJI, "description": "漏水"},
        {"kind": ["repair"], "description": {"$gt": ""}}, "x", None]]
    resident_calls += [(ResidentRequestsState, "rate", {"request_id": value, "satisfied": True})
                       for value in HOSTILE_VALUES]
    resident_calls += [(ResidentRequestsState, "submit", {"form": {"kind": "repair", "description": "漏水",
                                                                    "place": place}})
                       for place in HOSTILE_VALUES if place not in ("", None)]
    resident_calls += [(ResidentRequestsState, "note_comment", {"request_id": value, "text": value})
                       for value in HOSTILE_VALUES]
    technician_calls = [(TechnicianJobsState, "load", {})]
    technician_calls += [(TechnicianJobsState, handler, {"request_id": value})
                         for handler in ("accept", "claim", "resume") for value in HOSTILE_VALUES]
    technician_calls += [(TechnicianJobsState, "pause", {"request_id": "1", "reason": LONG}),
                         (TechnicianJobsState, "open_postpone", {"request_id": "1"}),
                         (TechnicianJobsState, "postpone", {"form": {"new_time": LONG, "reason": SQL}}),
                         (TechnicianJobsState, "postpone", {"form": {"new_time": "1999-01-01T00:00", "reason": ""}}),
                         (TechnicianJobsState, "open_finish", {"request_id": "1"}),
                         (TechnicianJobsState, "finish_with_signature", {"signature": "data:image/png;base64,!!!"}),
                         (TechnicianJobsState, "finish_with_signature", {"signature": LONG})]
    before, log_start = _requests(app.db_url), app.log.stat().st_size
    as_resident = run(_send_all(app.url, resident_token, resident_calls))
    as_technician = run(_send_all(app.url, technician_token, technician_calls))
    assert {"内容最多 1000 个字", "请描述问题", "请求无效", "所选公共区域不属于本小区"} <= set(_errors(as_resident))
    assert {"时间无效", "签名图片无效,请重签"} <= set(_errors(as_technician))
    assert _requests(app.db_url) == before
    _log_has_no_traceback(app, log_start)


def test_patrol_manager_handlers_refuse_hostile_input_with_a_message(app):
    phone, password = staff_account(app.db_url, Role.MANAGER)
    with Session(get_engine(app.db_url)) as session:
        token = accounts.login(session, phone, password)[1]
        area = str(session.exec(select(Area.id).join(User, col(User.estate_id) == Area.estate_id)
                                .where(User.phone == phone)).first())
    calls = [(PatrolBoardState, "load", {})]
    calls += [(RoundDetailView, "show_round", {"round_id": value}) for value in HOSTILE_VALUES + [-1, 10**12]]
    calls += [(PatrolSetupState, "load", {})]
    calls += [(PatrolSetupState, "located", {"position": value})
              for value in HOSTILE_VALUES + [{"latitude": "31", "longitude": 121}, {"latitude": float("nan")}]]
    calls += [(PatrolSetupState, "create_point", {"form": {"area": area, "name": "坏坐标点", "latitude": lat,
                                                           "longitude": lon}})
              for lat, lon in (("91", "0"), (LONG, "1"), (EMOJI, SQL), ("31.2", ""), ({"a": 1}, [1]))]
    calls += [(PatrolSetupState, "create_point", {"form": {"area": value, "name": "坏区域点"}})
              for value in HOSTILE_VALUES]
    before, log_start = _points(app.db_url), app.log.stat().st_size
    messages = set(_errors(run(_send_all(app.url, token, calls))))
    assert {"请求无效", "记录不存在", "无法获取本机位置,请允许定位或手动填写经纬度", "经纬度无效(需同时填写)",
            "请选择所在区域"} <= messages
    assert _points(app.db_url) == before
    _log_has_no_traceback(app, log_start)


def _points(db_url: str) -> int:
    with Session(get_engine(db_url)) as session:
        return session.exec(select(func.count()).select_from(PatrolPoint)).one()


def _requests(db_url: str) -> list[tuple]:
    with Session(get_engine(db_url)) as session:
        return sorted((r.id, r.status, r.technician_id, r.promised_at, r.postponements)
                      for r in session.exec(select(ServiceRequest)))

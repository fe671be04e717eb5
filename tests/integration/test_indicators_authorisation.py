"""The indicators, certification and survey handlers called directly over a raw socket (and the evidence upload
over Reflex's own /_upload endpoint), by people who may not use them and with hostile arguments: nothing changes
in the database, the app logs no traceback, and each call is answered with a refusal."""

import json
import uuid

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    Estate, EvidenceFile, IndicatorSetting, Role, Survey, SurveyAnswer, Unit, User, UserRole,
)
from estate_pwa.services import survey
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from estate_pwa.services.survey import ASPECTS
from estate_pwa.states.indicators import CertificationState, IndicatorDetailState, IndicatorsState
from estate_pwa.states.survey import ManagerSurveysState, ResidentSurveyState
from tests.factories import PASSWORD, password_hash, unique_phone
from tests.rawclient import RawClient, actions_by_people, call_all, log_since, log_size, run, token_as

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
HUGE = "漏" * 50_000
"""50,000 characters (300 kB as socket.io sends them, under the transport's 1 MB cap, which closes the socket)."""
DROP = "'; DROP TABLE \"user\"; --"
DETAIL_PAGE = "/manager/indicator?key=repair_timeliness&period=month"
BASED_PAGE = "/manager/indicator?key=effective_complaint_rate&period=month"
HOSTILE_DETAIL_PAGE = "/manager/indicator?key=" + DROP + "&period=" + DROP
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "目标值应为", "日期无效", "'/login'", "调查名称",
            "找不到", "不存在", "文件", "请为每一项选择满意程度", "请填写调查名称", "已有一项调查正在进行", "该调查已结束",
            "您家已提交过", "内容最多")
"""Texts of which at least one must come back from a refused call (a message or the redirect to login)."""



def _snapshot(db_url: str) -> dict[str, object]:
    """Everything these handlers could change."""
    with Session(get_engine(db_url)) as session:
        return {
            "surveys": sorted((s.id, s.title, s.closed_at is None) for s in session.exec(select(Survey))),
            "answers": session.exec(select(func.count()).select_from(SurveyAnswer)).one(),
            "settings": sorted((s.estate_id, s.indicator, s.op, s.target, s.base)
                               for s in session.exec(select(IndicatorSetting))),
            "evidence": session.exec(select(func.count()).select_from(EvidenceFile)).one(),
            "founded": sorted((e.id, e.committee_founded_on) for e in session.exec(select(Estate))),
            "audit": actions_by_people(session),
            "users": session.exec(select(func.count()).select_from(User)).one(),
        }


def _open_survey_id(db_url: str) -> int:
    """The demo estate's open survey (opened here when none is)."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        found = session.exec(select(Survey.id).where(Survey.estate_id == estate_id,
                                                     col(Survey.closed_at).is_(None))).first()
        if found is None:
            manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
            found = survey.open_survey(session, manager, f"授权测试调查 {uuid.uuid4().hex[:4]}").id
            session.commit()
        return found


def _new_household_resident(db_url: str) -> str:
    """A resident of a unit nobody lived in (so their household has not answered); returns their phone."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        lived_in = select(User.unit_id).where(col(User.unit_id).is_not(None))
        unit_id = session.exec(select(Unit.id).where(Unit.estate_id == estate_id, col(Unit.id).not_in(lived_in))
                               .order_by(col(Unit.id))).first()
        user = User(estate_id=estate_id, phone=unique_phone(), name="授权测试住户", unit_id=unit_id,
                    password_hash=password_hash(PASSWORD))
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role=Role.RESIDENT))
        session.commit()
        return user.phone


ACCOUNTS = {"resident": lambda db_url: (_new_household_resident(db_url), PASSWORD),
            "demo resident": lambda db_url: DEMO_RESIDENT[:2]}
"""This test's own callers (tests/rawclient.token_as has the common ones)."""


def _manager_calls(survey_id: int) -> list[tuple[type, str, str, dict]]:
    """(state, handler, page, arguments): each manager handler, with plausible and hostile arguments."""
    calls = [(IndicatorsState, "load", "/manager", {})]
    for kind in ("quarter", DROP, HUGE, {"kind": "month"}, ["month", "year"], 7, None):
        calls.append((IndicatorsState, "choose_period", "/manager", {"kind": kind}))
    calls.append((IndicatorDetailState, "load", HOSTILE_DETAIL_PAGE, {}))
    calls.append((IndicatorDetailState, "load", DETAIL_PAGE, {}))
    for page in (2, -1, 0, 10**30, -(10**30), HUGE, {"page": 2}, 1e308):
        calls.append((IndicatorDetailState, "turn_page", DETAIL_PAGE, {"page": page}))
    for form in ({"op": ">=", "target": "95", "base": ""},
                 {"op": ">=", "target": "1e309"}, {"op": "<=", "target": "-1"}, {"op": DROP, "target": "50"},
                 {"op": ">=", "target": HUGE}, {"op": {"$ne": 1}, "target": {"value": 5}},
                 {"op": ">=", "target": "nan"}, {"op": ">=", "target": "inf"}, {"op": ">=", "target": 10**400},
                 HUGE, ["op", "target"]):
        calls.append((IndicatorDetailState, "save_target", DETAIL_PAGE, {"form": form}))
    calls.append((IndicatorDetailState, "load", BASED_PAGE, {}))  # an indicator whose base the estate chooses
    for base in (DROP, HUGE, {"base": "households"}, ["residents"]):
        calls.append((IndicatorDetailState, "save_target", BASED_PAGE, {"form": {"op": "<=", "target": "2",
                                                                                 "base": base}}))
    calls.append((CertificationState, "load", "/manager/certification", {}))
    for form in ({"founded_on": "2024-01-01"}, {"founded_on": DROP}, {"founded_on": HUGE},
                 {"founded_on": {"year": 2024}}, {"founded_on": "9999-12-31"}, {"founded_on": "1900-01-01"}, HUGE):
        calls.append((CertificationState, "save_founded", "/manager/certification", {"form": form}))
    calls.append((ManagerSurveysState, "load", "/manager/surveys", {}))
    for form in ({"title": "入侵者的调查"}, {"title": HUGE}, {"title": {"zh": "x"}}, {"title": DROP}, HUGE, []):
        calls.append((ManagerSurveysState, "open_survey", "/manager/surveys", {"form": form}))
    for survey_id in (survey_id, -1, 0, 10**30, -(10**30), DROP, {"id": survey_id}, [survey_id]):
        calls.append((ManagerSurveysState, "close_survey", "/manager/surveys", {"survey_id": survey_id}))
    return calls


def _resident_calls() -> list[tuple[type, str, str, dict]]:
    """Each resident handler: a complete, plausible answer, then hostile ones."""
    calls = [(ResidentSurveyState, "load", "/resident", {})]
    calls += [(ResidentSurveyState, "rate", "/resident", {"aspect": a, "rating": "satisfied"}) for a in ASPECTS]
    calls.append((ResidentSurveyState, "submit", "/resident", {"form": {"comment": "入侵者的答卷"}}))
    for aspect, rating in (("overall", DROP), (HUGE, "satisfied"), ("overall", HUGE), ({"a": 1}, "satisfied"),
                           ("overall", {"$ne": ""}), (["overall"], ["satisfied"])):
        calls.append((ResidentSurveyState, "rate", "/resident", {"aspect": aspect, "rating": rating}))
    for form in ({"comment": HUGE}, {"comment": {"text": "x"}}, HUGE, [], {"comment": DROP}):
        calls.append((ResidentSurveyState, "submit", "/resident", {"form": form}))
    return calls



def _upload(app_url: str, token: str, items: list[object]) -> list[int]:
    """Upload a small PDF for each evidence item through Reflex's /_upload (as the browser does); the statuses."""
    async def go() -> list[int]:
        client = RawClient(app_url)
        try:
            await client.connect(token, page="/manager/certification")
            statuses = []
            async with httpx.AsyncClient(timeout=30) as http:
                for item in items:
                    response = await http.post(
                        f"{app_url}/_upload",
                        headers={"reflex-client-token": client.client_token,
                                 "reflex-event-handler": f"{CertificationState.get_full_name()}.upload_evidence"},
                        data={"__reflex_event_args": json.dumps({"item": item})},
                        files=[("files", ("contract.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))])
                    statuses.append(response.status_code)
            await client._settle("/manager/certification")
            return statuses
        finally:
            await client.close()
    return run(go())




def _refused(answers: list[tuple[str, str]], skip: tuple[str, ...] = ()) -> list[str]:
    """The calls that came back without a refusal (a message or the way back to login)."""
    return [name for name, answer in answers
            if not any(name.startswith(s) for s in skip) and not any(text in answer for text in REFUSALS)]


UNANSWERED_OK = ("IndicatorsState.load", "IndicatorDetailState.load", "CertificationState.load",
                 "ManagerSurveysState.load", "ResidentSurveyState.load", "ResidentSurveyState.rate")
"""Screens' loads answer with a redirect (checked separately), and `rate` only remembers a choice on the screen
(nothing is stored until `submit`, which refuses)."""


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "resident"])
def test_manager_indicator_handlers_refuse_everyone_else(app, who):
    survey_id = _open_survey_id(app.db_url)
    token = token_as(app.db_url, who, ACCOUNTS)
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, _manager_calls(survey_id)))
    statuses = _upload(app.url, token, ["service_contract", DROP, {"item": 1}, HUGE[:5000]])
    after = _snapshot(app.db_url)
    assert after == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    assert all(status < 500 for status in statuses), statuses
    quiet = _refused(answers, UNANSWERED_OK)
    assert not quiet, f"no refusal for: {quiet}"
    received = "".join(answer for _, answer in answers)
    for secret in ("JVBERi", "/files/", "'tiles_rx_state_': [{", "'lines_rx_state_': [{", "'rows_rx_state_': [{",
                   "'levels_rx_state_': [{", "'definition_zh_rx_state_': '及时"):
        assert secret not in received, secret
    loads = [answer for name, answer in answers if name.split("(")[0].endswith(".load")]
    home = "'/login'" if who in ("anonymous", "forged token") else f"'/{who}'"
    assert all(home in answer for answer in loads), "each manager screen sends them away"


@pytest.mark.parametrize("who", ["anonymous", "forged token", "guard", "manager"])
def test_resident_survey_handlers_refuse_everyone_else(app, who):
    _open_survey_id(app.db_url)
    token = token_as(app.db_url, who, ACCOUNTS)
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, _resident_calls()))
    assert _snapshot(app.db_url) == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    quiet = _refused(answers, UNANSWERED_OK)
    assert not quiet, f"no refusal for: {quiet}"


def test_a_resident_with_hostile_answers_stores_nothing(app):
    """The household's own resident, but every answer malformed: refused, nothing stored, no traceback."""
    _open_survey_id(app.db_url)
    token = token_as(app.db_url, "resident", ACCOUNTS)
    calls = [(ResidentSurveyState, "load", "/resident", {})]
    calls += [(ResidentSurveyState, "rate", "/resident", {"aspect": a, "rating": DROP}) for a in ASPECTS]
    calls += [(ResidentSurveyState, "submit", "/resident", {"form": {"comment": "全是坏值"}})]
    calls += [(ResidentSurveyState, "rate", "/resident", {"aspect": a, "rating": "satisfied"}) for a in ASPECTS]
    calls += [(ResidentSurveyState, "submit", "/resident", {"form": form})
              for form in ({"comment": HUGE}, {"comment": {"text": "x"}}, {"comment": ["x"]})]
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, calls))
    assert _snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, log_from)
    assert not _refused(answers, UNANSWERED_OK), answers


def test_a_manager_with_hostile_arguments_changes_nothing(app):
    """A manager's own handlers with nothing but hostile arguments: all refused, nothing changed."""
    token = token_as(app.db_url, "manager", ACCOUNTS)
    survey_id = _open_survey_id(app.db_url)
    hostile = [call for call in _manager_calls(survey_id)
               if call[3] not in ({"kind": "quarter"}, {"page": 2}, {"form": {"op": ">=", "target": "95", "base": ""}},
                                  {"form": {"founded_on": "2024-01-01"}}, {"form": {"title": "入侵者的调查"}},
                                  {"form": {"title": DROP}}, {"survey_id": survey_id})]
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, hostile))
    statuses = _upload(app.url, token, [DROP, {"item": 1}, HUGE[:5000], ["service_contract"]])
    assert _snapshot(app.db_url) == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    assert all(status < 500 for status in statuses), statuses
    assert not _refused(answers, UNANSWERED_OK), answers


def test_the_same_calls_work_for_their_own_roles(app):
    """Control: the detector is real, since the right person with plausible arguments does change the data."""
    survey_id = _open_survey_id(app.db_url)
    with Session(get_engine(app.db_url)) as session:
        founded = session.exec(select(Estate.committee_founded_on).where(Estate.code == DEMO_CODE)).one()
    manager = token_as(app.db_url, "manager", ACCOUNTS)
    before = _snapshot(app.db_url)
    run(call_all(app.url, manager, [
        (IndicatorDetailState, "load", DETAIL_PAGE, {}),
        (IndicatorDetailState, "save_target", DETAIL_PAGE, {"form": {"op": ">=", "target": "95", "base": ""}}),
        (CertificationState, "save_founded", "/manager/certification",
         {"form": {"founded_on": founded.isoformat()}}),  # the demo's own date, so its windows stay as they are
        (ManagerSurveysState, "close_survey", "/manager/surveys", {"survey_id": survey_id}),
        (ManagerSurveysState, "open_survey", "/manager/surveys", {"form": {"title": "经理发起的调查"}}),
    ]))
    assert _upload(app.url, manager, ["service_contract"]) == [200]
    after = _snapshot(app.db_url)
    assert after["evidence"] == before["evidence"] + 1
    assert ("repair_timeliness", ">=", 95.0) in {s[1:4] for s in after["settings"]}
    assert (survey_id, False) in {(s[0], s[2]) for s in after["surveys"]}
    assert any(s[1] == "经理发起的调查" and s[2] for s in after["surveys"])
    assert after["audit"] >= before["audit"] + 5  # target, founding date, closed, opened, evidence
    resident = token_as(app.db_url, "resident", ACCOUNTS)
    run(call_all(app.url, resident, _resident_calls()[:len(ASPECTS) + 2]))
    assert _snapshot(app.db_url)["answers"] == after["answers"] + 1

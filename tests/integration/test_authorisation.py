"""Any connected client can call any handler with any arguments: manager-only ones must refuse residents."""

import io
import re

import httpx
import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select

from estate_pwa.core import media
from estate_pwa.core.db import get_engine
from estate_pwa.core.security import hash_password
from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area, AuditEntry, AuthSession, DutyAssignment, InviteCode, PatrolPoint, PatrolRound, PatrolRoute, Role,
    ServiceRequest, Unit, User, UserRole,
)
from estate_pwa.services import accounts, jobs
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from estate_pwa.states.auth import LoginState
from estate_pwa.states.jobs import OfficeState, ResidentRequestsState, TechnicianJobsState
from estate_pwa.states.manager import ManagerHomeState, RosterState, StaffAdminState, UnitsState
from estate_pwa.states.patrol import PatrolBoardState, PatrolHistoryState, PatrolSetupState, RoundDetailView
from estate_pwa.states.session import SessionState
from tests.e2e.conftest import staff_account
from tests.factories import PASSWORD, unique_phone
from tests.rawclient import actions_by_people, HYDRATE, RawClient, run

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
STAFF_PHONES = [account[0] for account in DEMO_ACCOUNTS]


def _login(db_url: str, phone: str, password: str) -> str:
    with Session(get_engine(db_url)) as session:
        return accounts.login(session, phone, password)[1]


def _snapshot(db_url: str) -> dict[str, object]:
    """Everything a manager-only handler could change."""
    with Session(get_engine(db_url)) as session:
        count = lambda model: session.exec(select(func.count()).select_from(model)).one()  # noqa: E731
        return {
            "users": count(User),
            "roles": count(UserRole),
            "invites": count(InviteCode),
            "duties": count(DutyAssignment),
            "audit": actions_by_people(session),
            "refusals": session.exec(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "request_refused")).one(),
            "active": sorted(session.exec(select(User.id).where(User.is_active)).all()),
            "hashes": sorted(session.exec(select(User.password_hash)).all()),
            "requests": sorted(
                (r.id, r.status, r.technician_id, r.first_receiver_id, r.promised_at, r.quality_pass, r.postponements)
                for r in session.exec(select(ServiceRequest))),
            "checkpoints": sorted((p.id, p.name, p.code_version) for p in session.exec(select(PatrolPoint))),
            "routes": count(PatrolRoute),
            "revoked": count(AuthSession) - session.exec(
                select(func.count()).select_from(AuthSession).where(AuthSession.revoked_at.is_(None))).one(),
        }


def _targets(db_url: str) -> dict[str, int]:
    """A fresh guard to disable and reset, a unit to invite to, a duty to remove."""
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(User.estate_id).where(User.phone == MANAGER_PHONE)).one()
        victim = User(estate_id=estate, phone=unique_phone(), name="受害者", password_hash=hash_password(PASSWORD))
        session.add(victim)
        session.flush()
        session.add(UserRole(user_id=victim.id, role=Role.GUARD))
        unit = session.exec(select(Unit).order_by(Unit.id)).first()
        duty = session.exec(select(DutyAssignment).order_by(DutyAssignment.id.desc())).first()
        elsewhere = session.exec(select(Unit).order_by(Unit.id.desc())).first()
        leak = ServiceRequest(estate_id=estate, kind="repair", category="plumbing", urgency="emergency",
                              description="秘密漏水 secret-leak", unit_id=elsewhere.id, received_at=utcnow())
        session.add(leak)
        session.flush()
        technician = session.exec(select(User).where(User.phone == DEMO_ACCOUNTS[4][0])).one()
        point = session.exec(select(PatrolPoint).where(PatrolPoint.estate_id == estate)).first()
        area = session.exec(select(Area).where(Area.estate_id == estate)).first()
        patrol_round = session.exec(select(PatrolRound).where(PatrolRound.estate_id == estate)).first()
        session.commit()
        return {"victim": victim.id, "unit": unit.id, "duty": duty.id, "request": leak.id,
                "technician": technician.id, "point": point.id, "area": area.id, "round": patrol_round.id}


ROUND_OPENED = r"'detail_open_rx_state_': True"
"""What the server sends when a round's detail was opened."""
INVITE_SHOWN = r"'invite_qr_rx_state_': '/files/[^']+'"
"""What the server sends when an invite was issued: the link to its QR image (never the image itself)."""


async def _call_every_manager_handler(client: RawClient, targets: dict[str, int]) -> None:
    victim_id, unit_id, duty_id = str(targets["victim"]), str(targets["unit"]), str(targets["duty"])
    request_id, technician_id = str(targets["request"]), str(targets["technician"])
    point_id, area_id, round_id = str(targets["point"]), str(targets["area"]), str(targets["round"])
    calls = [
        (ManagerHomeState, "load", {}),
        (RosterState, "load", {}),
        (RosterState, "add", {"form": {"user": victim_id, "shift": "1", "role": "guard"}}),
        (RosterState, "remove", {"assignment_id": duty_id}),
        (RosterState, "shift_day", {"days": 1}),
        (UnitsState, "load", {}),
        (UnitsState, "set_search", {"text": "1"}),
        (UnitsState, "set_filter", {"building": "1"}),
        (UnitsState, "more", {}),
        (UnitsState, "invite", {"unit_id": unit_id}),
        (StaffAdminState, "load", {}),
        (StaffAdminState, "create", {"form": {"name": "入侵者", "phone": "13711112222", "password": "Abcdefg123",
                                               "role_manager": "on"}}),
        (StaffAdminState, "set_active", {"user_id": victim_id, "active": False}),
        (StaffAdminState, "reset_password", {"user_id": victim_id}),
        (OfficeState, "load", {}),
        (OfficeState, "refresh", {}),
        (OfficeState, "show_history", {"request_id": request_id}),
        (OfficeState, "mark_quality", {"request_id": request_id, "passed": False}),
        (OfficeState, "record_follow_up", {"form": {"follow_up": "1", "outcome": "x", "satisfied": "yes"}}),
        (TechnicianJobsState, "load", {}),
        (TechnicianJobsState, "claim", {"request_id": request_id}),
        (TechnicianJobsState, "accept", {"request_id": request_id}),
        (TechnicianJobsState, "pause", {"request_id": request_id, "reason": "resident_not_home"}),
        (OfficeState, "dispatch", {"request_id": request_id, "technician_id": technician_id}),
        (PatrolBoardState, "load", {}),
        (PatrolBoardState, "refresh", {}),
        (RoundDetailView, "show_round", {"round_id": round_id}),
        (PatrolSetupState, "load", {}),
        (PatrolSetupState, "reissue", {"point_id": point_id}),
        (PatrolSetupState, "create_point", {"form": {"area": area_id, "name": "入侵点", "location": ""}}),
        (PatrolSetupState, "toggle_stop", {"point_id": point_id}),
        (PatrolSetupState, "create_route", {"form": {"name": "入侵路线", "starts": "20:00", "ends": "06:00",
                                                      "every": "120", "expected": "40", "grace": "10"}}),
        (PatrolSetupState, "download_sheet", {}),
        (PatrolSetupState, "download_png", {"point_id": point_id}),
        (PatrolHistoryState, "load", {}),
        (PatrolHistoryState, "apply", {"form": {"first_day": "2026-01-01", "last_day": "2026-01-31"}}),
        (PatrolHistoryState, "export_csv", {}),
    ]
    for state, handler, kwargs in calls:
        await client.call(state, handler, page="/manager", **kwargs)


async def _attack(app_url: str, device_token: str, targets: dict[str, int]) -> str:
    client = RawClient(app_url)
    try:
        await client.connect(device_token, page="/resident")
        await _call_every_manager_handler(client, targets)
        return client.received()
    finally:
        await client.close()


@pytest.mark.parametrize("who", ["resident", "anonymous", "forged token"])
def test_manager_handlers_change_nothing_and_reveal_nothing(app, who):
    """A resident (or nobody) calling every manager-only handler directly changes no row and sees no staff data."""
    token = {
        "resident": lambda: _login(app.db_url, DEMO_RESIDENT[0], DEMO_RESIDENT[1]),
        "anonymous": lambda: "",
        "forged token": lambda: "A" * 43,
    }[who]()
    targets = _targets(app.db_url)
    before = _snapshot(app.db_url)
    received = run(_attack(app.url, token, targets))
    after = _snapshot(app.db_url)
    refused = after.pop("refusals") - before.pop("refusals")
    assert after == before
    assert (refused > 0) == (who == "resident"), "a logged-in resident's refused job actions are audited"
    assert "受害者" not in received and "secret-leak" not in received
    for phone in STAFF_PHONES:
        assert phone not in received
    assert "/join?code=" not in received and "data:image/png" not in received
    assert not re.search(INVITE_SHOWN, received)
    assert "南门岗" not in received and "JVBERi" not in received  # no checkpoint names, no printable sheet
    assert "/files/" not in received  # nor a link to one, to a code's image or to an export
    assert not re.search(ROUND_OPENED, received)


def test_a_guard_cannot_open_a_round(app):
    """The staff role nearest to patrol data still sees no round's checkpoints and scans."""
    phone, password = staff_account(app.db_url, Role.GUARD)
    token, round_id = _login(app.db_url, phone, password), str(_targets(app.db_url)["round"])
    received = run(_call_once(app.url, token, "/guard", RoundDetailView, "show_round", round_id=round_id))
    assert "没有权限" in received or "not allowed" in received.lower()
    assert not re.search(ROUND_OPENED, received) and "南门岗" not in received


def test_the_same_calls_work_for_a_manager(app):
    """Control: the detector above is real, since a manager's token does reach and change the data."""
    targets = _targets(app.db_url)
    before = _snapshot(app.db_url)
    token = _login(app.db_url, MANAGER_PHONE, MANAGER_PASSWORD)
    received = run(_attack(app.url, token, targets))
    after = _snapshot(app.db_url)
    assert MANAGER_PHONE in received and "data:image/png" not in received  # images go by link (issue 9)
    assert re.search(INVITE_SHOWN, received)
    assert "JVBERi" not in received and "南门岗" in received  # the checkpoints; files go by link, not the socket
    assert "/files/" in received  # links to the printable sheet, the codes' images and the export
    assert re.search(ROUND_OPENED, received)
    assert after["routes"] == before["routes"] + 1
    assert len(after["checkpoints"]) == len(before["checkpoints"]) + 1
    reissued = {p[0]: p[2] for p in after["checkpoints"]}[targets["point"]]
    assert reissued == {p[0]: p[2] for p in before["checkpoints"]}[targets["point"]] + 1
    assert after["invites"] == before["invites"] + 1
    assert after["duties"] == before["duties"]  # one added for the victim, one removed
    assert after["users"] == before["users"] + 1
    assert targets["victim"] not in after["active"]
    assert "secret-leak" in received
    with Session(get_engine(app.db_url)) as session:
        leak = session.get(ServiceRequest, targets["request"])
        manager_id = session.exec(select(User.id).where(User.phone == MANAGER_PHONE)).one()
    assert (leak.status, leak.technician_id, leak.first_receiver_id) == ("dispatched", targets["technician"],
                                                                          manager_id)
    assert after["hashes"] != before["hashes"]
    with Session(get_engine(app.db_url)) as session:
        intruder = session.exec(select(User).where(User.phone == "13711112222")).one()
        assert Role.MANAGER in {r for r in session.exec(select(UserRole.role).where(UserRole.user_id == intruder.id))}


async def _shared_tablet(app_url: str, manager_token: str, guard_token: str, unit_id: str) -> tuple[str, str]:
    """One tab: a manager opens staff and an invite, logs out; a guard logs in. Returns (before, after) traffic."""
    client = RawClient(app_url)
    try:
        await client.connect(manager_token, page="/manager/staff")
        await client.call(StaffAdminState, "load", page="/manager/staff")
        await client.call(UnitsState, "load", page="/manager/units")
        await client.call(UnitsState, "invite", page="/manager/units", unit_id=unit_id)
        before = client.received()
        await client.call(SessionState, "logout", page="/me")
        client.updates.clear()
        await client.send(HYDRATE, {"vars": {f"{SessionState.get_full_name()}.token_rx_state_": guard_token}},
                          "/guard")
        return before, client.received()
    finally:
        await client.close()


def test_a_shared_tablet_forgets_the_previous_person_on_logout(app):
    guard_phone, guard_password = DEMO_ACCOUNTS[1][:2]
    manager_token = _login(app.db_url, MANAGER_PHONE, MANAGER_PASSWORD)
    guard_token = _login(app.db_url, guard_phone, guard_password)
    unit = str(_targets(app.db_url)["unit"])
    before, after = run(_shared_tablet(app.url, manager_token, guard_token, unit))
    assert "13800000003" in before and re.search(INVITE_SHOWN, before)
    assert "13800000003" not in after and "/files/" not in after and "/join?code=" not in after


def test_a_late_forget_keeps_the_login_message_and_a_new_session(app):
    """Each screen of a page that finds the session dead asks the tab to forget it; an ask that arrives after the
    person tried to log in again must neither wipe the login screen's message nor end their new session."""
    phone, password = staff_account(app.db_url, Role.TECHNICIAN)
    dead = _login(app.db_url, phone, password)
    with Session(get_engine(app.db_url)) as session:
        accounts.logout(session, dead)
        session.commit()

    async def tab() -> tuple[list, list, list]:
        client = RawClient(app.url)
        try:
            await client.connect(dead, page="/technician")
            await client.call(SessionState, "forget", page="/technician")
            first = list(client.updates)
            await client.call(LoginState, "submit", form={"phone": phone, "password": "Wrong-password-1"})
            asked = len(client.updates)
            await client.call(SessionState, "forget")
            after_refusal = client.updates[asked:]
            await client.call(LoginState, "submit", form={"phone": phone, "password": password})
            asked = len(client.updates)
            await client.call(SessionState, "forget")
            return first, after_refusal, client.updates[asked:]
        finally:
            await client.close()

    first, after_refusal, after_login = run(tab())
    assert "'token_rx_state_': ''" in repr(first)  # the dead session is forgotten once
    assert after_refusal == [] and after_login == []


async def _call_once(app_url: str, device_token: str, page: str, state: type, handler: str, **kwargs) -> str:
    """Connect on `page`, call one handler, and return everything the server sent."""
    client = RawClient(app_url)
    try:
        await client.connect(device_token, page=page)
        await client.call(state, handler, page=page, **kwargs)
        return client.received()
    finally:
        await client.close()


def _photo_links(app_url: str, device_token: str, page: str, state: type) -> set[str]:
    """The signed photo links a screen's rows send to this device when it opens."""
    return set(re.findall(r"/media/[A-Za-z0-9_.~-]+", run(_call_once(app_url, device_token, page, state, "load"))))


def _resident_of_another_unit(db_url: str, estate_id: int, unit_id: int) -> str:
    """A new resident of the estate living in a unit other than `unit_id`, logged in; returns the device token."""
    with Session(get_engine(db_url)) as session:
        unit = session.exec(select(Unit.id).where(Unit.estate_id == estate_id, Unit.id != unit_id)).first()
        neighbour = User(estate_id=estate_id, phone=unique_phone(), name="邻居", unit_id=unit,
                         password_hash=hash_password(PASSWORD))
        session.add(neighbour)
        session.flush()
        session.add(UserRole(user_id=neighbour.id, role=Role.RESIDENT))
        session.commit()
        return accounts.login(session, neighbour.phone, PASSWORD)[1]


def test_a_photo_is_linked_only_for_those_who_may_see_its_request(app, monkeypatch):
    """Photos travel as signed links in the rows of those who may see the request (never as data in the socket);
    the link serves the stored image, and a forged link nothing."""
    monkeypatch.setenv("ESTATE_MEDIA_DIR", str(app.media_dir))
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "orange").save(buffer, format="JPEG")
    with Session(get_engine(app.db_url)) as session:
        owner = session.exec(select(User).where(User.phone == DEMO_RESIDENT[0])).one()
        jobs.submit(session, actor_for(session, owner), "repair", "照片权限测试", "plumbing",
                    photos=[media.save_photo(buffer.getvalue(), "requests")])
        session.commit()
        neighbour_token = _resident_of_another_unit(app.db_url, owner.estate_id, owner.unit_id)
    owner_token = _login(app.db_url, DEMO_RESIDENT[0], DEMO_RESIDENT[1])
    technician_token = _login(app.db_url, *DEMO_ACCOUNTS[4][:2])

    seen = {}
    for who, token, page, state in (
            ("owner", owner_token, "/resident/requests", ResidentRequestsState),
            ("technician", technician_token, "/technician", TechnicianJobsState),  # it waits in their pool
            ("neighbour", neighbour_token, "/resident/requests", ResidentRequestsState),
            ("anonymous", "", "/resident/requests", ResidentRequestsState),
            ("forged token", "A" * 43, "/technician", TechnicianJobsState)):
        seen[who] = _photo_links(app.url, token, page, state)
    assert seen["owner"] and seen["technician"]
    assert seen["neighbour"] == seen["anonymous"] == seen["forged token"] == set()
    for link in seen["owner"]:
        response = httpx.get(app.url + link, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
        assert "immutable" in response.headers["cache-control"]
    forged = next(iter(seen["owner"]))[:-4] + "AAAA"
    assert httpx.get(app.url + forged, timeout=10).status_code == 404

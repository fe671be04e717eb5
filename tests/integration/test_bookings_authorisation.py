"""The booking handlers called directly over a raw socket: by every other role and anonymously, with another
estate's ids and hostile arguments. Nothing changes in the database, the app logs no traceback, each call is
answered with a refusal (or, for a form with nothing chosen, with nothing), and nobody but the office and the
booking's resident sees it. The resident's and the office's own calls with good arguments do book, cancel and
record a payment (so the detector is real)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    AuditEntry, Booking, BookingRefund, DutyAssignment, Estate, FeeBill, FeePayment, RequestKind, RequestStatus, Role,
    ServiceItem, ServiceRequest, Shift, SlotClosure, Unit, User, UserRole,
)
from estate_pwa.services import bookings
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.services.permissions import actor_for
from estate_pwa.states.bookings import ManagerBookingsState, PriceListState, ResidentBookingsState
from estate_pwa.states.jobs import TechnicianJobsState
from tests.factories import PASSWORD, Factory, password_hash, unique_phone
from tests.rawclient import actions_by_people, call_all, log_since, log_size, login_token, run, token_as

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
HUGE = "约" * 50_000
DROP = "'; DROP TABLE \"booking\"; --"
RESIDENT_PAGE = "/resident/services"
OFFICE_PAGE = "/manager/bookings"
HOSTILE_IDS = (-1, 0, 10**30, DROP, {"id": 1}, [1], None, True, 1.5, HUGE)
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "'/login'", "记录不存在", "请选择列出的时段",
            "该服务暂不可预约", "内容最多", "请填写原因", "请输入正确的金额", "金额必须大于零", "金额过大",
            "请填写服务名称", "请选择有工单列表的岗位", "服务时长应为", "小时数应为", "取消费不能高于服务价格",
            "这不是您的预约", "请选择收款方式", "金额超过账单余额", "这不是您的工单")
"""Texts of which at least one must come back from a refused call (a message or the redirect to login)."""
QUIET_OK = ("ResidentBookingsState.load", "ManagerBookingsState.load", "PriceListState.load",
            "ResidentBookingsState.close_", "ResidentBookingsState.book(", "ResidentBookingsState.cancel(",
            "ManagerBookingsState.close_dialog", "ManagerBookingsState.record(", "ManagerBookingsState.cancel(",
            "ManagerBookingsState.save_service(", "ManagerBookingsState.close_slot(")
"""Loads answer with a redirect (checked apart); closing, or submitting a form nobody opened, changes nothing."""


def _snapshot(db_url: str) -> dict[str, object]:
    """Everything the booking handlers could change."""
    with Session(get_engine(db_url)) as session:
        return {
            "bookings": sorted((b.id, b.cancelled_at is None, b.staff_id) for b in session.exec(select(Booking))),
            "services": sorted((s.id, s.name_zh, s.price, s.active, s.staff_id, s.cancel_fee)
                               for s in session.exec(select(ServiceItem))),
            "closures": session.exec(select(func.count()).select_from(SlotClosure)).one(),
            "bills": sorted((b.id, b.amount, b.paid) for b in session.exec(select(FeeBill).where(
                FeeBill.kind == "service"))),
            "payments": session.exec(select(func.count()).select_from(FeePayment)).one(),
            "refunds": session.exec(select(func.count()).select_from(BookingRefund)).one(),
            "jobs": sorted((r.id, r.status, r.technician_id) for r in session.exec(select(ServiceRequest).where(
                ServiceRequest.kind == RequestKind.BOOKED))),
            "audit": actions_by_people(session),
        }


def _targets(db_url: str) -> dict[str, object]:
    """A service done by a technician on duty all week, the demo resident's booking of it, an open slot key, a
    closed slot, and another estate's service, booking and closed slot (made here)."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        resident = actor_for(session, session.exec(select(User).where(User.phone == DEMO_RESIDENT[0])).one())
        technician = _person(session, estate, "权限测试师傅", Role.TECHNICIAN)
        spare = _person(session, estate, "备用师傅", Role.TECHNICIAN)
        _on_duty_all_week(session, estate, technician)
        service = bookings.save_service(session, manager, {
            "name_zh": "权限测试服务", "category": "repair", "special": "on", "price": "50", "lead_hours": "1",
            "free_cancel_hours": "0", "staff_id": str(technician.id)})
        session.commit()
        keys = [s.key for d in bookings.week(session, resident, service.id) for s in d.slots if s.actions]
        booking = bookings.book(session, resident, service.id, keys[0])
        closure = bookings.close_slot(session, manager, service.id, keys[-1], "权限测试关闭")
        session.commit()
        factory = Factory(session)
        elsewhere = factory.estate()
        boss = factory.actor(factory.user(elsewhere, Role.MANAGER, name="别处经理"))
        their_technician = factory.user(elsewhere, Role.TECHNICIAN, name="别处师傅")
        _on_duty_all_week(session, elsewhere, their_technician)
        their_service = bookings.save_service(session, boss, {
            "name_zh": "别处服务", "category": "repair", "special": "on", "price": "50", "lead_hours": "1",
            "staff_role": "technician"})
        their_resident = factory.actor(factory.user(elsewhere, Role.RESIDENT, unit=factory.units(elsewhere)[0]))
        session.commit()
        their_key = [s.key for d in bookings.week(session, their_resident, their_service.id) for s in d.slots
                     if s.actions][0]
        their_booking = bookings.book(session, their_resident, their_service.id, their_key)
        their_closure = bookings.close_slot(session, boss, their_service.id, their_key, "别处关闭")
        session.commit()
        return {"service": service.id, "booking": booking.id, "slot": keys[1], "technician": technician.id,
                "spare": spare.id, "closure": closure.id, "other_closure": their_closure.id,
                "other_service": their_service.id, "other_booking": their_booking.id,
                "other_technician": their_technician.id}


def _person(session, estate, name, *roles, unit_id=None) -> User:
    user = User(estate_id=estate.id, phone=unique_phone(), name=name, password_hash=password_hash(PASSWORD),
                unit_id=unit_id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    session.commit()
    return user


def _on_duty_all_week(session, estate, user, role: Role = Role.TECHNICIAN) -> None:
    today = utcnow().astimezone(ZoneInfo(estate.timezone)).date()
    for shift in session.exec(select(Shift).where(Shift.estate_id == estate.id)):
        for offset in range(-1, 8):
            session.add(DutyAssignment(estate_id=estate.id, user_id=user.id, shift_id=shift.id,
                                       role=role, day=today + timedelta(days=offset)))
    session.commit()


def _cleaners_job(db_url: str) -> tuple[int, str]:
    """A cleaner on duty all week, a service only they do, the demo resident's booking of it: the booked job's id
    and the cleaner's phone."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        manager = actor_for(session, session.exec(select(User).where(User.phone == MANAGER_PHONE)).one())
        resident = actor_for(session, session.exec(select(User).where(User.phone == DEMO_RESIDENT[0])).one())
        cleaner = _person(session, estate, "预约保洁员", Role.CLEANER)
        _on_duty_all_week(session, estate, cleaner, Role.CLEANER)
        service = bookings.save_service(session, manager, {
            "name_zh": "保洁权限测试", "category": "housekeeping", "special": "on", "price": "45", "lead_hours": "1",
            "free_cancel_hours": "0", "staff_role": "cleaner", "staff_id": str(cleaner.id)})
        session.commit()
        key = [s.key for d in bookings.week(session, resident, service.id) for s in d.slots if s.actions][0]
        booking = bookings.book(session, resident, service.id, key)
        session.commit()
        return booking.request_id, cleaner.phone


def _other_resident(db_url: str) -> str:
    with Session(get_engine(db_url)) as session:
        estate = session.exec(select(Estate).where(Estate.code == DEMO_CODE)).one()
        own = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).one()
        unit = session.exec(select(Unit.id).where(Unit.estate_id == estate.id, Unit.id != own)
                            .order_by(col(Unit.id).desc())).first()
        return _person(session, estate, "别家住户", Role.RESIDENT, unit_id=unit).phone


ACCOUNTS = {"other resident": lambda db_url: (_other_resident(db_url), PASSWORD)}
"""This test's own callers (tests/rawclient.token_as has the common ones)."""


def _resident_calls(t: dict) -> list[tuple[type, str, str, dict]]:
    """Every resident handler, with the demo resident's and another estate's ids and hostile arguments."""
    state, page = ResidentBookingsState, RESIDENT_PAGE
    calls = [(state, "load", page, {})]
    for service in (t["service"], t["other_service"], *HOSTILE_IDS):
        calls.append((state, "open_service", page, {"service_id": service}))
    for key in (t["slot"], DROP, HUGE, {"k": 1}, None):
        calls.append((state, "pick", page, {"key": key}))
    for form in ({"quantity": "1"}, {"quantity": HUGE}, HUGE, None):
        calls.append((state, "book", page, {"form": form}))
    for booking in (t["booking"], t["other_booking"], *HOSTILE_IDS):
        calls.append((state, "open_cancel", page, {"booking_id": booking}))
        calls.append((state, "rate", page, {"booking_id": booking, "satisfied": True}))
    calls.append((state, "cancel", page, {}))
    for opened in (True, False, DROP):
        calls.append((state, "close_pick", page, {"opened": opened}))
        calls.append((state, "close_cancel", page, {"opened": opened}))
    return calls


def _office_calls(t: dict) -> list[tuple[type, str, str, dict]]:
    """Every office handler, with the demo estate's and another estate's ids and hostile arguments."""
    state, page = ManagerBookingsState, OFFICE_PAGE
    calls = [(state, "load", page, {}), (state, "load", f"{page}?day={DROP}", {})]
    for days in (1, -1, 2, True, DROP):
        calls.append((state, "shift_day", page, {"days": days}))
    for booking in (t["booking"], t["other_booking"], *HOSTILE_IDS):
        calls.append((state, "open_cancel", page, {"booking_id": booking}))
        calls.append((state, "open_pay", page, {"booking_id": booking}))
        for staff in (str(t["spare"]), str(t["other_technician"]), DROP, None):
            calls.append((state, "reassign", page, {"booking_id": booking, "staff_id": staff}))
    calls += [(state, "cancel", page, {"form": {"reason": "入侵"}}),
              (state, "record", page, {"form": {"amount": "50", "method": "cash"}})]
    for service in (str(t["service"]), str(t["other_service"]), *HOSTILE_IDS):
        calls.append((state, "show_slots", page, {"service_id": service}))
    for key in (t["slot"], DROP, HUGE, {"k": 1}, None):
        calls.append((state, "open_close_slot", page, {"key": key}))
    calls.append((state, "close_slot", page, {"form": {"reason": "入侵"}}))
    for closure in (t["closure"], t["other_closure"], *HOSTILE_IDS):
        calls.append((state, "reopen_slot", page, {"closure_id": closure}))
    calls.append((state, "new_service", page, {}))
    for service in (t["service"], t["other_service"], *HOSTILE_IDS):
        calls.append((state, "edit_service", page, {"service_id": service}))
        calls.append((state, "set_active", page, {"service_id": service, "active": False}))
    calls += _forms(t)
    for opened in (True, False, DROP):
        calls.append((state, "close_dialog", page, {"opened": opened}))
    return calls


def _forms(t: dict) -> list[tuple[type, str, str, dict]]:
    good = {"name_zh": "入侵服务", "category": "repair", "special": "on", "price": "10"}
    forms = (good, {**good, "price": "-1"}, {**good, "price": HUGE}, {**good, "name_zh": HUGE},
             {**good, "staff_id": str(t["other_technician"])}, {**good, "staff_role": DROP},
             {**good, "duration_minutes": "100000"}, {**good, "lead_hours": "-5"}, {**good, "cancel_fee": "1e9"},
             {**good, "category": DROP}, HUGE, None)
    return [(ManagerBookingsState, "save_service", OFFICE_PAGE, {"form": form}) for form in forms]


def _quiet(answers: list[tuple[str, str]], allowed: tuple[str, ...] = ()) -> list[str]:
    return [name for name, answer in answers
            if not name.startswith(QUIET_OK + allowed) and not any(text in answer for text in REFUSALS)]


def _check(app, who: str, calls: list, allowed: tuple[str, ...] = ()) -> str:
    """Make the calls as `who` (logged in first: logging in is audited); nothing may change."""
    token = token_as(app.db_url, who, ACCOUNTS)
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, calls))
    assert _snapshot(app.db_url) == before, who
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    assert not _quiet(answers, allowed), f"{who}: no refusal for {_quiet(answers, allowed)}"
    return "".join(answer for _, answer in answers)


def test_resident_handlers_refuse_everyone_else(app):
    targets = _targets(app.db_url)
    for who in ("anonymous", "forged token", "guard", "cleaner", "technician", "manager", "other resident"):
        calls = _resident_calls(targets)
        if who == "other resident":  # a resident may browse and book for themselves: only others' bookings here
            calls = [c for c in calls if c[1] in ("open_cancel", "rate", "cancel")]
        received = _check(app, who, calls)
        assert "/files/" not in received and "'mine_rx_state_': [{" not in received, who


def test_office_handlers_refuse_everyone_else(app):
    targets = _targets(app.db_url)
    for who in ("anonymous", "forged token", "guard", "cleaner", "technician", "resident"):
        received = _check(app, who, _office_calls(targets))
        assert "'rows_rx_state_': [{" not in received and "'catalogue_rx_state_': [{" not in received, who


def test_a_manager_with_hostile_arguments_changes_nothing(app):
    targets = _targets(app.db_url)
    calls = [c for c in _office_calls(targets)
             if not (c[3].get("booking_id") == targets["booking"] or c[3].get("closure_id") == targets["closure"]
                     or c[3].get("service_id") in (targets["service"], str(targets["service"]))
                     or (c[3].get("days") in (1, -1) and c[3].get("days") is not True)
                     or (c[1] == "save_service" and c[3]["form"] == _forms(targets)[0][3]["form"]))]
    # the service form is opened first, so every hostile form below is really submitted (and refused)
    calls = [(ManagerBookingsState, "new_service", OFFICE_PAGE, {})] + [c for c in calls if c[1] == "save_service"] \
        + [c for c in calls if c[1] not in ("save_service", "new_service")]
    received = _check(app, "manager", calls, allowed=("ManagerBookingsState.new_service",))
    assert "别处服务" not in received and "别处经理" not in received
    with Session(get_engine(app.db_url)) as session:
        assert session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.in_(("booking_refused", "service_refused")))).one() > 0


def test_the_same_calls_work_for_their_own_people(app):
    """Control: the resident books a slot through the screen's own steps; the office records a payment against
    the demo resident's booking and cancels it with a reason (refunding it)."""
    targets = _targets(app.db_url)
    resident_token, office_token = token_as(app.db_url, "resident"), token_as(app.db_url, "manager")
    before = _snapshot(app.db_url)
    resident = run(call_all(app.url, resident_token, [
        (ResidentBookingsState, "load", RESIDENT_PAGE, {}),
        (ResidentBookingsState, "open_service", RESIDENT_PAGE, {"service_id": targets["service"]}),
        (ResidentBookingsState, "pick", RESIDENT_PAGE, {"key": targets["slot"]}),
        (ResidentBookingsState, "book", RESIDENT_PAGE, {"form": {"note": "请按门铃"}}),
        (ResidentBookingsState, "book", RESIDENT_PAGE, {"form": {"note": "请按门铃"}}),  # a double tap
    ]))
    assert "预约成功" in "".join(a for _, a in resident)
    office = run(call_all(app.url, office_token, [
        (ManagerBookingsState, "load", f"{OFFICE_PAGE}?day={_day(app.db_url, targets['booking'])}", {}),
        (ManagerBookingsState, "open_pay", OFFICE_PAGE, {"booking_id": targets["booking"]}),
        (ManagerBookingsState, "record", OFFICE_PAGE, {"form": {"amount": "50", "method": "cash"}}),
        (ManagerBookingsState, "reassign", OFFICE_PAGE, {"booking_id": targets["booking"],
                                                         "staff_id": str(targets["spare"])}),
        (ManagerBookingsState, "open_cancel", OFFICE_PAGE, {"booking_id": targets["booking"]}),
        (ManagerBookingsState, "cancel", OFFICE_PAGE, {"form": {"reason": "师傅临时请假"}}),
        (ManagerBookingsState, "load", f"{OFFICE_PAGE}?day={_day_of(app.db_url, targets['slot'])}", {}),
        (ManagerBookingsState, "show_slots", OFFICE_PAGE, {"service_id": str(targets["service"])}),
        (ManagerBookingsState, "open_close_slot", OFFICE_PAGE, {"key": targets["slot"]}),
        (ManagerBookingsState, "close_slot", OFFICE_PAGE, {"form": {"reason": "师傅培训"}}),
        (ManagerBookingsState, "close_slot", OFFICE_PAGE, {"form": {"reason": "师傅培训"}}),  # a double tap
        (ManagerBookingsState, "reopen_slot", OFFICE_PAGE, {"closure_id": targets["closure"]}),
    ]))
    received = "".join(a for _, a in office)
    assert "已登记收款" in received and "预约已取消" in received and "时段已关闭" in received and "已改派" in received
    assert "时段已重新开放" in received
    assert "师傅培训" in received  # the closed slot and its reason are listed
    after = _snapshot(app.db_url)
    assert len(after["bookings"]) == len(before["bookings"]) + 1
    assert after["payments"] == before["payments"] + 1 and after["refunds"] == before["refunds"] + 1
    assert after["closures"] == before["closures"]  # one closed, the target's reopened
    with Session(get_engine(app.db_url)) as session:
        assert session.get(Booking, targets["booking"]).cancel_reason == "师傅临时请假"
        assert session.get(Booking, targets["booking"]).staff_id == targets["spare"]


def _day_of(db_url: str, slot_key: str) -> str:
    """The local day of a slot sent as its start."""
    with Session(get_engine(db_url)) as session:
        zone = ZoneInfo(session.exec(select(Estate.timezone).where(Estate.code == DEMO_CODE)).one())
    return datetime.fromisoformat(slot_key).astimezone(zone).date().isoformat()


def _day(db_url: str, booking_id: int) -> str:
    with Session(get_engine(db_url)) as session:
        booking = session.get(Booking, booking_id)
        zone = ZoneInfo(session.get(Estate, booking.estate_id).timezone)
        return booking.starts_at.astimezone(zone).date().isoformat()


def test_the_price_list_and_its_board_are_public(app):
    log_from = log_size(app)
    before = _snapshot(app.db_url)
    answers = run(call_all(app.url, "", [
        (PriceListState, "load", f"/services?estate={DEMO_CODE}", {}),
        (PriceListState, "load", f"/services?estate={DROP}", {}),
    ]))
    assert _snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, log_from)
    assert "/files/" in answers[0][1] and "/files/" not in answers[1][1]


def test_a_cleaner_works_the_booked_job_they_hold_and_nobody_else_can(app):
    """A cleaner-done booking is a job in its cleaner's list on the cleaner's home: every other role (another
    cleaner included) is sent away from that home or refused the job's steps, nothing changed; the cleaner it
    holds sees it and accepts it with the jobs system's own step."""
    request_id, cleaner_phone = _cleaners_job(app.db_url)
    page = "/cleaner"
    calls = [(TechnicianJobsState, "load_cleaner", page, {}),
             (TechnicianJobsState, "accept", page, {"request_id": request_id}),
             (TechnicianJobsState, "pause", page, {"request_id": request_id, "reason": "resident_not_home"}),
             (TechnicianJobsState, "excuse", page, {"form": {"reason": "入侵", "consent": "on"}})]
    for who in ("anonymous", "forged token", "guard", "technician", "resident", "cleaner"):
        received = _check(app, who, calls, allowed=("TechnicianJobsState.load_cleaner",))  # a redirect, or no job
        assert "保洁权限测试" not in received, who
    answers = run(call_all(app.url, login_token(app.db_url, cleaner_phone, PASSWORD), calls[:2]))
    assert "保洁权限测试" in answers[0][1]
    with Session(get_engine(app.db_url)) as session:
        assert session.get(ServiceRequest, request_id).status == RequestStatus.ACCEPTED

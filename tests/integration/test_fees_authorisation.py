"""The fee handlers called directly over a raw socket: by people who may not use them, with another estate's ids
and with hostile amounts. Nothing changes in the database, the app logs no traceback, each call is answered with
a refusal, and no receipt link reaches anyone but the office and the bill's own household. The manager's own
calls with good arguments do record, void and generate (so the detector is real)."""

import re
import uuid

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import (
    AuditEntry, Estate, FeeBill, FeePayment, FeeRate, FeeReceipt, FeeSettings, ReceiptCounter, Role, Unit, User,
    UserRole,
)
from estate_pwa.services import fees
from estate_pwa.services.demo import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT
from estate_pwa.states.bookings import PriceListState
from estate_pwa.states.fees import FeeOfficeState, ResidentFeesState
from tests.factories import PASSWORD, Factory, password_hash, unique_phone
from tests.rawclient import actions_by_people, call_all, log_since, log_size, run, token_as

MANAGER_PHONE, MANAGER_PASSWORD = DEMO_ACCOUNTS[0][:2]
HUGE = "漏" * 50_000
"""50,000 characters (300 kB as socket.io sends them, under the transport's 1 MB cap, which closes the socket)."""
DROP = "'; DROP TABLE \"feebill\"; --"
PAGE = "/manager/fees"
HOSTILE_AMOUNTS = ("1e309", "-1", "0.001", 10**12, "1000000", {"amount": "10"}, ["10"], "NaN", "inf", "", None,
                   "¥-5", "1_000", "0x10", 1e308, True, HUGE)
REFUSALS = ("您没有权限进行此操作", "请先登录", "请求无效", "'/login'", "记录不存在", "请输入正确的金额", "金额必须大于零",
            "金额过大", "金额超过账单余额", "请选择收款方式", "非现金收款需填写交易单号", "这笔款项已登记过", "该账单已缴清",
            "请填写作废原因", "这笔收款已作废", "请选择月份", "只能生成本月或下月的账单", "内容最多",
            "起始月份最多可提前", "请选择房屋类型", "请输入正确的日期", "违约金比例应在", "请填写房号", "找不到该房屋")
"""Texts of which at least one must come back from a refused call (a message or the redirect to login)."""
UNANSWERED_OK = ("FeeOfficeState.load", "ResidentFeesState.load", "FeeOfficeState.close_payment",
                 "FeeOfficeState.close_void", "FeeOfficeState.close_rates", "PriceListState.load")
"""Screens' loads answer with a redirect (checked apart), closing a form changes nothing, the price list is public."""



def _snapshot(db_url: str) -> dict[str, object]:
    """Everything the fee handlers could change."""
    with Session(get_engine(db_url)) as session:
        return {
            "bills": sorted((b.id, b.paid) for b in session.exec(select(FeeBill))),
            "payments": sorted((p.id, p.amount, p.voided_at is None) for p in session.exec(select(FeePayment))),
            "receipts": sorted((r.id, r.number, r.voided_at is None) for r in session.exec(select(FeeReceipt))),
            "counters": sorted((c.estate_id, c.last_number) for c in session.exec(select(ReceiptCounter))),
            "rates": sorted((r.id, r.rate, r.effective_from) for r in session.exec(select(FeeRate))),
            "settings": sorted((f.estate_id, f.late_fee_percent) for f in session.exec(select(FeeSettings))),
            "units": sorted((u.id, u.unit_type, u.occupied_from) for u in session.exec(select(Unit))),
            "audit": actions_by_people(session),
        }


def _targets(db_url: str) -> dict[str, int]:
    """The demo resident's unpaid bill of this month, a live payment of the demo estate, and another estate's bill
    and payment (made here once)."""
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        unit_id = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).one()
        bill = session.exec(select(FeeBill).where(FeeBill.unit_id == unit_id, col(FeeBill.paid) < FeeBill.amount)
                            .order_by(col(FeeBill.period).desc())).first()
        payment = session.exec(select(FeePayment.id).where(FeePayment.estate_id == estate_id,
                                                           col(FeePayment.voided_at).is_(None))).first()
        factory = Factory(session)
        elsewhere = factory.estate()
        boss = factory.actor(factory.user(elsewhere, Role.MANAGER, name="别处经理"))
        fees.set_rate(session, boss, "3.00", effective_from="2026-01")
        fees.generate_month(session, boss, fees.summary(session, boss, "2026-01").period)
        other_bill = session.exec(select(FeeBill).where(FeeBill.estate_id == elsewhere.id)).first()
        building = session.exec(select(Unit.building_id).where(Unit.id == unit_id)).one()
        other_building = session.exec(select(Unit.building_id).where(Unit.id == other_bill.unit_id)).one()
        other_payment = fees.record_payment(session, boss, other_bill.id, "10", "cash", "",
                                            uuid.uuid4().hex)
        session.commit()
        return {"bill": bill.id, "payment": payment, "other_bill": other_bill.id, "other_payment": other_payment.id,
                "building": building, "other_building": other_building}


def _resident_elsewhere(db_url: str) -> str:
    """A new resident of a unit other than the demo resident's; returns their phone."""
    with Session(get_engine(db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        own = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).one()
        unit_id = session.exec(select(Unit.id).where(Unit.estate_id == estate_id, Unit.id != own)
                               .order_by(col(Unit.id).desc())).first()
        user = User(estate_id=estate_id, phone=unique_phone(), name="别家住户", unit_id=unit_id,
                    password_hash=password_hash(PASSWORD))
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role=Role.RESIDENT))
        session.commit()
        return user.phone


ACCOUNTS = {"other resident": lambda db_url: (_resident_elsewhere(db_url), PASSWORD)}
"""This test's own callers (tests/rawclient.token_as has the common ones)."""


def _office_calls(targets: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """(state, handler, page, arguments): every office handler, with plausible and hostile arguments."""
    office = FeeOfficeState
    calls = [(office, "load", PAGE, {}), (office, "load", f"{PAGE}?period={DROP}", {})]
    for period in ("2026-01", DROP, HUGE, {"period": "2026-01"}, ["2026-01"], 7, None, "2026-13"):
        calls.append((office, "choose_period", PAGE, {"period": period}))
    for form in ({"search": "1栋"}, {"search": HUGE}, {"search": {"$ne": 1}}, HUGE, []):
        calls.append((office, "find", PAGE, {"form": form}))
    calls.append((office, "generate", PAGE, {}))
    for bill in (targets["bill"], targets["other_bill"], -1, 0, 10**30, DROP, {"id": targets["bill"]}, None):
        calls.append((office, "open_payment", PAGE, {"bill_id": bill}))
    calls.append((office, "record", PAGE, {"form": {"amount": "10", "method": "cash", "reference": ""}}))
    for amount in HOSTILE_AMOUNTS:
        calls.append((office, "record", PAGE, {"form": {"amount": amount, "method": "cash"}}))
    for method in (DROP, {"m": "cash"}, HUGE, None):
        calls.append((office, "record", PAGE, {"form": {"amount": "10", "method": method}}))
    calls.append((office, "record", PAGE, {"form": HUGE}))
    for payment in (targets["payment"], targets["other_payment"], -1, 0, 10**30, DROP, {"id": 1}):
        calls.append((office, "open_void", PAGE, {"payment_id": payment}))
    for form in ({"reason": "入侵者作废"}, {"reason": HUGE}, {"reason": {"x": 1}}, HUGE):
        calls.append((office, "void", PAGE, {"form": form}))
    for opened in (True, False, DROP):
        calls.append((office, "close_payment", PAGE, {"opened": opened}))
        calls.append((office, "close_void", PAGE, {"opened": opened}))
        calls.append((office, "close_rates", PAGE, {"opened": opened}))
    calls += _rate_calls(targets)
    return calls


GOOD_RATE = {"rate": "9.99", "building": "0", "unit_type": "office", "effective_from": "2026-01"}
"""A rate for offices (the demo estate has none, so its bills stay as they are)."""
GOOD_LATE_FEE = {"percent": "0.05"}


def _good_unit(targets: dict[str, int]) -> dict:
    """A unit of the demo resident's building that is not theirs, made a villa that moved in on 15 March 2026."""
    return {"building": str(targets["building"]), "number": "104", "unit_type": "villa",
            "occupied_from": "2026-03-15"}


def _rate_calls(targets: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """The rates, late fee and unit handlers with plausible and hostile arguments (another estate's building, a
    month too far, absurd rates and percentages, impossible days)."""
    office = FeeOfficeState
    calls = [(office, "open_rates", PAGE, {})]
    for form in (GOOD_RATE, {"rate": "9.99", "building": str(targets["other_building"]), "unit_type": "shop"},
                 {"rate": "9.99", "effective_from": "2099-01"}, {"rate": "-1"}, {"rate": HUGE}, {"rate": 1e308},
                 {"rate": "2", "unit_type": DROP}, {"rate": "2", "building": DROP}, {"rate": "2", "building": HUGE},
                 HUGE, [], None):
        calls.append((office, "save_rate", PAGE, {"form": form}))
    for form in (GOOD_LATE_FEE, {"percent": "5"}, {"percent": "-0.1"}, {"percent": "NaN"},
                 {"percent": HUGE}, {"percent": {"x": 1}}, HUGE):
        calls.append((office, "save_late_fee", PAGE, {"form": form}))
    for form in (_good_unit(targets), {"building": str(targets["other_building"]), "number": "101", "unit_type": "shop"},
                 {"building": str(targets["building"]), "number": "无此房", "unit_type": "shop"},
                 {"building": str(targets["building"]), "number": "101", "unit_type": DROP},
                 {"building": str(targets["building"]), "number": "101", "unit_type": "shop",
                  "occupied_from": "2026-02-31"},
                 {"building": str(targets["building"]), "number": HUGE, "unit_type": "shop"},
                 {"building": DROP}, HUGE):
        calls.append((office, "save_unit", PAGE, {"form": form}))
    return calls


def _manager_hostile_calls(targets: dict[str, int]) -> list[tuple[type, str, str, dict]]:
    """A manager's own handlers with nothing but hostile arguments: another estate's ids, absurd amounts, more
    than the balance, a month too far ahead, a void with no payment chosen."""
    office = FeeOfficeState
    calls = [(office, "load", PAGE, {}),
             (office, "open_payment", PAGE, {"bill_id": targets["other_bill"]}),
             (office, "record", PAGE, {"form": {"amount": "10", "method": "cash"}}),  # nothing open
             (office, "open_void", PAGE, {"payment_id": targets["other_payment"]}),
             (office, "void", PAGE, {"form": {"reason": "别处的收款"}}),  # nothing chosen
             (office, "open_payment", PAGE, {"bill_id": targets["bill"]})]
    for amount in HOSTILE_AMOUNTS + ("99999.99",):
        calls.append((office, "record", PAGE, {"form": {"amount": amount, "method": "cash"}}))
    calls.append((office, "record", PAGE, {"form": {"amount": "10", "method": "wechat", "reference": ""}}))
    calls.append((office, "record", PAGE, {"form": {"amount": "10", "method": "cash", "reference": HUGE}}))
    for period in (DROP, HUGE, {"p": 1}, "2026-13"):
        calls.append((office, "choose_period", PAGE, {"period": period}))
    calls.append((office, "choose_period", PAGE, {"period": "2099-01"}))  # a month one may look at …
    calls.append((office, "generate", PAGE, {}))  # … but not bill so far ahead
    valid = (GOOD_RATE, GOOD_LATE_FEE, _good_unit(targets))
    calls += [call for call in _rate_calls(targets) if call[3].get("form") not in valid]
    return calls





def _quiet(answers: list[tuple[str, str]]) -> list[str]:
    """The calls that came back without a refusal (a message or the way back to login)."""
    return [name for name, answer in answers
            if not name.startswith(UNANSWERED_OK) and not any(text in answer for text in REFUSALS)]


def test_office_fee_handlers_refuse_everyone_else(app):
    targets = _targets(app.db_url)
    for who in ("anonymous", "forged token", "guard", "cleaner", "resident"):
        token = token_as(app.db_url, who, ACCOUNTS)
        before, log_from = _snapshot(app.db_url), log_size(app)
        answers = run(call_all(app.url, token, _office_calls(targets)))
        assert _snapshot(app.db_url) == before, who
        logged = log_since(app, log_from)
        assert "Traceback" not in logged, logged[-3000:]
        assert not _quiet(answers), f"{who}: no refusal for {_quiet(answers)}"
        received = "".join(answer for _, answer in answers)
        assert "/files/" not in received, who  # no receipt link
        assert "'bills_rx_state_': [{" not in received and "'rows': [{" not in received, who
        assert "'paying_rx_state_': {'id': " + str(targets["bill"]) not in received, who
        loads = [answer for name, answer in answers if name.startswith("FeeOfficeState.load")]
        home = "'/login'" if who in ("anonymous", "forged token") else f"'/{who}'"
        assert all(home in answer for answer in loads), f"{who}: the office page sends them away"


def test_a_manager_with_hostile_arguments_changes_nothing(app):
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    before, log_from = _snapshot(app.db_url), log_size(app)
    answers = run(call_all(app.url, token, _manager_hostile_calls(targets)))
    assert _snapshot(app.db_url) == before
    logged = log_since(app, log_from)
    assert "Traceback" not in logged, logged[-3000:]
    allowed = ("2099-01", f"'bill_id': {targets['bill']}}}",  # looking at a far month, opening the form
               "open_rates")  # and the rates form
    quiet = [name for name in _quiet(answers) if not any(a in name for a in allowed)]
    assert not quiet, f"no refusal for {quiet}"
    received = "".join(answer for _, answer in answers)
    assert "别处经理" not in received
    with Session(get_engine(app.db_url)) as session:
        refused = session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "fee_refused")).one()
    assert refused > 0, "a manager's refused fee actions are audited"


def test_residents_see_only_their_own_unit(app):
    """The bill's household sees its bills and receipt links; another household sees its own bills only; staff
    and strangers are sent away."""
    with Session(get_engine(app.db_url)) as session:
        own_unit = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).one()
        own_bills = set(session.exec(select(FeeBill.id).where(FeeBill.unit_id == own_unit)))
    calls = [(ResidentFeesState, "load", "/resident/fees", {})]
    seen = {}
    for who in ("resident", "other resident", "manager", "guard", "anonymous"):
        seen[who] = run(call_all(app.url, token_as(app.db_url, who, ACCOUNTS), calls))[0][1]
    ids = lambda text: {int(i) for i in re.findall(r"\{'id': (\d+), 'period'", text)}
    assert ids(seen["resident"]) and ids(seen["resident"]) <= own_bills
    assert "/files/" in seen["resident"]  # the demo household's earlier months were paid: their receipts
    assert ids(seen["other resident"]).isdisjoint(own_bills)
    for who in ("manager", "guard", "anonymous"):
        assert not ids(seen[who]) and "/files/" not in seen[who], who
    assert "'/manager'" in seen["manager"] and "'/guard'" in seen["guard"] and "'/login'" in seen["anonymous"]


def test_the_price_list_is_public_and_only_lists(app):
    """Anyone may read the price list; a hostile estate code shows nothing and changes nothing."""
    log_from = log_size(app)
    before = _snapshot(app.db_url)
    answers = run(call_all(app.url, "", [
        (PriceListState, "load", f"/services?estate={DEMO_CODE}", {}),
        (PriceListState, "load", f"/services?estate={DROP}", {}),
        (PriceListState, "load", f"/services?estate={HUGE[:2000]}", {}),
    ]))
    assert _snapshot(app.db_url) == before
    assert "Traceback" not in log_since(app, log_from)
    assert "家庭保洁" in answers[0][1] and "'45.00'" in answers[0][1]
    assert "家庭保洁" not in answers[1][1] + answers[2][1]


def test_the_same_calls_work_for_a_manager(app):
    """Control: the office records a payment (once, even when the form is sent twice), its receipt link comes back,
    the payment is voided with a reason, and generating the month again makes no second bill."""
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    # The month is billed first: after midnight on the 1st (Asia/Shanghai) the demo's months stop at the last one.
    run(call_all(app.url, token, [(FeeOfficeState, "load", PAGE, {}), (FeeOfficeState, "generate", PAGE, {})]))
    before = _snapshot(app.db_url)
    form = {"amount": "10.00", "method": "cash", "reference": ""}
    with Session(get_engine(app.db_url)) as session:
        next_payment = (session.exec(select(func.max(FeePayment.id))).one() or 0) + 1
    answers = run(call_all(app.url, token, [
        (FeeOfficeState, "load", PAGE, {}),
        (FeeOfficeState, "open_payment", PAGE, {"bill_id": targets["bill"]}),
        (FeeOfficeState, "record", PAGE, {"form": form}),
        (FeeOfficeState, "record", PAGE, {"form": form}),  # a double tap: the form is closed, nothing more
        (FeeOfficeState, "generate", PAGE, {}),
        (FeeOfficeState, "open_void", PAGE, {"payment_id": next_payment}),
        (FeeOfficeState, "void", PAGE, {"form": {"reason": "测试作废"}}),
    ]))
    after = _snapshot(app.db_url)
    assert len(after["payments"]) == len(before["payments"]) + 1
    assert len(after["receipts"]) == len(before["receipts"]) + 1
    assert len(after["bills"]) == len(before["bills"])
    received = "".join(answer for _, answer in answers)
    assert "/files/" in received and "已登记收款" in received and "收款已作废" in received
    with Session(get_engine(app.db_url)) as session:
        payment = session.get(FeePayment, next_payment)
        assert (payment.bill_id, str(payment.amount)) == (targets["bill"], "10.00")
        assert payment.voided_at is not None and payment.void_reason == "测试作废"
        assert session.exec(select(FeeReceipt).where(FeeReceipt.payment_id == payment.id)).one().voided_at
        assert session.get(FeeBill, targets["bill"]).paid == dict(before["bills"])[targets["bill"]]


def test_a_manager_sets_rates_late_fees_and_move_ins(app):
    """Control for the rates handlers: a rate for offices from January, the late fee on and off again, a unit made
    a villa that moved in mid-March; each change is saved and said so."""
    targets = _targets(app.db_url)
    token = token_as(app.db_url, "manager")
    before = _snapshot(app.db_url)
    answers = run(call_all(app.url, token, [
        (FeeOfficeState, "load", PAGE, {}),
        (FeeOfficeState, "open_rates", PAGE, {}),
        (FeeOfficeState, "save_rate", PAGE, {"form": GOOD_RATE}),
        (FeeOfficeState, "save_late_fee", PAGE, {"form": GOOD_LATE_FEE}),
        (FeeOfficeState, "save_late_fee", PAGE, {"form": {"percent": "0"}}),
        (FeeOfficeState, "save_unit", PAGE, {"form": _good_unit(targets)}),
    ]))
    after = _snapshot(app.db_url)
    received = "".join(answer for _, answer in answers)
    assert "收费标准已保存" in received and "违约金设置已保存" in received and "房屋已更新" in received
    assert "'rates_open_rx_state_': True" in received
    assert len(after["rates"]) == len(before["rates"]) + 1 and after["bills"] == before["bills"]
    with Session(get_engine(app.db_url)) as session:
        estate_id = session.exec(select(Estate.id).where(Estate.code == DEMO_CODE)).one()
        rate = session.exec(select(FeeRate).order_by(col(FeeRate.id).desc())).first()
        assert (rate.estate_id, rate.unit_type, str(rate.rate), rate.effective_from.isoformat()) == (
            estate_id, "office", "9.99", "2026-01-01")
        assert session.get(FeeSettings, estate_id).late_fee_percent == 0
        unit = session.exec(select(Unit).where(Unit.building_id == targets["building"], Unit.number == "104")).one()
        assert (unit.unit_type, unit.occupied_from.isoformat()) == ("villa", "2026-03-15")

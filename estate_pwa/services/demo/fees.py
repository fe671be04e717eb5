"""Demo fees and service menu, made through the services: the estate's rate (one building at its own), the
service menu (14 special services typical of a Chinese estate, at marked prices, and the public ones), and the
last three months' bills with their payments, recorded in the order they came in (so receipts are numbered in
time order): older months almost all paid, a few units in arrears, this month about half paid so far."""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.models import Building, Estate, FeeBill, ServiceItem, User
from estate_pwa.services import fees
from estate_pwa.services.demo.estate import DEMO_RESIDENT
from estate_pwa.services.fees.common import add_months, label
from estate_pwa.services.permissions import Actor

SEED = 13
MONTHS = 3
RATE = "2.20"
HIGH_RISE_RATE = "2.60"
# (zh, en, category, price, unit, description zh)
SPECIAL = (
    ("家庭保洁", "Household cleaning", "housekeeping", "45.00", "hour", "两小时起,自带工具"),
    ("开荒保洁", "Move-in deep clean", "housekeeping", "6.00", "m2", "按建筑面积计"),
    ("窗帘清洗", "Curtain washing", "housekeeping", "15.00", "m2", "拆装、清洗、熨烫"),
    ("空调清洗", "Air-conditioner cleaning", "repair", "80.00", "item", "挂机;柜机 120 元"),
    ("家电维修", "Appliance repair", "repair", "50.00", "visit", "上门检测费,配件另计"),
    ("管道疏通", "Pipe unblocking", "repair", "80.00", "visit", "厨卫下水"),
    ("水龙头更换", "Tap replacement", "repair", "30.00", "item", "人工费,配件另计"),
    ("灯具安装", "Light fitting", "repair", "20.00", "item", "人工费"),
    ("洗车", "Car wash", "car", "30.00", "visit", "地下车库车位上门"),
    ("搬家协助", "Moving help", "errands", "150.00", "hour", "两人一组"),
    ("快递送货上门", "Parcels to the door", "errands", "3.00", "item", "从快递柜送到家门口"),
    ("代收代寄", "Parcel handling", "errands", "5.00", "item", "代收、代寄快递"),
    ("老人探访", "Elderly visits", "care", "40.00", "visit", "上门陪伴、测量血压"),
    ("宠物照看", "Pet care", "care", "50.00", "visit", "喂食、遛狗"),
)
PUBLIC = (
    ("公共区域保洁", "Common-area cleaning", "每日清扫,定期消杀"),
    ("24小时安保巡逻", "24-hour security patrols", "门岗、巡更、监控"),
    ("公共设施维修", "Common facility repairs", "电梯、照明、管网"),
    ("绿化养护", "Garden upkeep", "修剪、浇灌、补种"),
)
METHODS = {"wechat": 0.45, "alipay": 0.25, "cash": 0.2, "bank_transfer": 0.1}


def has_fees(session: Session, estate: Estate) -> bool:
    """Whether the demo fees are there already."""
    return session.exec(select(ServiceItem.id).where(ServiceItem.estate_id == estate.id)).first() is not None


def generate(session: Session, estate: Estate, manager: Actor, now: datetime) -> int:
    """The rate, the menu and three months of bills with payments (once). Returns the payments made."""
    if has_fees(session, estate):
        return 0
    rng = random.Random(SEED)
    for sort, (zh, en, category, price, unit, about) in enumerate(SPECIAL):
        fees.save_service(session, manager, {"name_zh": zh, "name_en": en, "category": category, "special": "on",
                                             "price": price, "price_unit": unit, "description_zh": about})
    for zh, en, about in PUBLIC:
        fees.save_service(session, manager, {"name_zh": zh, "name_en": en, "category": "public",
                                             "description_zh": about})
    fees.set_rate(session, manager, RATE)
    last = session.exec(select(Building).where(Building.estate_id == estate.id).order_by(col(Building.id).desc())
                        ).first()
    if last is not None:
        fees.set_rate(session, manager, HIGH_RISE_RATE, last.id)
    zone = ZoneInfo(estate.timezone)
    this_month = now.astimezone(zone).date().replace(day=1)
    first = add_months(this_month, -(MONTHS - 1))
    for back in range(MONTHS):
        month = add_months(first, back)
        fees.generate_month(session, manager, label(month), now=_local(month, 1, zone))
    return _payments(session, estate, manager, first, this_month, now, zone, rng)


def _local(month, day: int, zone: ZoneInfo, hour: int = 9) -> datetime:
    return datetime.combine(month.replace(day=day), time(hour), tzinfo=zone).astimezone(UTC)


def _payments(session, estate, manager, first, this_month, now, zone, rng) -> int:
    resident_unit = session.exec(select(User.unit_id).where(User.phone == DEMO_RESIDENT[0])).first()
    late_payers = set(rng.sample(sorted(session.exec(select(FeeBill.unit_id).where(
        FeeBill.estate_id == estate.id, FeeBill.period == first)).all()), 6))
    planned = []
    for bill in session.exec(select(FeeBill).where(FeeBill.estate_id == estate.id, FeeBill.period >= first)):
        current = bill.period == this_month
        if bill.unit_id in late_payers or (bill.unit_id == resident_unit and current):
            continue
        chance = 0.5 if current else 0.97
        if rng.random() > chance:
            continue
        days = max(1, (now.astimezone(zone).date() - bill.period).days) if current else 27
        moment = _local(bill.period, 1, zone, 9) + timedelta(days=rng.randrange(days), minutes=rng.randrange(600))
        if moment >= now:
            continue
        amount = bill.amount
        if rng.random() < 0.05:
            amount = (bill.amount / 2).quantize(bill.amount)
        planned.append((moment, bill.id, amount))
    planned.sort()
    for number, (moment, bill_id, amount) in enumerate(planned):
        method = rng.choices(list(METHODS), weights=list(METHODS.values()))[0]
        reference = "" if method == "cash" else f"{method[:2].upper()}{moment:%Y%m%d}{number:05d}"
        fees.record_payment(session, manager, bill_id, amount, method, reference, f"demo-payment-{number:08d}",
                            now=moment)
    return len(planned)

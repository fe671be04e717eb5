"""Demo menu and bookings, made through the services: 14 special services typical of a Chinese estate at marked
prices (明码标价) with their durations, lead times and cancellation rules (repairs and appliance work done by the
technicians on duty, housekeeping by the cleaners), the public services the fee includes, and about 90 days of
bookings — done by the staff each one holds, rated and mostly paid at the office, a few cancelled (free or with
the fee, paid ones refunded) — and some upcoming, among them household cleaning for each day cleaner."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from estate_pwa.models import Booking, Estate, Role, ServiceItem, User
from estate_pwa.services import bookings, fees, jobs
from estate_pwa.services.bookings.slots import starts_on
from estate_pwa.services.demo.world import World, backdated
from estate_pwa.services.permissions import Actor, actor_for

SEED = 12
# (zh, en, category, price, unit, description zh, minutes, lead hours, free-cancel hours, cancel fee, staff role)
SPECIAL = (
    ("家庭保洁", "Household cleaning", "housekeeping", "45.00", "hour", "两小时起", 120, 12, 12, "20.00", "cleaner"),
    ("开荒保洁", "Move-in deep clean", "housekeeping", "6.00", "m2", "按建筑面积计", 240, 24, 24, "50.00",
     "cleaner"),
    ("窗帘清洗", "Curtain washing", "housekeeping", "15.00", "m2", "拆装、清洗、熨烫", 60, 24, 12, "10.00",
     "cleaner"),
    ("空调清洗", "Air-conditioner cleaning", "repair", "80.00", "item", "挂机;柜机 120 元", 60, 4, 12, "20.00",
     "technician"),
    ("家电维修", "Appliance repair", "repair", "50.00", "visit", "上门检测费,配件另计", 60, 2, 4, "20.00",
     "technician"),
    ("管道疏通", "Pipe unblocking", "repair", "80.00", "visit", "厨卫下水", 60, 1, 2, "30.00", "technician"),
    ("水龙头更换", "Tap replacement", "repair", "30.00", "item", "人工费,配件另计", 60, 2, 4, "10.00",
     "technician"),
    ("灯具安装", "Light fitting", "repair", "20.00", "item", "人工费", 60, 2, 4, "10.00", "technician"),
    ("洗车", "Car wash", "car", "30.00", "visit", "地下车库车位上门", 60, 2, 2, "10.00", None),
    ("搬家协助", "Moving help", "errands", "150.00", "hour", "两人一组", 180, 48, 24, "100.00", None),
    ("快递送货上门", "Parcels to the door", "errands", "3.00", "item", "从快递柜送到家门口", 30, 1, 1, "0.00", None),
    ("代收代寄", "Parcel handling", "errands", "5.00", "item", "代收、代寄快递", 30, 1, 1, "0.00", None),
    ("老人探访", "Elderly visits", "care", "40.00", "visit", "上门陪伴、测量血压", 60, 12, 6, "10.00", None),
    ("宠物照看", "Pet care", "care", "50.00", "visit", "喂食、遛狗", 60, 12, 6, "20.00", None),
)
PUBLIC = (
    ("公共区域保洁", "Common-area cleaning", "每日清扫,定期消杀"),
    ("24小时安保巡逻", "24-hour security patrols", "门岗、巡更、监控"),
    ("公共设施维修", "Common facility repairs", "电梯、照明、管网"),
    ("绿化养护", "Garden upkeep", "修剪、浇灌、补种"),
)
PER_WEEK = 4
UPCOMING = 5
METHODS = ("wechat", "alipay", "cash")


def ensure_menu(session: Session, estate: Estate, manager: Actor) -> list[ServiceItem]:
    """The menu (once); returns the bookable services."""
    if session.exec(select(ServiceItem.id).where(ServiceItem.estate_id == estate.id)).first() is None:
        for zh, en, category, price, unit, about, minutes, lead, free, fee, role in SPECIAL:
            bookings.save_service(session, manager, {
                "name_zh": zh, "name_en": en, "category": category, "special": "on", "price": price,
                "price_unit": unit, "description_zh": about, "duration_minutes": minutes, "lead_hours": lead,
                "free_cancel_hours": free, "cancel_fee": fee, "staff_role": role})
        for zh, en, about in PUBLIC:
            bookings.save_service(session, manager, {"name_zh": zh, "name_en": en, "category": "public",
                                                     "description_zh": about})
    return [i for i in session.exec(select(ServiceItem).where(ServiceItem.estate_id == estate.id))
            if bookings.bookable(i)]


def generate(session: Session, world: World, now: datetime) -> int:
    """The menu and the bookings (once). Returns the bookings made."""
    items = ensure_menu(session, world.estate, world.manager)
    if not items or session.exec(select(Booking.id).where(Booking.estate_id == world.estate.id)).first():
        return 0
    rng, zone, made = random.Random(SEED), ZoneInfo(world.estate.timezone), 0
    today = now.astimezone(zone).date()
    with backdated(session, world):  # audit entries and rows dated at each step, like the rest of the history
        for day in world.days()[:-1]:
            for _ in range(rng.choice(range(PER_WEEK + 1)) // 2):
                resident = rng.choice(world.residents)
                made += _past(session, world, rng, rng.choice(items), resident, day, now)
        for back in (3, 9):
            made += _past(session, world, rng, items[0], world.demo_resident, today - timedelta(days=back), now,
                          rate=back > 5)
        for ahead in range(1, UPCOMING + 1):
            resident = world.demo_resident if ahead == 2 else rng.choice(world.residents)
            world.now = now - timedelta(hours=rng.randrange(1, 20))
            made += _upcoming(session, rng, rng.choice(items), resident, today + timedelta(days=ahead), world.now,
                              zone)
        made += _cleaning_tomorrow(session, world, rng, items, now)
    return made


def _cleaning_tomorrow(session: Session, world: World, rng: random.Random, items: list[ServiceItem],
                       now: datetime) -> int:
    """Household cleaning booked for each day cleaner on the first day it can be (their job lists show it)."""
    item = next(i for i in items if i.staff_role == Role.CLEANER)
    world.now = now - timedelta(minutes=5)
    made = 0
    for ahead in range(1, 4):
        for start in starts_on(item, world.local(now).date() + timedelta(days=ahead), world.estate.timezone):
            for resident in (world.demo_resident, rng.choice(world.residents)):
                if made < 2 and start >= now + timedelta(hours=item.lead_hours) and _free(
                        session, item, resident, start, world.zone):
                    bookings.book(session, resident, item.id, start.isoformat(), now=world.now)
                    made += 1
        if made:
            return made
    return made


def _slot(rng: random.Random, item: ServiceItem, day, zone: ZoneInfo) -> datetime | None:
    starts = starts_on(item, day, str(zone))
    return rng.choice(starts) if starts else None


def _past(session: Session, world: World, rng: random.Random, item: ServiceItem, resident: Actor, day,
          now: datetime, rate: bool = True) -> int:
    start = _slot(rng, item, day, world.zone)
    booked_at = start - timedelta(hours=item.lead_hours + rng.randrange(2, 48)) if start else None
    if start is None or start + timedelta(hours=3) >= now or booked_at < world.start:  # within the history
        return 0
    if not _free(session, item, resident, start, world.zone):
        return 0
    world.now = booked_at
    booking = bookings.book(session, resident, item.id, start.isoformat(), now=booked_at)
    if rng.random() < 0.08:
        world.now = booked_at + timedelta(hours=1)
        bookings.cancel(session, resident, booking.id, now=world.now)
        return 1
    staff = actor_for(session, session.get(User, booking.staff_id))
    ends = booking.ends_at
    world.now = start
    jobs.accept(session, staff, booking.request_id, now=start)
    world.now = ends
    jobs.complete(session, staff, booking.request_id, "已按约完成", now=ends)
    if rate and rng.random() < 0.85:
        world.now = ends + timedelta(hours=2)
        jobs.rate(session, resident, booking.request_id, rng.random() < 0.94, now=world.now)
    if rng.random() < 0.8 or not rate:
        paid_at = ends + timedelta(hours=rng.randrange(1, 30))
        world.now = paid_at
        if paid_at < now:
            method = rng.choice(METHODS)
            reference = "" if method == "cash" else f"{method[:2].upper()}{paid_at:%Y%m%d}B{booking.id:05d}"
            fees.record_payment(session, world.manager, _bill_id(session, world.manager, booking.id),
                                booking.amount, method, reference, f"demo-booking-{booking.id:08d}", now=paid_at)
    return 1


def _bill_id(session: Session, manager: Actor, booking_id: int) -> int:
    return bookings.booking_bill(session, manager, booking_id)


def _upcoming(session: Session, rng: random.Random, item: ServiceItem, resident: Actor, day, now: datetime,
              zone: ZoneInfo) -> int:
    start = _slot(rng, item, day, zone)
    if start is None or start < now + timedelta(hours=item.lead_hours):
        return 0
    if not _free(session, item, resident, start, zone):
        return 0
    bookings.book(session, resident, item.id, start.isoformat(), now=now)
    return 1


def _free(session: Session, item: ServiceItem, resident: Actor, start: datetime, zone: ZoneInfo) -> bool:
    """Whether the booking would go through (a refusal would roll the whole demo back): a place is free and the
    resident has not booked that slot already."""
    mine = session.exec(select(Booking.id).where(Booking.resident_id == resident.id, Booking.starts_at == start,
                                                 Booking.service_id == item.id,
                                                 col(Booking.cancelled_at).is_(None))).first()
    return mine is None and bool(bookings.free_staff(session, item, start, str(zone)))




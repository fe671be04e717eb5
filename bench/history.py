"""Years of an estate's records at realistic volumes, inserted in bulk (SQLAlchemy Core, executemany in batches)
for the indicators benchmark. One function per feature: a later feature (cleaning, facilities, fees …) adds its
own `add_<feature>(db, estate, rng)` and lists it in FEATURES.

Volumes per year for an estate of `units` units: repairs ≈ 1.5 per unit (mixed urgency, most on time, quality
marks, follow-up visits on ~30%), complaints ≈ 0.2 and suggestions ≈ 0.1 per unit (a third of complaints
confirmed effective), patrol rounds of 8 routes every 2 hours with ~4 scans each, incidents ≈ 2 a day, two
surveys answered by most households; residents in ~95% of units; cleaning of 60 areas (≈125 tasks a day, mostly
ticked, every area inspected weekly).
"""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from estate_pwa.core.security import hash_password
from estate_pwa.models import FeeBill, FeePayment, FeeRate, FeeReceipt, ReceiptCounter
from estate_pwa.models import (
    Area, AreaKind, Building, Estate, FollowUp, Incident, IncidentCategory, PatrolPoint, PatrolRound, PatrolRoute,
    PatrolScan, Rating, RepairCategory, RequestKind, RequestStatus, Role, RoundStatus, RouteStop, ScanOutcome,
    ServiceRequest, Shift, Survey, SurveyAnswer, Unit, Urgency, User, UserRole,
)

BATCH = 5000
ROUTES = 8
STOPS = 4
ROUND_EVERY = timedelta(hours=2)


@dataclass
class Estate3y:
    """What the features share: the estate, its span of time, people and places (ids)."""

    estate_id: int
    start: datetime
    end: datetime
    manager_id: int = 0
    unit_ids: list[int] = field(default_factory=list)
    residents: dict[int, list[int]] = field(default_factory=dict)
    technician_ids: list[int] = field(default_factory=list)
    guard_ids: list[int] = field(default_factory=list)
    point_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def moment(self, rng: random.Random) -> datetime:
        return self.start + (self.end - self.start) * rng.random()


def _defaults(model) -> dict[str, object]:
    """The model's own defaults for every field (a default factory is called once, e.g. created_at)."""
    values = {}
    for name, info in model.model_fields.items():
        if info.default is not PydanticUndefined and info.default is not None:
            values[name] = info.default
        elif info.default_factory is not None:
            values[name] = info.default_factory()
        else:
            values[name] = None
    values.pop("id", None)
    return values


def _insert(db: Session, model, rows: Iterable[dict]) -> int:
    """Insert rows in batches (each completed with the model's defaults); returns how many."""
    base, batch, total = _defaults(model), [], 0
    statement = insert(model.__table__)
    for row in rows:
        batch.append({**base, **row})
        if len(batch) >= BATCH:
            db.execute(statement, batch)
            total, batch = total + len(batch), []
    if batch:
        db.execute(statement, batch)
        total += len(batch)
    return total


def _ids(db: Session, column, *where, order=None) -> list:
    return list(db.execute(select(column).where(*where).order_by(order if order is not None else column)).scalars())


def add_estate(db: Session, est: Estate3y, units: int, rng: random.Random) -> None:
    """Buildings of 25 floors × 4 units, common areas, shifts, staff, and one or two residents in ~95% of units
    (one password hash shared by all)."""
    floors, per_floor = 25, 4
    buildings = max(1, units // (floors * per_floor))
    _insert(db, Building, ({"estate_id": est.estate_id, "name": f"{b}栋", "floors": floors}
                           for b in range(1, buildings + 1)))
    building_ids = _ids(db, Building.id, Building.estate_id == est.estate_id)
    _insert(db, Unit, ({"estate_id": est.estate_id, "building_id": b, "number": f"{f}{n:02d}", "floor": f,
                        "area_m2": 89.0} for b in building_ids for f in range(1, floors + 1)
                       for n in range(1, per_floor + 1)))
    est.unit_ids = _ids(db, Unit.id, Unit.estate_id == est.estate_id)
    _insert(db, Area, ({"estate_id": est.estate_id, "name": f"区域{i}", "kind": AreaKind.OTHER} for i in range(40)))
    _insert(db, Shift, [{"estate_id": est.estate_id, "name": "白班", "starts": time(8), "ends": time(20)},
                        {"estate_id": est.estate_id, "name": "夜班", "starts": time(20), "ends": time(8)}])
    password = hash_password("Bench12345")
    phone = 17000000000 + est.estate_id * 100000
    staff = [(Role.MANAGER, 2), (Role.TECHNICIAN, 8), (Role.GUARD, 16)]
    people = []
    for role, count in staff:
        people += [(role, None) for _ in range(count)]
    for unit_id in est.unit_ids:
        if rng.random() < 0.95:
            people += [(Role.RESIDENT, unit_id)] * rng.choice((1, 1, 2))
    _insert(db, User, ({"estate_id": est.estate_id, "phone": str(phone + i), "name": f"用户{i}",
                        "password_hash": password, "unit_id": unit_id} for i, (_, unit_id) in enumerate(people)))
    user_ids = _ids(db, User.id, User.estate_id == est.estate_id)
    _insert(db, UserRole, ({"user_id": uid, "role": role} for uid, (role, _) in zip(user_ids, people)))
    for uid, (role, unit_id) in zip(user_ids, people):
        if role == Role.MANAGER:
            est.manager_id = est.manager_id or uid
        elif role == Role.TECHNICIAN:
            est.technician_ids.append(uid)
        elif role == Role.GUARD:
            est.guard_ids.append(uid)
        else:
            est.residents.setdefault(unit_id, []).append(uid)
    est.counts["units"], est.counts["residents"] = len(est.unit_ids), sum(map(len, est.residents.values()))


def add_repairs(db: Session, est: Estate3y, rng: random.Random) -> None:
    """≈1.5 repairs per unit per year: 20% emergencies, ~95% finished on time, 70% quality-marked, ~30% visited."""
    count = round(1.5 * len(est.unit_ids) * est.days / 365)

    def rows() -> Iterator[dict]:
        for _ in range(count):
            received = est.moment(rng)
            emergency = rng.random() < 0.2
            promise = timedelta(hours=4) if emergency else timedelta(days=rng.choice((1, 2)))
            promised = received + timedelta(minutes=5) + promise
            late = rng.random() < 0.05
            completed = promised + timedelta(hours=rng.uniform(1, 30)) if late else \
                received + (promised - received) * rng.uniform(0.1, 0.9)
            done = completed <= est.end
            unit_id = rng.choice(est.unit_ids)
            yield {"estate_id": est.estate_id, "kind": RequestKind.REPAIR, "category": rng.choice(list(RepairCategory)),
                   "urgency": Urgency.EMERGENCY if emergency else Urgency.ROUTINE,
                   "status": (RequestStatus.CLOSED if rng.random() < 0.85 else RequestStatus.COMPLETED) if done
                   else RequestStatus.ACCEPTED,
                   "description": "厨房水龙头漏水", "unit_id": unit_id,
                   "reporter_id": rng.choice(est.residents.get(unit_id, [None])),
                   "first_receiver_id": est.manager_id, "technician_id": rng.choice(est.technician_ids),
                   "received_at": received, "dispatched_at": received + timedelta(minutes=2),
                   "accepted_at": received + timedelta(minutes=5), "promised_at": promised,
                   "postponements": int(rng.random() < 0.05), "completed_at": completed if done else None,
                   "work_done": "更换阀芯" if done else None, "on_time": (not late) if done else None,
                   "satisfied": True if done and rng.random() < 0.8 else None,
                   "quality_pass": (rng.random() < 0.97) if done and rng.random() < 0.7 else None,
                   "created_at": received}
    est.counts["repairs"] = _insert(db, ServiceRequest, rows())
    finished = dict(db.execute(select(ServiceRequest.id, ServiceRequest.completed_at).where(
        ServiceRequest.estate_id == est.estate_id, ServiceRequest.kind == RequestKind.REPAIR,
        ServiceRequest.completed_at.is_not(None))).all())
    visited = [rid for rid in sorted(finished) if rng.random() < 0.3]
    est.counts["follow_ups"] = _insert(db, FollowUp, (
        {"estate_id": est.estate_id, "request_id": rid, "reason": "sample", "outcome": "满意",
         "resident_satisfied": True, "done_by_id": est.manager_id,
         "done_at": min(est.end, _aware(finished[rid]) + timedelta(days=2)), "created_at": _aware(finished[rid])}
        for rid in visited))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_complaints(db: Session, est: Estate3y, rng: random.Random) -> None:
    """Complaints (≈0.2 per unit a year, a third confirmed effective) and suggestions (≈0.1), replied to and
    mostly closed."""
    def rows(kind: str, per_unit: float) -> Iterator[dict]:
        for _ in range(round(per_unit * len(est.unit_ids) * est.days / 365)):
            received = est.moment(rng)
            replied = received + timedelta(hours=rng.uniform(1, 60))
            done = replied <= est.end
            unit_id = rng.choice(est.unit_ids)
            yield {"estate_id": est.estate_id, "kind": kind, "status": (
                       RequestStatus.CLOSED if rng.random() < 0.9 else RequestStatus.COMPLETED) if done
                   else RequestStatus.RECEIVED,
                   "description": "夜间装修噪音", "unit_id": unit_id,
                   "reporter_id": rng.choice(est.residents.get(unit_id, [None])), "first_receiver_id": est.manager_id,
                   "received_at": received, "reply": "已处理" if done else None, "replied_at": replied if done else None,
                   "completed_at": replied if done else None, "on_time": replied - received <= timedelta(days=2),
                   "effective": (rng.random() < 0.33) if kind == RequestKind.COMPLAINT else None,
                   "created_at": received}
    est.counts["complaints"] = _insert(db, ServiceRequest, rows(RequestKind.COMPLAINT, 0.2))
    est.counts["suggestions"] = _insert(db, ServiceRequest, rows(RequestKind.SUGGESTION, 0.1))


def add_patrols(db: Session, est: Estate3y, rng: random.Random) -> None:
    """8 routes of 4 checkpoints, a round every 2 hours around the clock; 90% on time, then late, missed,
    incomplete; ~4 scans per walked round."""
    area = _ids(db, Area.id, Area.estate_id == est.estate_id)[0]
    _insert(db, PatrolPoint, ({"estate_id": est.estate_id, "area_id": area, "name": f"巡更点{i}"}
                              for i in range(ROUTES * STOPS)))
    est.point_ids = _ids(db, PatrolPoint.id, PatrolPoint.estate_id == est.estate_id)
    _insert(db, PatrolRoute, ({"estate_id": est.estate_id, "name": f"路线{r}", "expected_minutes": 40,
                               "grace_minutes": 15, "starts": time(0), "ends": time(0), "every_minutes": 120}
                              for r in range(ROUTES)))
    route_ids = _ids(db, PatrolRoute.id, PatrolRoute.estate_id == est.estate_id)
    _insert(db, RouteStop, ({"estate_id": est.estate_id, "route_id": rid, "point_id": est.point_ids[r * STOPS + s],
                             "position": s} for r, rid in enumerate(route_ids) for s in range(STOPS)))
    first = est.start.replace(minute=0, second=0, microsecond=0)
    windows = int((est.end - first) / ROUND_EVERY)
    statuses = {}

    def rounds() -> Iterator[dict]:
        for w in range(windows):
            start = first + ROUND_EVERY * w
            for r, rid in enumerate(route_ids):
                status = rng.choices((RoundStatus.ON_TIME, RoundStatus.LATE, RoundStatus.MISSED,
                                      RoundStatus.INCOMPLETE), (90, 4, 4, 2))[0]
                statuses[(rid, w)] = status
                yield {"estate_id": est.estate_id, "route_id": rid, "guard_id": est.guard_ids[r % len(est.guard_ids)],
                       "window_start": start, "window_end": start + timedelta(minutes=40),
                       "grace_end": start + timedelta(minutes=55), "status": status,
                       "started_at": None if status == RoundStatus.MISSED else start + timedelta(minutes=2),
                       "finished_at": start + timedelta(minutes=35 if status == RoundStatus.ON_TIME else 50)
                       if status in (RoundStatus.ON_TIME, RoundStatus.LATE) else None, "created_at": start}
    est.counts["rounds"] = _insert(db, PatrolRound, rounds())
    stops = {rid: est.point_ids[r * STOPS:(r + 1) * STOPS] for r, rid in enumerate(route_ids)}

    def scans() -> Iterator[dict]:
        result = db.execute(select(PatrolRound.id, PatrolRound.route_id, PatrolRound.guard_id,
                                   PatrolRound.window_start, PatrolRound.status).where(
            PatrolRound.estate_id == est.estate_id, PatrolRound.status != RoundStatus.MISSED)
            .order_by(PatrolRound.id)).all()
        for round_id, route_id, guard_id, start, status in result:
            walked = stops[route_id][:2] if status == RoundStatus.INCOMPLETE else stops[route_id]
            for i, point_id in enumerate(walked):
                at = _aware(start) + timedelta(minutes=4 + 9 * i + rng.uniform(0, 3))
                yield {"estate_id": est.estate_id, "round_id": round_id, "point_id": point_id, "guard_id": guard_id,
                       "scan_uid": f"b{round_id}-{i}", "client_time": at, "server_time": at,
                       "outcome": ScanOutcome.COUNTED, "detail": ""}
    est.counts["scans"] = _insert(db, PatrolScan, scans())


def add_incidents(db: Session, est: Estate3y, rng: random.Random) -> None:
    """≈2 incidents a day: mostly violations and damage, some security and fire alarms; 90% closed."""
    weights = {IncidentCategory.VIOLATION: 40, IncidentCategory.FACILITY_DAMAGE: 30, IncidentCategory.SECURITY: 12,
               IncidentCategory.FIRE_ALARM: 6, IncidentCategory.OTHER: 12}

    def rows() -> Iterator[dict]:
        for _ in range(2 * est.days):
            found = est.moment(rng)
            closed = rng.random() < 0.9
            yield {"estate_id": est.estate_id, "reporter_id": rng.choice(est.guard_ids),
                   "category": rng.choices(list(weights), list(weights.values()))[0], "text": "消防通道违规停车",
                   "point_id": rng.choice(est.point_ids), "status": "closed" if closed else "open",
                   "closed_by_id": est.manager_id if closed else None,
                   "closed_at": found + timedelta(hours=5) if closed else None,
                   "closing_note": "已处理" if closed else None, "created_at": found}
    est.counts["incidents"] = _insert(db, Incident, rows())


def add_surveys(db: Session, est: Estate3y, rng: random.Random) -> None:
    """A survey every six months, open for a month, answered by ~85% of occupied households."""
    opened = est.start + timedelta(days=30)
    total = 0
    while opened + timedelta(days=30) <= est.end:
        db.execute(insert(Survey.__table__).values(estate_id=est.estate_id, title=f"{opened:%Y-%m} 满意度调查",
                                                   opened_at=opened, closed_at=opened + timedelta(days=30),
                                                   opened_by_id=est.manager_id, created_at=opened))
        survey_id = db.execute(select(Survey.id).where(Survey.estate_id == est.estate_id)
                               .order_by(Survey.id.desc())).scalars().first()
        ratings = list(Rating)

        def rows(survey_id=survey_id, opened=opened) -> Iterator[dict]:
            for unit_id, people in est.residents.items():
                if rng.random() < 0.85:
                    overall = rng.choices(ratings, (70, 27, 3))[0]
                    yield {"estate_id": est.estate_id, "survey_id": survey_id, "unit_id": unit_id,
                           "resident_id": rng.choice(people), "overall": overall, "security": overall,
                           "cleaning": overall, "repairs": overall, "greenery": overall, "attitude": overall,
                           "answered_at": opened + timedelta(days=30 * rng.random())}
        total += _insert(db, SurveyAnswer, rows())
        opened += timedelta(days=182)
    est.counts["survey_answers"] = total


def add_fees(db: Session, est: Estate3y, rng: random.Random) -> None:
    """A bill per unit and month at 2.20 yuan/m² (89 m²: 195.80); ~96% paid in full (most within the month, the
    rest up to 6 months late), ~2% half paid, the rest unpaid; a receipt per payment, numbered in time order."""
    from decimal import Decimal

    rate, area = Decimal("2.20"), Decimal("89.00")
    amount = (rate * area).quantize(Decimal("0.01"))
    months, first = [], est.start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while first < est.end:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    _insert(db, FeeRate, [{"estate_id": est.estate_id, "building_id": None, "rate": rate,
                           "effective_from": months[0].date(), "changed_by_id": est.manager_id,
                           "created_at": est.start}])
    plans = {}
    for month in months:
        for unit_id in est.unit_ids:
            roll = rng.random()
            paid = amount if roll < 0.96 else (amount / 2).quantize(Decimal("0.01")) if roll < 0.98 else Decimal(0)
            late = timedelta(days=rng.randrange(28)) if rng.random() < 0.9 else timedelta(days=rng.randrange(180))
            plans[unit_id, month] = (paid, month + late + timedelta(hours=rng.randrange(24)))
    _insert(db, FeeBill, ({"estate_id": est.estate_id, "unit_id": u, "period": m.date(), "area_m2": area,
                           "rate": rate, "amount": amount, "paid": p if t < est.end else Decimal(0),
                           "generated_by_id": est.manager_id, "created_at": _aware(m)}
                          for (u, m), (p, t) in plans.items()))
    bill_ids = dict(((u, p), i) for i, u, p in db.execute(select(FeeBill.id, FeeBill.unit_id, FeeBill.period).where(
        FeeBill.estate_id == est.estate_id)))
    paying = sorted((t, bill_ids[u, m.date()], p) for (u, m), (p, t) in plans.items() if p and t < est.end)
    est.counts["fee_payments"] = _insert(db, FeePayment, (
        {"estate_id": est.estate_id, "bill_id": b, "amount": p, "method": "wechat", "reference": f"B{n}",
         "key": f"ref:wechat:B{n}", "received_at": _aware(t), "recorded_by_id": est.manager_id}
        for n, (t, b, p) in enumerate(paying)))
    payment_ids = _ids(db, FeePayment.id, FeePayment.estate_id == est.estate_id)
    _insert(db, FeeReceipt, ({"estate_id": est.estate_id, "number": n + 1, "payment_id": pid,
                              "issued_at": _aware(t)} for n, (pid, (t, _, _)) in enumerate(zip(payment_ids, paying))))
    _insert(db, ReceiptCounter, [{"estate_id": est.estate_id, "last_number": len(paying)}])
    est.counts["fee_bills"] = len(plans)


CLEANING_AREAS = ((AreaKind.LOBBY, 20), (AreaKind.LIFT, 20), (AreaKind.STAIRWELL, 10), (AreaKind.BIN_ROOM, 4),
                  (AreaKind.GREEN_BELT, 3), (AreaKind.ROAD, 2), (AreaKind.CAR_PARK, 1))
CLEANING_ITEMS = {  # kind: (frequency, photo required) per item
    AreaKind.LOBBY: (("every_shift", False), ("daily", False), ("weekly", False)),
    AreaKind.LIFT: (("daily", False), ("every_shift", True), ("weekly", False)),
    AreaKind.STAIRWELL: (("daily", True), ("daily", False), ("weekly", False)),
    AreaKind.BIN_ROOM: (("every_shift", False), ("daily", False), ("weekly", True)),
    AreaKind.GREEN_BELT: (("daily", False), ("weekly", False)),
    AreaKind.ROAD: (("every_shift", False), ("daily", False), ("weekly", False)),
    AreaKind.CAR_PARK: (("daily", False), ("every_shift", False), ("weekly", True)),
}
CLEANERS = 8


def add_cleaning(db: Session, est: Estate3y, rng: random.Random) -> None:
    """60 cleaned areas with 2–3 checklist items each, 8 cleaners responsible for them; every day's tasks (day
    shift, whole day, week), ~96% ticked (~5% of those late); every area inspected weekly (~3% of items failed,
    each with a rework task)."""
    from zoneinfo import ZoneInfo

    from estate_pwa.models import (
        ChecklistItem, CleaningAssignment, CleaningInspection, CleaningResult, CleaningTask, CleaningTick,
    )

    zone = ZoneInfo("Asia/Shanghai")
    kinds = [kind for kind, count in CLEANING_AREAS for _ in range(count)]
    _insert(db, Area, ({"estate_id": est.estate_id, "name": f"保洁区{i}", "kind": kind}
                       for i, kind in enumerate(kinds)))
    areas = list(db.execute(select(Area.id, Area.kind).where(Area.estate_id == est.estate_id,
                                                               Area.name.like("保洁区%")).order_by(Area.id)).all())
    _insert(db, ChecklistItem, ({"estate_id": est.estate_id, "area_kind": kind, "text": f"清洁项{n}",
                                 "frequency": frequency, "photo_required": photo, "position": n,
                                 "created_at": est.start}
                                for kind, items in CLEANING_ITEMS.items()
                                for n, (frequency, photo) in enumerate(items)))
    items: dict[str, list] = {}
    for item_id, kind, frequency, photo in db.execute(select(
            ChecklistItem.id, ChecklistItem.area_kind, ChecklistItem.frequency, ChecklistItem.photo_required).where(
            ChecklistItem.estate_id == est.estate_id).order_by(ChecklistItem.id)):
        items.setdefault(kind, []).append((item_id, frequency, photo))
    phone = 17000000000 + est.estate_id * 100000 + 90000
    _insert(db, User, ({"estate_id": est.estate_id, "phone": str(phone + i), "name": f"保洁{i}",
                        "password_hash": "x", "unit_id": None} for i in range(CLEANERS)))
    cleaners = _ids(db, User.id, User.estate_id == est.estate_id, User.name.like("保洁%"))
    _insert(db, UserRole, ({"user_id": uid, "role": Role.CLEANER} for uid in cleaners))
    owner = {area_id: cleaners[i % CLEANERS] for i, (area_id, _) in enumerate(areas)}
    _insert(db, CleaningAssignment, ({"estate_id": est.estate_id, "area_id": area_id, "cleaner_id": owner[area_id],
                                      "starts_at": est.start, "walk_order": i // CLEANERS,
                                      "assigned_by_id": est.manager_id, "created_at": est.start}
                                     for i, (area_id, _) in enumerate(areas)))
    shift_id = db.execute(select(Shift.id).where(Shift.estate_id == est.estate_id, Shift.name == "白班")).scalar_one()
    first, last = est.start.astimezone(zone).date(), est.end.astimezone(zone).date()

    def local(day, hour: float) -> datetime:
        return (datetime.combine(day, time(0), tzinfo=zone) + timedelta(hours=hour)).astimezone(UTC)

    def tasks() -> Iterator[dict]:
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            for area_id, kind in areas:
                for item_id, frequency, _ in items[kind]:
                    if frequency == "weekly" and day.weekday() != 0:
                        continue
                    starts, due, slot = local(day, 0), local(day, 24), "day"
                    if frequency == "every_shift":
                        starts, due, slot = local(day, 8), local(day, 20), f"shift:{shift_id}"
                    elif frequency == "weekly":
                        due, slot = local(day, 24 * 7), "week"
                    fate = rng.random()
                    done = None if fate < 0.04 else due + timedelta(minutes=rng.uniform(5, 600)) if fate < 0.09 \
                        else starts + (due - starts) * rng.uniform(0.05, 0.95)
                    yield {"estate_id": est.estate_id, "area_id": area_id, "item_id": item_id, "day": day,
                           "slot": slot, "kind": "routine", "shift_id": shift_id if slot != "day" and slot != "week"
                           else None, "starts_at": starts, "due_at": due, "cleaner_id": None,
                           "done_at": done if done is not None and done <= est.end else None, "created_at": starts}
    est.counts["cleaning_tasks"] = _insert(db, CleaningTask, tasks())
    photo = {item_id for kind_items in items.values() for item_id, _, needs in kind_items if needs}

    def ticks() -> Iterator[dict]:
        for task_id, area_id, item_id, due, done in db.execute(select(
                CleaningTask.id, CleaningTask.area_id, CleaningTask.item_id, CleaningTask.due_at,
                CleaningTask.done_at).where(CleaningTask.estate_id == est.estate_id,
                                            CleaningTask.done_at.is_not(None)).order_by(CleaningTask.id)).all():
            yield {"estate_id": est.estate_id, "task_id": task_id, "cleaner_id": owner[area_id],
                   "tick_uid": f"task-{task_id}", "done_at": done, "client_time": done,
                   "late": _aware(done) > _aware(due), "present": task_id % 17 != 0,  # ~6% unscanned
                   "photos": ["cleaning/0123456789abcdef0123456789abcdef.jpg"] if item_id in photo else []}
    est.counts["cleaning_ticks"] = _insert(db, CleaningTick, ticks())
    weeks = (last - first).days // 7
    visits = [(area_id, kind, local(first + timedelta(days=7 * w + i % 5), rng.uniform(9.5, 16.5)))
              for w in range(weeks + 1) for i, (area_id, kind) in enumerate(areas)]
    visits = [(a, k, at) for a, k, at in visits if est.start <= at <= est.end]
    _insert(db, CleaningInspection, ({"estate_id": est.estate_id, "area_id": a, "inspector_id": est.manager_id,
                                      "inspected_at": at, "note": ""} for a, _, at in visits))
    inspection_ids = _ids(db, CleaningInspection.id, CleaningInspection.estate_id == est.estate_id)
    est.counts["cleaning_results"] = _insert(db, CleaningResult, (
        {"estate_id": est.estate_id, "inspection_id": iid, "area_id": a, "item_id": item_id, "inspected_at": at,
         "passed": rng.random() >= 0.03, "note": "", "photos": [], "rework_task_id": None}
        for iid, (a, k, at) in zip(inspection_ids, visits) for item_id, _, _ in items[k]))
    failed = db.execute(select(CleaningResult.id, CleaningResult.area_id, CleaningResult.item_id,
                               CleaningResult.inspected_at).where(CleaningResult.estate_id == est.estate_id,
                                                                  CleaningResult.passed.is_(False))).all()
    _insert(db, CleaningTask, ({"estate_id": est.estate_id, "area_id": a, "item_id": i,
                                "day": _aware(at).astimezone(zone).date(), "slot": f"rework:{rid}", "kind": "rework",
                                "starts_at": _aware(at), "due_at": _aware(at) + timedelta(hours=2),
                                "cleaner_id": owner[a], "done_at": _aware(at) + timedelta(hours=1),
                                "created_at": _aware(at)} for rid, a, i, at in failed))
    rework = dict(db.execute(select(CleaningTask.slot, CleaningTask.id).where(
        CleaningTask.estate_id == est.estate_id, CleaningTask.kind == "rework")).all())
    if failed:
        results = CleaningResult.__table__
        db.execute(results.update().where(results.c.id == bindparam("result")).values(
            rework_task_id=bindparam("task")), [{"result": rid, "task": rework[f"rework:{rid}"]} for rid, *_ in failed])
    est.counts["cleaning_rework"] = len(failed)


def add_facilities(db: Session, est: Estate3y, rng: random.Random) -> None:
    """The asset register (registered before the 3 years start): each building by floor area with its grade, two
    extinguishers a floor, hydrants, lifts and an alarm panel per building; roads, greenery and car parks in m²;
    wells, street lights, sports facilities, pumps and gates by item; drains in metres (~2,000 assets). Defects
    ≈ 2 a day, each repaired within hours to ten days (spans of one asset never overlap)."""
    from estate_pwa.models import Asset, AssetDefect

    buildings = db.execute(select(Building.id, Building.name, Building.floors).where(
        Building.estate_id == est.estate_id).order_by(Building.id)).all()
    since = est.start - timedelta(days=30)

    def asset(code, category, subkind, measure, quantity, **more) -> dict:
        return {"estate_id": est.estate_id, "code": code, "category": category, "subkind": subkind,
                "name": code, "measure": measure, "quantity": quantity, "created_at": since, **more}

    def assets() -> Iterator[dict]:
        for building_id, name, floors in buildings:
            yield asset(f"FW-{building_id}", "housing", "building", "area_m2", 10_680,
                        building_id=building_id, grade="good" if rng.random() < 0.9 else "basically_good")
            for floor in range(1, floors + 1):
                for side in "EW":
                    yield asset(f"MHQ-{building_id}-{floor}{side}", "fire_equipment", "extinguisher", "count", 1,
                                building_id=building_id,
                                expires_on=(est.end + timedelta(days=rng.randint(5, 700))).date())
            for n in (1, 2):
                yield asset(f"XHS-{building_id}-{n}", "fire_equipment", "hydrant", "count", 1, building_id=building_id)
                yield asset(f"DT-{building_id}-{n}", "public_equipment", "lift", "count", 1, building_id=building_id,
                            contractor="电梯维保")
            yield asset(f"BJ-{building_id}", "fire_equipment", "alarm", "count", 1, building_id=building_id)
        for n in range(40):
            yield asset(f"DL-{n}", "road", "road", "area_m2", rng.randint(300, 3000))
            yield asset(f"LH-{n}", "green", "lawn", "area_m2", rng.randint(200, 2500))
            yield asset(f"PS-{n}", "drain", "pipe", "length_m", rng.randint(40, 400))
        for n in range(4):
            yield asset(f"TCC-{n}", "car_park", "underground", "area_m2", 15_000)
        for kind, count in (("septic_tank", 10), ("rain_well", 150), ("sewage_well", 120), ("sand_well", 40)):
            for n in range(count):
                yield asset(f"J-{kind}-{n}", "well", kind, "count", 1)
        for n in range(300):
            yield asset(f"LD-{n}", "street_light", "street_light", "count", 1)
        for n in range(40):
            yield asset(f"WT-{n}", "sports_culture", "fitness", "count", 1)
        for n, kind in enumerate(("pump",) * 8 + ("generator",) * 2 + ("gate",) * 8):
            yield asset(f"SB-{n}", "public_equipment", kind, "count", 1, contractor="设备维保")
    est.counts["assets"] = _insert(db, Asset, assets())
    asset_ids = _ids(db, Asset.id, Asset.estate_id == est.estate_id, Asset.category != "housing")
    free_from: dict[int, datetime] = {}

    def defects() -> Iterator[dict]:
        moments = sorted(est.moment(rng) for _ in range(2 * est.days))
        for opened in moments:
            asset_id = rng.choice(asset_ids)
            if free_from.get(asset_id, since) > opened:
                continue
            closed = opened + timedelta(hours=rng.choice((3, 8, 20, 30, 50, 96, 240)))
            closed = None if closed > est.end else closed
            free_from[asset_id] = closed or est.end
            yield {"estate_id": est.estate_id, "asset_id": asset_id, "opened_at": opened, "closed_at": closed,
                   "source": "inspection", "note": "", "created_at": opened}
    est.counts["asset_defects"] = _insert(db, AssetDefect, defects())


def add_inspections(db: Session, est: Estate3y, rng: random.Random) -> None:
    """A monthly inspection plan per category, and every asset inspected once a month by a technician (a task per
    asset and month, done on a random day of it, ~1% found defective; a few left undone), each checklist item a
    result (≈ 70,000 tasks and 140,000 results over 3 years)."""
    from estate_pwa.models import Asset, InspectionPlan, InspectionResult, InspectionTask

    zone = ZoneInfo("Asia/Shanghai")
    items = ["外观完好", "功能正常"]
    plans = {}
    for category in ("housing", "road", "green", "car_park", "well", "street_light", "sports_culture", "drain",
                     "fire_equipment", "public_equipment"):
        plans[category] = db.execute(insert(InspectionPlan.__table__).values(
            estate_id=est.estate_id, name=f"{category} 月检", category=category, frequency="monthly",
            weekdays="", items=items, role="technician", active=True, created_at=est.start)
            .returning(InspectionPlan.__table__.c.id)).scalar_one()
    assets = db.execute(select(Asset.id, Asset.category).where(Asset.estate_id == est.estate_id)
                        .order_by(Asset.id)).all()
    months = []
    first = est.start.astimezone(zone).date().replace(day=1)
    while first <= est.end.astimezone(zone).date():
        following = (first + timedelta(days=32)).replace(day=1)
        months.append((first, datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC),
                       datetime.combine(following, time(0), tzinfo=zone).astimezone(UTC)))
        first = following
    technicians = est.technician_ids or [est.manager_id]

    def tasks() -> Iterator[dict]:
        for day, starts, due in months:
            for asset_id, category in assets:
                done = starts + (min(due, est.end) - starts) * rng.random()
                finished = done < est.end and rng.random() > 0.01
                yield {"estate_id": est.estate_id, "key": f"{plans[category]}:{asset_id}:{day.isoformat()}",
                       "plan_id": plans[category], "asset_id": asset_id, "kind": "routine", "day": day,
                       "starts_at": starts, "due_at": due, "role": "technician", "created_at": starts,
                       "done_at": done if finished else None,
                       "defective": (rng.random() < 0.01) if finished else None,
                       "inspector_id": rng.choice(technicians) if finished else None}
    est.counts["inspection_tasks"] = _insert(db, InspectionTask, tasks())
    done = db.execute(select(InspectionTask.id, InspectionTask.asset_id, InspectionTask.done_at,
                             InspectionTask.defective, InspectionTask.inspector_id).where(
        InspectionTask.estate_id == est.estate_id, InspectionTask.done_at.is_not(None))).all()

    def results() -> Iterator[dict]:
        for task_id, asset_id, at, defective, inspector in done:
            for position, item in enumerate(items):
                yield {"estate_id": est.estate_id, "client_id": f"bench-{task_id}", "task_id": task_id,
                       "asset_id": asset_id, "position": position, "item": item,
                       "outcome": "defective" if defective and position == 0 else "intact", "note": "",
                       "photos": [], "inspector_id": inspector, "recorded_at": at}
    est.counts["inspection_results"] = _insert(db, InspectionResult, results())


FEATURES = (add_repairs, add_complaints, add_patrols, add_incidents, add_surveys, add_fees, add_cleaning,
            add_facilities, add_inspections)
"""Each feature's records; a later feature appends its own function."""


def generate(db: Session, units: int = 3000, years: int = 3, end: datetime | None = None,
             seed: int = 7) -> Estate3y:
    """One estate of `units` units with `years` of records up to `end`; committed."""
    end = end or datetime.now(UTC)
    rng = random.Random(seed)
    estate_id = db.execute(insert(Estate.__table__).values(name="基准小区", code=f"bench{seed}",
                                                           timezone="Asia/Shanghai", auto_dispatch=False,
                                                           followup_percent=30, open_jobs_cap=5,
                                                           created_at=end).returning(Estate.__table__.c.id)
                           ).scalar_one()
    est = Estate3y(estate_id, end - timedelta(days=365 * years), end)
    add_estate(db, est, units, rng)
    for feature in FEATURES:
        feature(db, est, rng)
        db.commit()
    return est

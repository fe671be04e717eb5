"""The demo's cleaning (专职保洁员责任制): checklist templates typical of a Chinese estate for every kind of area
(a bin room and a children's playground are added), two responsible cleaners sharing the areas (one area handed
over a month ago), each day's tasks made by the clock's own `generate_tasks`, ticked mostly on time (some late,
some missed; photo items with photos), the manager's weekly inspection of every area (about 3% of items failed)
and the rework it creates, mostly redone in time.

Ninety days of ticks are thousands of rows, so they are written in bulk (the rows `tasks.tick` would write, with
their audit entries) in the history's transaction; templates, assignments, inspections and rework go through the
services. Its own random generator, so the other stories' data stays as it was."""

import io
import random
from datetime import UTC, date, datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import bindparam, insert, update
from sqlmodel import col, select

from estate_pwa.models import (
    Area,
    AreaKind,
    AuditEntry,
    ChecklistItem,
    CleaningResult,
    CleaningTask,
    CleaningTick,
    Frequency,
    TaskKind,
    User,
)
from estate_pwa.services import cleaning, photos
from estate_pwa.services.demo.estate import DEMO_ACCOUNTS
from estate_pwa.services.demo.world import Story, World, hours, minutes
from estate_pwa.services.permissions import Actor, actor_for

SEED = 20262
MISSED = 0.03
LATE = 0.06
FAILED = 0.03
"""The share of inspected items failed."""
UNSCANNED = 0.06
"""The share of ticks made without scanning the area's code (flagged to the manager)."""
DAMAGES, DAMAGE_DAYS = 2, 14
"""At most this many failed items are damage (each opens a repair request), in the last DAMAGE_DAYS days."""
DAMAGE_NOTE = "灯罩破裂,需维修"
REWORK_LATE = 0.15
REWORK_LEFT_DAYS = 5
"""Rework from the last days may still be open (older rework was all redone)."""
HANDOVER_DAYS = 30

EVERY_SHIFT, DAILY, WEEKLY, WEEKDAYS = (Frequency.EVERY_SHIFT, Frequency.DAILY, Frequency.WEEKLY,
                                        Frequency.WEEKDAYS)
# kind: (text, frequency, weekdays, photo required, rework hours)
TEMPLATES: dict[str, tuple[tuple[str, str, str, bool, int], ...]] = {
    AreaKind.LOBBY: (("大堂地面拖洗", EVERY_SHIFT, "", False, 2), ("大堂玻璃门擦拭", DAILY, "", False, 2),
                     ("信报箱、宣传栏除尘", DAILY, "", False, 4), ("大堂灯具、风口除尘", WEEKLY, "", False, 24)),
    AreaKind.LIFT: (("电梯轿厢擦拭", DAILY, "", False, 2), ("电梯按键消毒", EVERY_SHIFT, "", True, 1),
                    ("电梯门槽清理", WEEKLY, "", False, 24)),
    AreaKind.STAIRWELL: (("楼梯扶手擦拭", DAILY, "", True, 2), ("楼梯踏步清扫", DAILY, "", False, 4),
                         ("楼道窗户、消防栓箱擦拭", WEEKDAYS, "0,3", False, 24)),
    AreaKind.CAR_PARK: (("车库地面清扫", DAILY, "", False, 4), ("车库垃圾收集", EVERY_SHIFT, "", False, 2),
                        ("车库排水沟清理", WEEKLY, "", True, 24)),
    AreaKind.GREEN_BELT: (("绿化带捡拾垃圾", DAILY, "", False, 4), ("落叶清扫", WEEKDAYS, "0,2,4", False, 24)),
    AreaKind.ROAD: (("道路清扫", EVERY_SHIFT, "", False, 2), ("果皮箱清倒", DAILY, "", False, 2),
                    ("路面冲洗", WEEKLY, "", False, 24)),
    AreaKind.GATE: (("门岗周边清扫", DAILY, "", False, 2), ("岗亭、道闸擦拭", DAILY, "", False, 4)),
    AreaKind.PLAZA: (("广场地面清扫", DAILY, "", False, 4), ("座椅、健身器材擦拭", WEEKDAYS, "1,4", False, 24)),
    AreaKind.BIN_ROOM: (("垃圾桶清运", EVERY_SHIFT, "", False, 1), ("垃圾房地面冲洗", DAILY, "", False, 2),
                        ("垃圾桶清洗", WEEKLY, "", True, 24), ("垃圾房消杀", WEEKDAYS, "1,4", True, 24)),
    AreaKind.PLAYGROUND: (("游乐设施擦拭消毒", DAILY, "", True, 2), ("游乐场地面清扫", DAILY, "", False, 4),
                          ("沙池翻耕、捡拾杂物", WEEKLY, "", False, 24)),
}
NEW_AREAS = (("1号垃圾房", AreaKind.BIN_ROOM), ("2号垃圾房", AreaKind.BIN_ROOM), ("儿童游乐场", AreaKind.PLAYGROUND))
SECOND = ("4栋", "5栋", "6栋", "北门岗", "地下车库", "环湖路", "2号垃圾房")
"""Areas whose names start with one of these belong to the second cleaner; the others to the demo cleaner."""
HANDED_OVER = "东侧绿化带"
"""Kept by the demo cleaner until HANDOVER_DAYS ago, then given to the second cleaner."""
FAIL_NOTES = ("仍有污渍", "有积灰", "有垃圾未清理", "有异味", "角落未清扫到位")
PHOTO_COLOURS = ((196, 204, 210), (214, 200, 170), (170, 196, 176))


def stories(world: World) -> list[Story]:
    """The setup before the first day, then one story per day (its tasks and their ticks, the day's
    inspections)."""
    rng = random.Random(SEED)
    plan = Plan(world, rng)
    return [plan.setup(), *(plan.day(day) for day in world.days())]


class Plan:
    """What the stories share: the cleaners, the areas in walking order, the templates and the demo photos."""

    def __init__(self, world: World, rng: random.Random):
        self.world, self.rng, self.session = world, rng, world.session
        phones = [a[0] for a in DEMO_ACCOUNTS if "cleaner" in {r.value for r in a[3]}]
        users = {u.phone: u for u in self.session.exec(select(User).where(col(User.phone).in_(phones)))}
        self.cleaners: list[Actor] = [actor_for(self.session, users[p]) for p in phones]
        self.areas: list[Area] = []
        self.items: dict[int, ChecklistItem] = {}
        self.pictures: list[str] = []
        self.handover = world.end - timedelta(days=HANDOVER_DAYS)
        self.owner_before: dict[int, int] = {}
        self.owner_after: dict[int, int] = {}
        self.position: dict[int, float] = {}
        self.ticked: set[int] = set()
        self.inspections: list[datetime] = []
        self.damages = 0

    def setup(self) -> Story:
        world, session = self.world, self.session
        yield world.at_local(world.days()[0], 0) - hours(3)
        manager = world.manager
        for name, kind in NEW_AREAS:
            session.add(Area(estate_id=world.estate.id, name=name, kind=kind))
        session.flush()
        for kind, items in TEMPLATES.items():
            for text, frequency, weekdays, photo, rework in items:
                item = cleaning.add_item(session, manager, kind, text, frequency, weekdays, photo, rework)
                self.items[item.id] = item
        self.areas = list(session.exec(select(Area).where(Area.estate_id == world.estate.id).order_by(col(Area.id))))
        first, second = self.cleaners[0], self.cleaners[-1]
        for area in self.areas:
            cleaner = second if area.name.startswith(SECOND) else first
            cleaning.assign(session, manager, area.id, cleaner.id, now=world.now)
            self.owner_before[area.id] = self.owner_after[area.id] = cleaner.id
        for cleaner in self.cleaners:
            mine = [a.id for a in self.areas if self.owner_before[a.id] == cleaner.id]
            self.position.update({area_id: i / len(mine) for i, area_id in enumerate(mine)})
        self.pictures = [photos.store(_picture(colour, i), cleaning.PHOTO_FOLDER)
                         for i, colour in enumerate(PHOTO_COLOURS)]
        if second.id != first.id:  # the second cleaner also inspects (a manager gave them the right)
            cleaning.set_inspector(session, manager, second.id, True)
        handed = next((a for a in self.areas if a.name == HANDED_OVER), None)
        if handed is not None and second.id != first.id:
            self.owner_after[handed.id] = second.id
            world.spawn(self._hand_over(handed.id, second))

    def _hand_over(self, area_id: int, cleaner: Actor) -> Story:
        yield self.handover
        cleaning.assign(self.session, self.world.manager, area_id, cleaner.id, now=self.world.now)

    def owner(self, area_id: int, at: datetime) -> int:
        return (self.owner_after if at >= self.handover else self.owner_before)[area_id]

    def day(self, day: date) -> Story:
        """Make the day's tasks two hours before it begins, then write the ticks they get; on working days the
        manager inspects a fifth of the areas (every area about once a week). Today, if this month has had no
        inspection yet (its first days), one is made before `now`, so the month's indicator has a value."""
        world, session, rng = self.world, self.session, self.rng
        yield world.at_local(day, 0) - hours(2)
        cleaning.generate_tasks(session, world.estate.id, day)
        self._ticks(day)
        if day.weekday() < 5:
            share = [a for i, a in enumerate(self.areas) if i % 5 == day.weekday()]
            moments = sorted(world.at_local(day, rng.uniform(9.5, 16.5)) for _ in share)
            for area, moment in zip(share, moments):
                self.inspections.append(moment)
                world.spawn(self._inspection(area, moment))
        if day == world.local(world.end).date():
            month = world.at_local(day.replace(day=1), 0)
            if not any(month <= moment <= world.end for moment in self.inspections):
                world.spawn(self._inspection(self.areas[0], month + (world.end - month) / 2))

    def _ticks(self, day: date) -> None:
        """The ticks of the day's new tasks (a weekly task is made on its Monday), written in bulk: the rows and
        audit entries `cleaning.tick` would write."""
        world, rng, session = self.world, self.rng, self.session
        table = CleaningTask.__table__
        monday = day - timedelta(days=day.weekday())
        tasks = session.execute(select(table.c.id, table.c.area_id, table.c.item_id, table.c.slot, table.c.starts_at,
                                       table.c.due_at).where(table.c.estate_id == world.estate.id,
                                                             table.c.day.in_([day, monday]),
                                                             table.c.kind == TaskKind.ROUTINE.value)
                                .order_by(table.c.id)).all()
        ticks, done, entries = [], [], []
        for task_id, area_id, item_id, slot, starts_at, due_at in tasks:
            if task_id in self.ticked:
                continue
            self.ticked.add(task_id)
            fate = rng.random()
            if fate < MISSED:
                continue
            when = self._when(day, slot, area_id, starts_at, due_at, late=fate < MISSED + LATE)
            if when > world.end:
                continue
            item = self.items[item_id]
            cleaner = self.owner(area_id, when)
            pictures = [rng.choice(self.pictures)] if item.photo_required else []
            late = when > _aware(due_at)
            present = rng.random() >= UNSCANNED  # most ticks come with a scan of the area's posted code
            ticks.append({"estate_id": world.estate.id, "task_id": task_id, "cleaner_id": cleaner,
                          "tick_uid": f"task-{task_id}", "done_at": when, "client_time": when, "late": late,
                          "present": present, "photos": pictures})
            done.append({"task": task_id, "done": when})
            entries.append({"estate_id": world.estate.id, "actor_id": cleaner, "action": "cleaning_ticked",
                            "target_type": "cleaning_task", "target_id": task_id, "created_at": when,
                            "detail": {"area": area_id, "present": present, "late": late}})
        if ticks:
            session.execute(insert(CleaningTick.__table__), ticks)
            session.execute(update(table).where(table.c.id == bindparam("task"))
                            .values(done_at=bindparam("done")), done)
            session.execute(insert(AuditEntry.__table__), entries)

    def _when(self, day: date, slot: str, area_id: int, starts_at, due_at, late: bool) -> datetime:
        """When the cleaner gets to a task: along the day's walk of the day shift (a weekly task on one day of
        its week); late ones after the task's window, the next morning when it closed at midnight."""
        world, rng = self.world, self.rng
        starts, due = _aware(starts_at), _aware(due_at)
        if late:
            closes = world.local(due)
            return due + (hours(8 + rng.uniform(0.1, 1.5)) if closes.hour == 0 else minutes(rng.uniform(5, 90)))
        on = max(day, world.local(starts).date() + timedelta(days=rng.randrange(6))) if slot == "week" else day
        hour = 8.3 + 10.5 * self.position.get(area_id, 0.5) + rng.uniform(0, 1)
        return max(starts + minutes(5), min(world.at_local(on, hour), due - minutes(10)))

    def _inspection(self, area: Area, moment: datetime) -> Story:
        """The manager checks every item of the area's checklist; a failed one becomes rework, mostly redone."""
        world, rng, session = self.world, self.rng, self.session
        yield moment
        items = [i for i in self.items.values() if i.area_kind == area.kind]
        verdicts = [(item, rng.random() >= FAILED) for item in items]
        recent = world.end - moment < timedelta(days=DAMAGE_DAYS)
        results = []
        for item, passed in verdicts:
            damage = not passed and recent and self.damages < DAMAGES and rng.random() < 0.5
            self.damages += damage
            results.append({"item_id": item.id, "result": "pass" if passed else "damage" if damage else "fail",
                            "note": "" if passed else DAMAGE_NOTE if damage else rng.choice(FAIL_NOTES)})
        inspection = cleaning.inspect(session, world.manager, area.id, results, now=world.now)
        if any(not passed for _, passed in verdicts):
            world.spawn(self._rework(inspection.id))

    def _rework(self, inspection_id: int) -> Story:
        world, rng, session = self.world, self.rng, self.session
        rework = list(session.exec(select(CleaningTask).join(
            CleaningResult, col(CleaningResult.rework_task_id) == CleaningTask.id).where(
            CleaningResult.inspection_id == inspection_id).order_by(col(CleaningTask.id))))
        for task in rework:
            if task.cleaner_id is None:
                continue
            recent = world.end - _aware(task.starts_at) < timedelta(days=REWORK_LEFT_DAYS)
            if recent and rng.random() < 0.5:
                continue
            due = _aware(task.due_at)
            if rng.random() < REWORK_LATE:
                when = due + minutes(rng.uniform(10, 120))
            else:
                when = _aware(task.starts_at) + (due - _aware(task.starts_at)) * rng.uniform(0.2, 0.8)
            when = max(when, world.now)
            if world.local(when).hour >= 20 or world.local(when).hour < 8:  # the day shift redoes it next morning
                when = world.at_local((world.local(when) + timedelta(hours=4)).date(), rng.uniform(8.2, 9.5))
            yield when
            cleaner = next(c for c in self.cleaners if c.id == task.cleaner_id)
            item = self.items[task.item_id]
            cleaning.tick(session, cleaner, task.id, f"task-{task.id}",
                          [rng.choice(self.pictures)] if item.photo_required else None, now=world.now)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive UTC back."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _picture(colour: tuple[int, int, int], seed: int) -> bytes:
    """A small stand-in photo of a cleaned surface (tiles in one colour), as a JPEG."""
    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    shade = tuple(max(0, c - 28) for c in colour)
    for x in range(0, 480, 60):
        draw.line([(x + seed * 7, 0), (x + seed * 7 - 90, 360)], fill=shade, width=3)
    for y in range(0, 360, 60):
        draw.line([(0, y), (480, y + 20)], fill=shade, width=3)
    draw.ellipse((300, 40, 440, 120), fill=tuple(min(255, c + 30) for c in colour))
    data = io.BytesIO()
    image.save(data, format="JPEG", quality=80)
    return data.getvalue()

"""The machinery the demo history runs on: who is who, a back-dated clock, and a driver that replays every
feature's stories (generators yielding the instant of their next step) in one chronological order through the
services, stopping at `now`."""

import heapq
import itertools
import random
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session

from estate_pwa.models import Estate
from estate_pwa.models.base import Timestamped
from estate_pwa.services.permissions import Actor

Story = Generator[datetime, None, None]
"""A feature's story (one request, one patrol round, the survey …): it yields the instant of its next step and is
resumed at that instant with `World.now` set; a step later than the load's `now` is never taken."""


@dataclass
class World:
    """Everything the stories share: the session, the estate and its people as actors, places, and the clock."""

    session: Session
    estate: Estate
    end: datetime
    """The load's `now`: history stops here."""
    rng: random.Random
    manager: Actor
    day_technician: Actor
    night_technician: Actor
    day_guard: Actor
    night_guards: list[Actor]
    residents: list[Actor]
    demo_resident: Actor
    area_ids: list[int]
    point_ids: list[int]
    now: datetime | None = None
    spawned: list[Story] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.estate.timezone)

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=HISTORY_DAYS)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def at_local(self, day: date, hour: float) -> datetime:
        """The UTC instant of local `day` at `hour` (fractional hours)."""
        return (datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(hours=hour)).astimezone(UTC)

    def days(self) -> list[date]:
        """The local days of the history, oldest first, today last."""
        first, today = self.local(self.start).date(), self.local(self.end).date()
        return [first + timedelta(days=i) for i in range((today - first).days + 1)]

    def day_shift(self, moment: datetime) -> bool:
        return 8 <= self.local(moment).hour < 20

    def technician_at(self, moment: datetime) -> Actor:
        return self.day_technician if self.day_shift(moment) else self.night_technician

    def guard_at(self, moment: datetime) -> Actor:
        return self.day_guard if self.day_shift(moment) else self.night_guards[0]

    def spawn(self, story: Story) -> None:
        """Start another story (e.g. a patrol round once the day's rounds are made)."""
        self.spawned.append(story)


HISTORY_DAYS = 90


@contextmanager
def backdated(session: Session, world: World):
    """While the history runs, every record added to the session is stamped with the story's instant (the
    services pass `now` to their rules, but audit entries and most rows take their creation time themselves)."""

    def stamp(_session, instance) -> None:
        if world.now is not None and isinstance(instance, Timestamped):
            instance.created_at = world.now

    event.listen(session, "transient_to_pending", stamp)
    try:
        yield world
    finally:
        event.remove(session, "transient_to_pending", stamp)
        world.now = None


def run(world: World, stories: Iterable[Story]) -> int:
    """Replay the stories in one chronological order (ties: in the order they were started) up to `world.end`;
    returns how many steps were taken."""
    heap: list[tuple[datetime, int, Story]] = []
    order = itertools.count()

    def schedule(story: Story) -> None:
        moment = next(story, None)
        if moment is not None and moment <= world.end:
            heapq.heappush(heap, (moment, next(order), story))

    for story in stories:
        schedule(story)
    steps = 0
    while heap:
        moment, _, story = heapq.heappop(heap)
        world.now = moment
        steps += 1
        schedule(story)
        while world.spawned:
            schedule(world.spawned.pop(0))
    return steps


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    """One key, chosen with the given weights."""
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]



"""The demo's problem reports from posted codes: every few days someone scans an area's code and reports it dirty
(handled by the area's responsible cleaner within minutes to a couple of hours) or something else for the office
(handled within a day); in the last days a damaged and an unsafe report became repair requests, and the newest
dirty report still waits on the cleaner's home. All through services.reports. Its own random generator."""

import random
from datetime import timedelta

from estate_pwa.models import PlaceKind, ReportRoute, User
from estate_pwa.services import reports
from estate_pwa.services.demo.world import Story, World, hours, minutes
from estate_pwa.services.permissions import actor_for

SEED = 20263
EVERY_DAYS = (1, 4)
"""Days between two reports (uniform in this range)."""
NOTES = {
    "dirty": ("电梯口有垃圾", "地面有积水和泥印", "有宠物粪便", "垃圾桶满了溢出来", ""),
    "other": ("灯光太暗", "希望增加一个垃圾桶", "有流浪猫", ""),
    "damaged": ("单元门禁门关不上",),
    "unsafe": ("楼梯扶手松动,很危险",),
}


def stories(world: World) -> list[Story]:
    rng = random.Random(SEED)
    return [_reports(world, rng)]


def _token(world: World, area_id: int) -> str:
    code = reports.current_code(world.session, PlaceKind.AREA, area_id, world.estate.id)
    return reports.codes.token_for(code)


def _report(world: World, rng: random.Random, category: str, area_id: int, handle_after: timedelta | None):
    session = world.session
    report = reports.submit(session, _token(world, area_id), category, rng.choice(NOTES[category]),
                            rng.choice(("", "", "138****5678")), device="demo", now=world.now)
    if handle_after is None or report.route == ReportRoute.REPAIR:
        return
    yield world.now + handle_after
    who = report.assignee_id if report.route == ReportRoute.CLEANER else world.manager.id
    reports.handle(session, actor_for(session, session.get(User, who)), report.id, now=world.now)


def _reports(world: World, rng: random.Random) -> Story:
    moment = world.start + hours(rng.uniform(30, 60))
    areas = sorted(world.area_ids)
    while moment < world.end - timedelta(days=3):
        yield moment
        category = rng.choices(("dirty", "other"), weights=(3, 1))[0]
        after = minutes(rng.uniform(8, 120)) if category == "dirty" else hours(rng.uniform(1, 20))
        world.spawn(_report(world, rng, category, rng.choice(areas), after))
        moment += timedelta(days=rng.uniform(*EVERY_DAYS), hours=rng.uniform(-3, 3))
    for category, back in (("damaged", 50), ("unsafe", 20), ("dirty", 2)):
        yield world.end - hours(back)
        world.spawn(_report(world, rng, category, rng.choice(areas), None))

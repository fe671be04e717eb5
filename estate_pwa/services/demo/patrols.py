"""The demo's patrols: each day's rounds made by the schedule, walked by the guard on duty with the app's scans
(on time, late, incomplete, some synced late from the phone's queue, an occasional duplicate), or missed; the
patrol clock closes each round after its grace."""

from datetime import date, timedelta

from sqlmodel import select

from estate_pwa.models import PatrolPoint, PatrolRound, RouteStop
from estate_pwa.services import patrol
from estate_pwa.services.demo.world import Story, World, minutes, pick

PATROL_DAYS = 90


def stories(world: World) -> list[Story]:
    """One story per day: make its rounds, then walk each."""
    session = world.session
    stops: dict[int, list[tuple[int, str]]] = {}
    for stop, point in session.exec(select(RouteStop, PatrolPoint).join(PatrolPoint, PatrolPoint.id == RouteStop.point_id)
                                    .where(RouteStop.estate_id == world.estate.id)
                                    .order_by(RouteStop.route_id, RouteStop.position)):
        stops.setdefault(stop.route_id, []).append((point.id, patrol.point_token(point)))
    days = world.days()[-PATROL_DAYS - 1:]
    return [_day(world, day, stops) for day in days]


def _day(world: World, day: date, stops) -> Story:
    start, end = world.at_local(day, 0), world.at_local(day + timedelta(days=1), 0)
    yield start - timedelta(hours=2)
    made = patrol.generate_rounds(world.session, world.estate.id, start, end, now=world.now)
    existing = world.session.exec(select(PatrolRound).where(
        PatrolRound.estate_id == world.estate.id, PatrolRound.window_start >= start,
        PatrolRound.window_start < end)).all()
    for patrol_round in sorted({r.id: r for r in [*made, *existing]}.values(), key=lambda r: (r.window_start, r.id)):
        world.spawn(_walk(world, patrol_round, stops[patrol_round.route_id]))


def _walk(world: World, patrol_round: PatrolRound, stops: list[tuple[int, str]]) -> Story:
    """One round: started a few minutes into its window and scanned stop by stop, or missed; then closed."""
    rng, session = world.rng, world.session
    guards = {g.id: g for g in (world.day_guard, *world.night_guards)}
    guard = guards.get(patrol_round.guard_id)
    course = pick(rng, {"on_time": 82, "late": 7, "incomplete": 4, "missed": 7}) if guard else "missed"
    if course != "missed":
        yield patrol_round.window_start + minutes(rng.uniform(0, 6))
        patrol.start_round(session, guard, patrol_round.id, now=world.now)
        if course == "late":
            last = patrol_round.window_end + minutes(rng.uniform(2, 12))
        else:
            last = patrol_round.window_end - minutes(rng.uniform(3, 12))
        first = world.now + minutes(rng.uniform(2, 5))
        walked = stops[:2] if course == "incomplete" else stops
        gap = (last - first) / max(1, len(stops) - 1)
        queued = rng.random() < 0.1  # the phone was offline for the last stops: sent together at the end
        for i, (point_id, token) in enumerate(walked):
            made = first + gap * i + minutes(rng.uniform(-1, 1)) * (0 < i < len(stops) - 1)
            sent = last + minutes(0.2 * i) if queued and i >= len(walked) - 2 else made
            yield max(sent, world.now)
            patrol.record_scan(session, guard, token, f"demo-{patrol_round.id}-{i}", min(made, world.now),
                               now=world.now)
            if rng.random() < 0.03 and i < len(walked) - 1:  # scanned twice by mistake: a duplicate, not counted
                yield world.now + minutes(1)
                patrol.record_scan(session, guard, token, f"demo-{patrol_round.id}-{i}-again", world.now,
                                   now=world.now)
    yield patrol_round.grace_end + minutes(1)
    patrol.close_overdue(session, world.estate.id, now=world.now)

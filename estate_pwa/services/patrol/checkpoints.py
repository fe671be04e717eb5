"""Checkpoints and routes (managers): checkpoints with signed QR codes (reissuing revokes the old code), routes
through them in walking order with a daily schedule, and the setup screen's rows with each code as an image link."""

import math
import re
from dataclasses import dataclass, field
from datetime import time

from sqlmodel import Session, col, select

from estate_pwa.core import tokens
from estate_pwa.core.qr import qr_png
from estate_pwa.models import Area, PatrolPoint, PatrolRoute, Role, RouteStop, User
from estate_pwa.services import audit, estate, files
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.patrol.common import (
    EVERY_MINUTES, EXPECTED_MINUTES, GRACE_MINUTES, LOCATION_MAX, MAX_STOPS, NAME_MAX, QUEUE_PURPOSE, SCANNED_MAX,
    TOKEN_PURPOSE, Option,
)
from estate_pwa.services.permissions import Actor, in_estate, require
from estate_pwa.services.validation import ID_MAX, positive_id, text, whole

_NUMBER = re.compile(r"[0-9]{1,10}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
QR_KIND = "patrol-qr"
QR_BOX = 4


# Checking what clients send

def _coordinate(raw: object, limit: float) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise InvalidInput("error.bad_coordinates")
    try:
        value = float(raw) if not isinstance(raw, str) or len(raw) <= 32 else math.nan
    except ValueError:
        raise InvalidInput("error.bad_coordinates") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise InvalidInput("error.bad_coordinates")
    return value


def coordinates(latitude: object, longitude: object) -> tuple[float | None, float | None]:
    """A checkpoint's optional position: both in range or both empty, else "error.bad_coordinates"."""
    lat, lon = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if (lat is None) != (lon is None):
        raise InvalidInput("error.bad_coordinates")
    return lat, lon


def _clock(raw: object) -> time:
    """A local time of day: a `time` without zone, or 'HH:MM'."""
    if isinstance(raw, time) and raw.tzinfo is None:
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, str):
        match = _CLOCK.fullmatch(raw.strip())
        if match:
            return time(int(match[1]), int(match[2]))
    raise InvalidInput("error.bad_schedule")


# Checkpoints and routes

def create_point(session: Session, actor: Actor | None, area_id: object, name: object, location_text: object = "",
                 latitude: object = None, longitude: object = None) -> PatrolPoint:
    """A manager adds a checkpoint in a common area; coordinates are optional but come as a pair."""
    actor = require(actor, Role.MANAGER)
    if area_id in (None, ""):
        raise InvalidInput("error.area_required")
    area = in_estate(session, actor, Area, positive_id(area_id))
    lat, lon = coordinates(latitude, longitude)
    point = PatrolPoint(estate_id=actor.estate_id, area_id=area.id,
                        name=text(name, "error.point_name_required", NAME_MAX),
                        location_text=text(location_text, "error.bad_request", LOCATION_MAX, required=False),
                        latitude=lat, longitude=lon)
    session.add(point)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "patrol_point_created", "patrol_point",
                 point.id, name=point.name)
    return point


def create_route(session: Session, actor: Actor | None, name: object, point_ids: object, starts: object,
                 ends: object, every_minutes: object, expected_minutes: object, grace_minutes: object = 10,
                 strict_order: object = False) -> PatrolRoute:
    """A manager defines a route: its checkpoints in order and its daily schedule (local times; an end at or
    before the start is on the next day). A round may not take longer than the interval between rounds."""
    actor = require(actor, Role.MANAGER)
    route_name = text(name, "error.route_name_required", NAME_MAX)
    if not isinstance(point_ids, (list, tuple)) or not 1 <= len(point_ids) <= MAX_STOPS:
        raise InvalidInput("error.route_points_required")
    ids = [positive_id(p) for p in point_ids]
    if len(set(ids)) != len(ids):
        raise InvalidInput("error.route_point_repeated")
    chosen = [in_estate(session, actor, PatrolPoint, i) for i in ids]
    if not all(p.active for p in chosen):
        raise InvalidInput("error.point_inactive")
    start, end = _clock(starts), _clock(ends)
    every = whole(every_minutes, EVERY_MINUTES, "error.bad_schedule")
    expected = whole(expected_minutes, EXPECTED_MINUTES, "error.bad_schedule")
    grace = whole(grace_minutes, GRACE_MINUTES, "error.bad_schedule")
    if expected > every:
        raise InvalidInput("error.bad_schedule")
    if not isinstance(strict_order, bool):
        raise InvalidInput("error.bad_request")
    taken = session.exec(select(PatrolRoute.id).where(
        PatrolRoute.estate_id == actor.estate_id, PatrolRoute.name == route_name)).first()
    if taken is not None:
        raise InvalidInput("error.route_name_taken")
    route = PatrolRoute(estate_id=actor.estate_id, name=route_name, strict_order=strict_order,
                        expected_minutes=expected, grace_minutes=grace, starts=start, ends=end, every_minutes=every)
    session.add(route)
    session.flush()
    for position, point in enumerate(chosen):
        session.add(RouteStop(estate_id=actor.estate_id, route_id=route.id, point_id=point.id, position=position))
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "patrol_route_created", "patrol_route",
                 route.id, name=route.name, stops=len(chosen))
    return route


def reissue_code(session: Session, actor: Actor | None, point_id: object) -> PatrolPoint:
    """A manager prints a new code for a checkpoint: every older code of it stops working."""
    actor = require(actor, Role.MANAGER)
    point = in_estate(session, actor, PatrolPoint, positive_id(point_id))
    point = session.exec(select(PatrolPoint).where(PatrolPoint.id == point.id).with_for_update()
                         .execution_options(populate_existing=True)).one()
    point.code_version += 1
    session.add(point)
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "patrol_code_reissued", "patrol_point",
                 point.id, version=point.code_version)
    return point


# Codes

def point_token(point: PatrolPoint) -> str:
    """The signed text of a checkpoint's current code."""
    return tokens.sign(TOKEN_PURPOSE, f"{point.estate_id}:{point.id}:{point.code_version}")


def point_url(base_url: str, point: PatrolPoint) -> str:
    """The address printed in a checkpoint's QR code."""
    return f"{base_url.rstrip('/')}/p/{point_token(point)}"


def token_of(scanned: object) -> str:
    """The code part of what a scanner read: a checkpoint URL ("…/p/<code>") or the bare code. Nothing here is
    trusted; `resolve_point` checks the signature."""
    if not isinstance(scanned, str) or len(scanned) > SCANNED_MAX:
        return ""
    read = scanned.strip().split("?", 1)[0].split("#", 1)[0]
    return read.rsplit("/p/", 1)[-1].strip("/")


def queue_owner(actor: Actor) -> str:
    """The opaque name a phone's scan queue gives the guard whose scans it holds (a shared duty phone may hold
    several guards' scans; each is sent only for its own guard)."""
    return tokens.tag(QUEUE_PURPOSE, str(actor.id))


def signed_code(token: object) -> tuple[int, int, int]:
    """(estate id, checkpoint id, code version) named by a scanned code. Only the signature is trusted: forged,
    garbled or other-purpose codes are "error.qr_invalid"."""
    try:
        payload = tokens.verify(TOKEN_PURPOSE, token)
    except tokens.TokenInvalid:
        raise InvalidInput("error.qr_invalid") from None
    parts = payload.split(":")
    if len(parts) != 3 or not all(_NUMBER.fullmatch(p) and 0 < int(p) <= ID_MAX for p in parts):
        raise InvalidInput("error.qr_invalid")
    estate_id, point_id, version = (int(p) for p in parts)
    return estate_id, point_id, version


def check_code(point, estate_id: int, version: int) -> None:
    """Refuse a signed code that does not name the checkpoint as it is now: "error.qr_invalid" for a checkpoint
    that does not exist (or not in that estate, or a version never issued), "error.qr_revoked" for a code
    older than the checkpoint's current one or of a retired checkpoint."""
    if point is None or point.estate_id != estate_id or version > point.code_version:
        raise InvalidInput("error.qr_invalid")
    if version < point.code_version or not point.active:
        raise InvalidInput("error.qr_revoked")


def resolve_point(session: Session, token: object) -> PatrolPoint:
    """The checkpoint a scanned code names (see `signed_code` and `check_code` for the refusals)."""
    estate_id, point_id, version = signed_code(token)
    point = session.get(PatrolPoint, point_id)
    check_code(point, estate_id, version)
    return point


# Lists

def points(session: Session, actor: Actor | None) -> list[PatrolPoint]:
    """The estate's checkpoints, by name."""
    actor = require(actor, Role.MANAGER)
    return list(session.exec(select(PatrolPoint).where(PatrolPoint.estate_id == actor.estate_id)
                             .order_by(PatrolPoint.name, PatrolPoint.id)))


def routes(session: Session, actor: Actor | None) -> list[PatrolRoute]:
    """The estate's routes, by name."""
    actor = require(actor, Role.MANAGER)
    return list(session.exec(select(PatrolRoute).where(PatrolRoute.estate_id == actor.estate_id)
                             .order_by(PatrolRoute.name)))


def route_points(session: Session, route_id: int) -> list[PatrolPoint]:
    """A route's checkpoints in their order."""
    return list(session.exec(select(PatrolPoint).join(RouteStop, col(RouteStop.point_id) == PatrolPoint.id)
                             .where(RouteStop.route_id == route_id).order_by(RouteStop.position)))


def active_point_options(session: Session, actor: Actor | None) -> list[Option]:
    """The estate's active checkpoints by name, for a guard or manager to say where they are."""
    actor = require(actor, Role.GUARD, Role.MANAGER)
    return [Option(str(p.id), p.name) for p in session.exec(
        select(PatrolPoint).where(PatrolPoint.estate_id == actor.estate_id, PatrolPoint.active)
        .order_by(PatrolPoint.name, PatrolPoint.id))]


# The setup screen

CHECKPOINT_ACTIONS = ("download", "reissue")


@dataclass(frozen=True)
class CheckpointCard:
    """An active checkpoint on the setup screen: `qr` is a short-lived link to its code's image."""

    id: str
    name: str
    area: str
    short_id: str
    qr: str
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RouteCard:
    """An active route with its schedule (local times) and its stops' names in walking order."""

    name: str
    starts: str
    ends: str
    every: int
    expected: int
    grace: int
    strict: bool
    stops: str


@dataclass(frozen=True)
class SetupScreen:
    checkpoints: list[CheckpointCard]
    routes: list[RouteCard]
    areas: list[Option]


def setup_screen(session: Session, actor: Actor | None, base_url: str) -> SetupScreen:
    """A manager's checkpoints (each with its code's image link), routes and the areas a checkpoint may be in."""
    actor = require(actor, Role.MANAGER)
    areas = estate.areas(session, actor)
    area_names = {a.id: a.name for a in areas}
    estate_points = points(session, actor)
    names = {p.id: p.name for p in estate_points}
    return SetupScreen(
        [CheckpointCard(str(p.id), p.name, area_names.get(p.area_id, ""), f"P{p.id:03d}",
                        files.download_url(actor, QR_KIND, point=p.id, base=base_url), list(CHECKPOINT_ACTIONS))
         for p in estate_points if p.active],
        [RouteCard(r.name, f"{r.starts:%H:%M}", f"{r.ends:%H:%M}", r.every_minutes, r.expected_minutes,
                   r.grace_minutes, r.strict_order,
                   " → ".join(names.get(p.id, "") for p in route_points(session, r.id)))
         for r in routes(session, actor) if r.active],
        [Option(str(a.id), a.name) for a in areas])


@files.downloadable(QR_KIND)
def qr_image(session: Session, actor: Actor, point: int, base: str) -> files.Download:
    """A manager's image of one active checkpoint's current code (shown on the setup screen)."""
    actor = require(actor, Role.MANAGER)
    checkpoint = in_estate(session, actor, PatrolPoint, positive_id(point))
    if not checkpoint.active:
        raise InvalidInput("error.point_inactive")
    return files.Download(f"P{checkpoint.id:03d}.png", "image/png", qr_png(point_url(base, checkpoint), QR_BOX),
                          inline=True)

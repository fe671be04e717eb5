"""Managers set cleaning up: the responsible cleaner of each area (reassigning closes the previous assignment at
the same instant, so the past stays true) and the checklist templates per kind of area."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    Area,
    AreaKind,
    ChecklistItem,
    CleaningAssignment,
    Frequency,
    Role,
    User,
    UserRole,
)
from estate_pwa.services.cleaning.rules import CLEANING, load, log, responsible_filter
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.permissions import Actor
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.validation import choice, text, whole

ITEM_TEXT_MAX = 200
REWORK_HOURS = (1, 72)


def _cleaner(session: Session, actor: Actor, raw_id: object) -> User:
    """An active cleaner of the actor's estate."""
    user = load(session, actor, User, raw_id)
    holds = session.exec(select(UserRole).where(UserRole.user_id == user.id, UserRole.role == Role.CLEANER)).first()
    if holds is None or not user.is_active:
        refuse(session, actor, CLEANING, InvalidInput("error.not_a_cleaner"), user.id)
    return user


def assign(session: Session, actor: Actor | None, area_id: object, cleaner_id: object,
           now: datetime | None = None) -> CleaningAssignment:
    """Make `cleaner_id` the responsible cleaner of the area from now (manager; audited). The current assignment,
    if any, ends now; assigning the cleaner already responsible changes nothing. The new area comes last in the
    cleaner's walk."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    now = now or utcnow()
    area = load(session, actor, Area, area_id)
    session.exec(select(Area).where(Area.id == area.id).with_for_update()).one()  # one reassignment at a time
    cleaner = _cleaner(session, actor, cleaner_id)
    current = session.exec(select(CleaningAssignment).where(
        CleaningAssignment.area_id == area.id, col(CleaningAssignment.ends_at).is_(None))).first()
    if current is not None and current.cleaner_id == cleaner.id:
        return current
    if current is not None:
        current.ends_at = now
        session.add(current)
        session.flush()
    last = session.exec(select(func.max(CleaningAssignment.walk_order)).where(
        CleaningAssignment.cleaner_id == cleaner.id, *responsible_filter(now))).one()
    assignment = CleaningAssignment(estate_id=actor.estate_id, area_id=area.id, cleaner_id=cleaner.id,
                                    starts_at=now, walk_order=(last or 0) + 1, assigned_by_id=actor.id)
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError:  # a concurrent reassignment of the same area won
        refuse(session, actor, CLEANING, InvalidInput("error.try_again"), area.id)
    log(session, actor, actor.estate_id, "cleaner_assigned", "area", area.id, cleaner=cleaner.id,
        previous=current.cleaner_id if current else None)
    return assignment


def set_inspector(session: Session, actor: Actor | None, user_id: object, on: object) -> bool:
    """Give a staff member of the estate the inspector right, or take it back (manager; audited). A manager
    inspects anyway; residents cannot be given it. Returns whether they hold it now."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    user = load(session, actor, User, user_id)
    if not isinstance(on, bool):
        refuse(session, actor, CLEANING, InvalidInput("error.bad_request"), user.id)
    held = set(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)))
    if not user.is_active or not held & {Role.GUARD, Role.CLEANER, Role.TECHNICIAN, Role.MANAGER}:
        refuse(session, actor, CLEANING, InvalidInput("error.not_staff"), user.id)
    if on == (Role.INSPECTOR in held):
        return on
    if on:
        session.add(UserRole(user_id=user.id, role=Role.INSPECTOR))
    else:
        session.delete(session.get(UserRole, (user.id, Role.INSPECTOR.value)))
    session.flush()
    log(session, actor, actor.estate_id, "inspector_granted" if on else "inspector_revoked", "user", user.id)
    return on


def history(session: Session, actor: Actor | None, area_id: object) -> list[CleaningAssignment]:
    """Every assignment of the area, oldest first (manager)."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    area = load(session, actor, Area, area_id)
    return list(session.exec(select(CleaningAssignment).where(CleaningAssignment.area_id == area.id)
                             .order_by(col(CleaningAssignment.starts_at), col(CleaningAssignment.id))))


def _weekdays(raw: object, frequency: str) -> str:
    if frequency != Frequency.WEEKDAYS:
        return ""
    values = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(values, (list, tuple)) or not values or len(values) > 7:
        raise InvalidInput("error.weekdays_required")
    days = sorted({whole(v, (0, 6), "error.weekdays_required") for v in values})
    return ",".join(str(d) for d in days)


def add_item(session: Session, actor: Actor | None, area_kind: object, item_text: object, frequency: object,
             weekdays: object = "", photo_required: object = False, rework_hours: object = 2) -> ChecklistItem:
    """Add an item to the checklist of a kind of area (manager; audited)."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    with refusing(session, actor, CLEANING):
        kind = choice(area_kind, AreaKind, "error.area_kind")
        words = text(item_text, "error.item_text_required", ITEM_TEXT_MAX)
        how_often = choice(frequency, Frequency, "error.frequency")
        days = _weekdays(weekdays, how_often)
        hours = whole(rework_hours, REWORK_HOURS, "error.rework_hours")
        if not isinstance(photo_required, bool):
            raise InvalidInput("error.bad_request")
    last = session.exec(select(func.max(ChecklistItem.position)).where(
        ChecklistItem.estate_id == actor.estate_id, ChecklistItem.area_kind == kind)).one()
    item = ChecklistItem(estate_id=actor.estate_id, area_kind=kind, text=words, frequency=how_often, weekdays=days,
                         photo_required=photo_required, rework_hours=hours, position=(last or 0) + 1)
    session.add(item)
    session.flush()
    log(session, actor, actor.estate_id, "checklist_item_added", "checklist_item", item.id, kind=kind)
    return item


def set_item_active(session: Session, actor: Actor | None, item_id: object, active: object) -> ChecklistItem:
    """Retire an item from its checklist, or bring it back (manager; audited). Tasks already made stay."""
    actor = require(session, actor, CLEANING, Role.MANAGER)
    item = load(session, actor, ChecklistItem, item_id)
    if not isinstance(active, bool):
        refuse(session, actor, CLEANING, InvalidInput("error.bad_request"), item.id)
    item.active = active
    session.add(item)
    session.flush()
    log(session, actor, actor.estate_id, "checklist_item_changed", "checklist_item", item.id, active=active)
    return item


def checklist(session: Session, estate_id: int, kind: str | None = None, active_only: bool = True) -> list[ChecklistItem]:
    """The estate's checklist items (of one kind), in their order."""
    query = select(ChecklistItem).where(ChecklistItem.estate_id == estate_id)
    if kind is not None:
        query = query.where(ChecklistItem.area_kind == kind)
    if active_only:
        query = query.where(col(ChecklistItem.active).is_(True))
    return list(session.exec(query.order_by(col(ChecklistItem.area_kind), col(ChecklistItem.position),
                                            col(ChecklistItem.id))))


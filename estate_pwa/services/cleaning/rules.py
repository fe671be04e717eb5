"""What cleaning's modules share, written once: the feature's refusal, who inspects, who is responsible for an area
at a moment, the area's signed code, loading records by client-sent ids, the history log, and who may tick a task
(`tick_refusal`: the tick itself and the rows a screen shows ask the same function)."""

from datetime import datetime

from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from estate_pwa.models import (
    Area,
    CleaningAssignment,
    CleaningTask,
    Estate,
    Role,
    TaskKind,
    User,
)
from estate_pwa.services import audit
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refusing
from estate_pwa.services.reports import codes
from estate_pwa.services.validation import positive_id

CLEANING = Refusal("cleaning_refused", "area")
"""How refused cleaning actions are written to the audit log."""
INSPECTORS = (Role.MANAGER, Role.INSPECTOR)
"""Who may inspect an area: a manager, or staff a manager gave the inspector right (setup.set_inspector)."""
PHOTO_FOLDER = "cleaning"
PHOTOS_MAX = 3


def responsible_filter(at: datetime):
    """Assignment conditions: responsible at `at`."""
    return (col(CleaningAssignment.starts_at) <= at,
            (col(CleaningAssignment.ends_at).is_(None)) | (col(CleaningAssignment.ends_at) > at))


def responsibles(session: Session, estate_id: int, at: datetime) -> dict[int, CleaningAssignment]:
    """Each area's responsible cleaner's assignment at `at`, by area id."""
    return {a.area_id: a for a in session.exec(select(CleaningAssignment).where(
        CleaningAssignment.estate_id == estate_id, *responsible_filter(at)))}


def responsible_for(session: Session, area_id: int, at: datetime) -> int | None:
    """The id of the area's responsible cleaner at `at` (None: nobody)."""
    return session.exec(select(CleaningAssignment.cleaner_id).where(
        CleaningAssignment.area_id == area_id, *responsible_filter(at))).first()


def tick_refusal(actor: Actor, task: CleaningTask, responsible_id: int | None, now: datetime) -> DomainError | None:
    """Why `actor` may not tick `task` now (None: they may): a cleaner of the estate, the area's responsible cleaner
    (rework: the cleaner it was given to), a task begun and not yet done."""
    if not actor.has(Role.CLEANER) or task.estate_id != actor.estate_id:
        return NotAllowed("error.not_allowed")
    owner = task.cleaner_id if task.kind == TaskKind.REWORK and task.cleaner_id is not None else responsible_id
    if owner != actor.id:
        return NotAllowed("error.not_your_area")
    if task.starts_at > now:
        return InvalidInput("error.task_not_started")
    return None


def area_code(area: Area) -> str:
    """The token of the area's posted code (services.reports.codes: the QR printed in the area opens the public
    report page; scanned in the app, it proves the cleaner was there). `area` must belong to a session."""
    return codes.area_token(object_session(area), area)


def area_of_code(session: Session, code: object) -> tuple[int, int]:
    """(estate id, area id) of a scanned area code (its URL or token); refuses a forged, revoked or asset code."""
    try:
        return codes.area_of(session, code)
    except InvalidInput:
        raise InvalidInput("error.qr_invalid") from None


def load(session: Session, actor: Actor, model, raw_id: object):
    """A record of the actor's estate by a client-sent id (refusals audited)."""
    with refusing(session, actor, CLEANING):
        return in_estate(session, actor, model, positive_id(raw_id))


def log(session: Session, actor: Actor | None, estate_id: int, action: str, target_type: str,
        target_id: int | None, **detail) -> None:
    """Write a cleaning step to the audit log."""
    audit.record(session, estate_id, session.get(User, actor.id) if actor else None, action, target_type, target_id,
                 **detail)


def timezone_of(session: Session, estate_id: int) -> str:
    return session.get(Estate, estate_id).timezone

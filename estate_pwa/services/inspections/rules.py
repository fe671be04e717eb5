"""What the inspection modules share, written once: the feature's refusal, who plans and who inspects, loading a
record by a client-sent id, who may record a task (`record_refusal`: recording and the rows a screen shows ask the
same function), and the history log."""

from sqlmodel import Session

from estate_pwa.models import STAFF_ROLES, InspectionTask, Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import DomainError, InvalidInput, NotAllowed
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refusing
from estate_pwa.services.validation import positive_id

INSPECTIONS = Refusal("inspection_refused", "inspection")
"""How refused inspection actions are written to the audit log."""
PLANNERS = (Role.MANAGER,)
INSPECTORS = tuple(STAFF_ROLES)
"""Who may be given inspections (by role or by name); managers may record any task."""
PHOTO_FOLDER = "inspections"
PHOTOS_MAX = 3
RECORD = "record"


def load(session: Session, actor: Actor, model, raw_id: object):
    """A record of the actor's estate by a client-sent id (refusals audited)."""
    with refusing(session, actor, INSPECTIONS):
        return in_estate(session, actor, model, positive_id(raw_id))


def record_refusal(actor: Actor, task: InspectionTask) -> DomainError | None:
    """Why `actor` may not record `task` (None: they may): a manager of its estate, the person it is given to, or
    (given to nobody by name) anyone holding its role; a task is recorded once."""
    if task.estate_id != actor.estate_id:
        return NotAllowed("error.not_allowed")
    mine = task.assignee_id == actor.id if task.assignee_id is not None else actor.has(Role(task.role))
    if not (mine or actor.has(Role.MANAGER)):
        return NotAllowed("error.not_your_inspection")
    if task.done_at is not None:
        return InvalidInput("error.inspection_done")
    return None


def log(session: Session, actor: Actor | None, estate_id: int, action: str, target_type: str,
        target_id: int | None, **detail) -> None:
    """Write an inspection step to the audit log."""
    audit.record(session, estate_id, session.get(User, actor.id) if actor else None, action, target_type, target_id,
                 **detail)

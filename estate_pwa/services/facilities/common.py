"""What the register's modules share: the feature's refusal, who may write and who may read, loading an asset by
a client-sent id, and the history log."""

from sqlmodel import Session

from estate_pwa.models import STAFF_ROLES, Asset, Role, User
from estate_pwa.services import audit
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import Refusal, refusing
from estate_pwa.services.validation import positive_id

FACILITIES = Refusal("facilities_refused", "asset")
"""How refused register actions are written to the audit log."""
WRITERS = (Role.MANAGER,)
"""Who may change the register (add, edit, retire, import)."""
READERS = tuple(STAFF_ROLES)
"""Who may read an asset's record and history (any staff member; residents use the public problem report)."""
DEFECT_WRITERS = tuple(STAFF_ROLES)
"""Who may open or close a defect (inspectors of any staff role, and managers)."""


def load_asset(session: Session, actor: Actor, raw_id: object) -> Asset:
    """An asset of the actor's estate by a client-sent id (refusals audited)."""
    with refusing(session, actor, FACILITIES):
        return in_estate(session, actor, Asset, positive_id(raw_id))


def log(session: Session, actor: Actor | None, estate_id: int, action: str, target_type: str,
        target_id: int | None, **detail) -> None:
    """Write a register step to the audit log."""
    audit.record(session, estate_id, session.get(User, actor.id) if actor else None, action, target_type, target_id,
                 **detail)

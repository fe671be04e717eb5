"""One way to refuse: a refused action is written to the audit log once (in its own commit, within the log's
per-minute limit of refusals per person), then raised; nothing else the action did is kept.

Services name the audit action once per feature (e.g. ``REQUEST = Refusal("request_refused", "request")``) and use:

* ``require(session, actor, REQUEST, Role.MANAGER)`` — permissions.require, with a logged-in actor's refusal audited;
* ``with refusing(session, actor, REQUEST, request.id): ...`` — any DomainError raised inside is audited once;
* ``refuse(session, actor, REQUEST, error, request.id)`` — audit and raise one error now.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlmodel import Session

from estate_pwa.models import Role, User
from estate_pwa.services import audit
from estate_pwa.services.errors import DomainError, NotAllowed
from estate_pwa.services.permissions import Actor
from estate_pwa.services.permissions import require as require_role


@dataclass(frozen=True)
class Refusal:
    """What a feature's refusals are logged as: the audit action (ending in "_refused") and the target's type."""

    action: str
    target_type: str = ""


def refuse(session: Session, actor: Actor, refusal: Refusal, error: DomainError, target_id: int | None = None,
           **detail: Any) -> NoReturn:
    """Roll back, write `error` to the audit log as `refusal` in its own commit, and raise it (marked audited)."""
    session.rollback()
    audit.record_refusal(session, actor.estate_id, session.get(User, actor.id), refusal.action,
                         refusal.target_type, target_id, reason=error.key, **detail)
    session.commit()
    error.audited = True
    raise error


@contextmanager
def refusing(session: Session, actor: Actor | None, refusal: Refusal, target_id: int | None = None,
             **detail: Any) -> Iterator[None]:
    """Audit any DomainError raised inside the block once (an anonymous caller's is raised unaudited)."""
    try:
        yield
    except DomainError as error:
        if actor is None or getattr(error, "audited", False):
            raise
        refuse(session, actor, refusal, error, target_id, **detail)


def require(session: Session, actor: Actor | None, refusal: Refusal, *roles: Role) -> Actor:
    """The actor, if logged in and holding one of `roles` (any role when none given); a logged-in actor refused
    for their role is written to the audit log."""
    try:
        return require_role(actor, *roles)
    except NotAllowed as error:
        if actor is None:
            raise
        refuse(session, actor, refusal, error)

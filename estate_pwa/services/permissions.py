"""Who is acting, and what they may do. Every service that guards data starts here."""

from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, select

from estate_pwa.models import Role, User, UserRole
from estate_pwa.services.errors import NotAllowed, NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """The logged-in person behind a request, resolved on the server from their session."""

    id: int
    estate_id: int
    name: str
    roles: frozenset[Role]
    unit_id: int | None = None

    def has(self, *roles: Role) -> bool:
        """Whether the actor holds any of `roles`."""
        return bool(self.roles.intersection(roles))


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    """The roles a user holds."""
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id))
    return frozenset(Role(r) for r in rows)


def actor_for(session: Session, user: User) -> Actor:
    """Build the actor for a loaded user."""
    return Actor(
        id=user.id, estate_id=user.estate_id, name=user.name,
        roles=roles_of(session, user.id), unit_id=user.unit_id,
    )


def user_of(session: Session, actor: Actor) -> User:
    """The actor's own account (for audit records and what only the account holds)."""
    return session.get(User, actor.id)


def require(actor: Actor | None, *roles: Role) -> Actor:
    """Refuse unless there is an actor holding one of `roles` (any role when none is named)."""
    if actor is None:
        raise NotAllowed("error.login_required")
    if roles and not actor.has(*roles):
        raise NotAllowed("error.not_allowed")
    return actor


def in_estate(session: Session, actor: Actor, model: type[T], record_id: int) -> T:
    """Load a record of the actor's own estate, or refuse as if it did not exist."""
    record = session.get(model, record_id)
    if record is None or getattr(record, "estate_id", None) != actor.estate_id:
        raise NotFound("error.not_found")
    return record

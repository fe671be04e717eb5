"""Logging in and out, staff accounts, password resets and resident invitations.

The staff list and a unit's invite come as rows that say what the viewer may do with them (`actions`), decided by
the same checks the actions themselves enforce.
"""

import math
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.config import settings
from estate_pwa.core.qr import qr_png
from estate_pwa.core.security import (
    hash_password,
    hash_token,
    needs_rehash,
    new_invite_code,
    new_session_token,
    verify_password,
)
from estate_pwa.models import STAFF_ROLES, AuthSession, Building, Estate, InviteCode, Role, Unit, User, UserRole
from estate_pwa.routes import JOIN
from estate_pwa.services import audit
from estate_pwa.services.errors import InvalidInput, LoginRefused, NotAllowed, NotFound
from estate_pwa.services.files import Download, download_url, downloadable
from estate_pwa.services.permissions import Actor, actor_for, in_estate, require, user_of
from estate_pwa.services.validation import (
    check_new_password,
    clean_invite_code,
    clean_name,
    clean_phone,
    PASSWORD_MAX,
    login_password,
    positive_id,
)

TOKEN_MAX = 128
RESET_PASSWORD = "reset_password"
DISABLE = "disable"
ENABLE = "enable"
INVITE = "invite"
INVITE_QR = "invite_qr"
BASE_URL_MAX = 200


def login(session: Session, phone: object, password: object, now: datetime | None = None) -> tuple[Actor, str]:
    """Check a phone number and password; return the actor and a new session token.

    Wrong passwords are counted; after `max_failed_logins` in a row the account is locked for
    `lockout`. The count is committed even though the attempt is refused. An unknown phone and a wrong
    password get the same answer in about the same time, so the form does not tell who has an account.
    """
    now = now or utcnow()
    try:
        phone = clean_phone(phone)
        password = login_password(password)
    except InvalidInput as error:
        raise LoginRefused(error.key) from None
    user = session.exec(select(User).where(User.phone == phone)).first()
    if user is None:
        verify_password(None, password)
        raise LoginRefused("error.login_failed")
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        raise LoginRefused("error.account_locked", minutes=_minutes_left(user.locked_until, now))
    if not verify_password(user.password_hash, password):
        _count_failure(session, user, now, "error.login_failed")
    if not user.is_active:
        raise LoginRefused("error.account_disabled")
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = _open_session(session, user, now)
    audit.record(session, user.estate_id, user, "login", "user", user.id)
    session.commit()
    return actor_for(session, user), token


def _count_failure(session: Session, user: User, now: datetime, key: str) -> None:
    """Record a wrong password, lock the account when the limit is reached, and refuse with `key`."""
    user.failed_logins += 1
    if user.failed_logins >= settings.max_failed_logins:
        user.failed_logins = 0
        user.locked_until = now + settings.lockout
        audit.record(session, user.estate_id, None, "account_locked", "user", user.id)
        session.commit()
        raise LoginRefused("error.account_locked", minutes=_minutes_left(user.locked_until, now))
    session.commit()
    raise LoginRefused(key)


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _open_session(session: Session, user: User, now: datetime) -> str:
    token = new_session_token()
    session.add(AuthSession(
        user_id=user.id, token_hash=hash_token(token), expires_at=now + settings.session_lifetime,
    ))
    return token


def resolve(session: Session, token: object, now: datetime | None = None) -> Actor | None:
    """The actor behind a device's token, or None if it is unknown, expired, revoked or disabled."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    now = now or utcnow()
    row = session.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == AuthSession.user_id)
        .where(AuthSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if auth.revoked_at is not None or auth.expires_at <= now or not user.is_active:
        return None
    return actor_for(session, user)


def logout(session: Session, token: object, now: datetime | None = None) -> None:
    """Revoke the session behind a token (no effect on unknown tokens)."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = now or utcnow()
        user = session.get(User, auth.user_id)
        audit.record(session, user.estate_id, user, "logout", "user", user.id)


def _revoke_all(session: Session, user_id: int, now: datetime) -> None:
    sessions = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None))
    )
    for auth in sessions:
        auth.revoked_at = now


def _ensure_phone_free(session: Session, phone: str) -> None:
    if session.exec(select(User.id).where(User.phone == phone)).first() is not None:
        raise InvalidInput("error.phone_taken")


def create_staff(
    session: Session, actor: Actor | None, name: object, phone: object, roles: object, password: object,
) -> User:
    """A manager creates a staff account with one or more staff roles."""
    actor = require(actor, Role.MANAGER)
    name, phone, password = clean_name(name), clean_phone(phone), check_new_password(password)
    if not isinstance(roles, (list, tuple, set, frozenset)) or not roles:
        raise InvalidInput("error.roles_required")
    try:
        chosen = {Role(r) for r in roles}
    except ValueError:
        raise InvalidInput("error.roles_required") from None
    if not chosen.issubset(STAFF_ROLES):
        raise InvalidInput("error.roles_required")
    _ensure_phone_free(session, phone)
    user = User(estate_id=actor.estate_id, name=name, phone=phone, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    for role in sorted(chosen):
        session.add(UserRole(user_id=user.id, role=role))
    audit.record(session, actor.estate_id, user_of(session, actor), "staff_created", "user", user.id,
                 roles=sorted(chosen))
    return user


def set_active(session: Session, actor: Actor | None, user_id: object, active: bool, now: datetime | None = None) -> User:
    """A manager disables or re-enables an account of their estate; disabling logs it out everywhere."""
    actor = require(actor, Role.MANAGER)
    user = in_estate(session, actor, User, positive_id(user_id))
    if user.id == actor.id:
        raise NotAllowed("error.cannot_disable_self")
    user.is_active = bool(active)
    if not user.is_active:
        _revoke_all(session, user.id, now or utcnow())
    audit.record(session, actor.estate_id, user_of(session, actor),
                 "account_enabled" if user.is_active else "account_disabled", "user", user.id)
    return user


def temporary_password() -> str:
    """A random 10-character password with letters and digits, for a reset."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate


def reset_password(session: Session, actor: Actor | None, user_id: object, now: datetime | None = None) -> str:
    """A manager resets a user's password; returns the temporary password to hand over once."""
    actor = require(actor, Role.MANAGER)
    user = in_estate(session, actor, User, positive_id(user_id))
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    _revoke_all(session, user.id, now or utcnow())
    audit.record(session, actor.estate_id, user_of(session, actor), "password_reset", "user", user.id)
    return password


@dataclass(frozen=True)
class PasswordReset:
    """A reset as the manager hands it over: whose password, and the temporary one (shown once)."""

    name: str
    password: str


def reset_password_of(session: Session, actor: Actor | None, user_id: object,
                      now: datetime | None = None) -> PasswordReset:
    """reset_password, with the name of the person whose password it was."""
    password = reset_password(session, actor, user_id, now)
    return PasswordReset(session.get(User, positive_id(user_id)).name, password)


def change_password(session: Session, actor: Actor | None, current: object, new: object, keep_token: str = "",
                    now: datetime | None = None) -> None:
    """Anyone logged in changes their own password, proving the current one. Wrong guesses count toward the
    lockout like wrong logins; a change logs out every other device (all but `keep_token`'s session)."""
    actor = require(actor)
    now = now or utcnow()
    user = user_of(session, actor)
    if user.locked_until is not None and user.locked_until > now:
        raise LoginRefused("error.account_locked", minutes=_minutes_left(user.locked_until, now))
    if not isinstance(current, str) or not verify_password(user.password_hash, current[:PASSWORD_MAX]):
        _count_failure(session, user, now, "error.current_password_wrong")
    user.password_hash = hash_password(check_new_password(new))
    user.failed_logins = 0
    kept = hash_token(keep_token) if keep_token else None
    for auth in session.exec(select(AuthSession).where(
            AuthSession.user_id == user.id, col(AuthSession.revoked_at).is_(None))):
        if auth.token_hash != kept:
            auth.revoked_at = now
    audit.record(session, actor.estate_id, user, "password_changed", "user", user.id)


def staff_of_estate(session: Session, actor: Actor | None) -> list[tuple[User, frozenset[Role]]]:
    """Every staff account of the manager's estate, with roles, by name."""
    actor = require(actor, Role.MANAGER)
    rows = session.exec(
        select(User, UserRole.role)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .where(User.estate_id == actor.estate_id, col(UserRole.role).in_(list(STAFF_ROLES)))
        .order_by(User.name)
    )
    staff: dict[int, tuple[User, set[Role]]] = {}
    for user, role in rows:
        staff.setdefault(user.id, (user, set()))[1].add(Role(role))
    return [(user, frozenset(roles)) for user, roles in staff.values()]


@dataclass(frozen=True)
class StaffRow:
    """One staff account as the staff screen shows it: `roles` are translation keys ("role.guard")."""

    id: int
    name: str
    phone: str
    roles: list[str]
    active: bool
    actions: list[str]


def staff_actions(actor: Actor, user: User) -> list[str]:
    """What `actor` may do to `user`'s account (the checks of set_active and reset_password): a manager of the
    same estate disables, re-enables and resets the password of anyone but themselves (their own password is
    changed on 我的, proving the current one)."""
    if not actor.has(Role.MANAGER) or user.estate_id != actor.estate_id or user.id == actor.id:
        return []
    return [RESET_PASSWORD, DISABLE if user.is_active else ENABLE]


def staff_rows(session: Session, actor: Actor | None) -> list[StaffRow]:
    """The staff screen: every staff account of the manager's estate, by name, with what they may do to it."""
    actor = require(actor, Role.MANAGER)
    return [
        StaffRow(id=user.id, name=user.name, phone=user.phone, roles=[f"role.{r.value}" for r in sorted(roles)],
                 active=user.is_active, actions=staff_actions(actor, user))
        for user, roles in staff_of_estate(session, actor)
    ]


def unit_actions(actor: Actor, unit: Unit) -> list[str]:
    """What `actor` may do with a unit (the checks of issue_invite): a manager of its estate issues invites."""
    return [INVITE] if actor.has(Role.MANAGER) and unit.estate_id == actor.estate_id else []


def issue_invite(session: Session, actor: Actor | None, unit_id: object, now: datetime | None = None) -> InviteCode:
    """A manager issues a new invite code for a unit; earlier unused codes of that unit stop working."""
    actor = require(actor, Role.MANAGER)
    now = now or utcnow()
    unit = in_estate(session, actor, Unit, positive_id(unit_id))
    earlier = session.exec(
        select(InviteCode).where(
            InviteCode.unit_id == unit.id,
            col(InviteCode.used_at).is_(None),
            col(InviteCode.revoked_at).is_(None),
        )
    )
    for invite in earlier:
        invite.revoked_at = now
    invite = InviteCode(
        estate_id=actor.estate_id, unit_id=unit.id, code=new_invite_code(),
        expires_at=now + settings.invite_lifetime, created_by_id=actor.id,
    )
    session.add(invite)
    session.flush()
    audit.record(session, actor.estate_id, user_of(session, actor), "invite_issued", "unit", unit.id)
    return invite


@dataclass(frozen=True)
class InviteCard:
    """A fresh invite as the manager prints it: the unit, the code, its last local day and the QR image's link."""

    unit: str
    code: str
    expires_on: str
    qr_url: str


def _base_url(raw: object) -> str:
    """The app's address as the manager's browser reached it (its Origin): short, one line, no query."""
    if not isinstance(raw, str) or len(raw) > BASE_URL_MAX or any(ch.isspace() or ch in "?#" for ch in raw):
        raise InvalidInput("error.bad_request")
    return raw.rstrip("/")


def join_link(base_url: str, code: str) -> str:
    """The URL a printed invite's QR code opens: the sign-up page with the code filled in."""
    return f"{base_url}{JOIN}?code={code}"


def issue_invite_card(session: Session, actor: Actor | None, unit_id: object, base_url: object,
                      now: datetime | None = None) -> InviteCard:
    """Issue an invite for a unit (issue_invite) and describe it for printing; the QR image is served by link
    (`base_url` is the app's own address, which the QR code's link starts with)."""
    base_url = _base_url(base_url)
    invite = issue_invite(session, actor, unit_id, now)
    unit = session.get(Unit, invite.unit_id)
    building = session.get(Building, unit.building_id)
    timezone = session.get(Estate, invite.estate_id).timezone
    return InviteCard(unit=f"{building.name} {unit.number}", code=invite.code,
                      expires_on=format_local(invite.expires_at, timezone, "%Y-%m-%d"),
                      qr_url=download_url(actor, INVITE_QR, code=invite.code, base=base_url))


@downloadable(INVITE_QR)
def invite_qr(session: Session, actor: Actor, code: str, base: str, now: datetime | None = None) -> Download:
    """The QR image of an invite that still works, for a manager of its estate only (checked again when the
    link is opened)."""
    require(actor, Role.MANAGER)
    invite = session.exec(select(InviteCode).where(InviteCode.code == clean_invite_code(code))).first()
    now = now or utcnow()
    if (invite is None or invite.estate_id != actor.estate_id or invite.revoked_at is not None
            or invite.used_at is not None or invite.expires_at <= now):
        raise NotFound("error.not_found")
    return Download(f"invite-{invite.code}.png", "image/png", qr_png(join_link(_base_url(base), invite.code)),
                    inline=True)


def redeem_invite(
    session: Session, code: object, name: object, phone: object, password: object, now: datetime | None = None,
) -> tuple[Actor, str]:
    """A resident uses a one-time code to create their account in that unit; returns a logged-in session."""
    now = now or utcnow()
    code = clean_invite_code(code)
    name, phone, password = clean_name(name), clean_phone(phone), check_new_password(password)
    invite = session.exec(select(InviteCode).where(InviteCode.code == code)).first()
    if invite is None or invite.revoked_at is not None or invite.expires_at <= now:
        raise NotFound("error.invite_invalid")
    if invite.used_at is not None:
        raise InvalidInput("error.invite_used")
    _ensure_phone_free(session, phone)
    user = User(
        estate_id=invite.estate_id, name=name, phone=phone,
        password_hash=hash_password(password), unit_id=invite.unit_id,
    )
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=Role.RESIDENT))
    invite.used_at = now
    invite.used_by_id = user.id
    token = _open_session(session, user, now)
    audit.record(session, invite.estate_id, user, "resident_joined", "unit", invite.unit_id)
    session.flush()
    return actor_for(session, user), token


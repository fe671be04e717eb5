"""Password hashing (argon2id) and random tokens; nothing here knows about users."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 10


def hash_password(password: str) -> str:
    """Hash a password with argon2id and a fresh salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and fail."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def new_session_token() -> str:
    """A 256-bit random session token for the device to keep."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The server-side form of a token: its SHA-256, so a database leak reveals no live token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_invite_code() -> str:
    """A short code without look-alike characters, for residents to type or scan."""
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))

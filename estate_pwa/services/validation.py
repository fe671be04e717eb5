"""Checks on what the outside sends: phone numbers, names, passwords, codes."""

import re
import unicodedata

from estate_pwa.core.security import INVITE_ALPHABET, INVITE_LENGTH
from estate_pwa.services.errors import InvalidInput

_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")
NAME_MAX = 50
PASSWORD_MIN = 8
PASSWORD_MAX = 128
ID_MAX = 2**31 - 1
FORBIDDEN_IN_NAMES = {"Cc", "Cf", "Cs", "Co", "Cn"}
ZERO_WIDTH_JOINER = "\u200d"


def clean_phone(raw: object) -> str:
    """Return an 11-digit mainland mobile number, accepting spaces, dashes and a +86 prefix."""
    if not isinstance(raw, str) or len(raw) > 32:
        raise InvalidInput("error.phone_invalid")
    digits = re.sub(r"[\s\-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _MAINLAND_MOBILE.fullmatch(digits):
        raise InvalidInput("error.phone_invalid")
    return digits


def clean_name(raw: object) -> str:
    """Return a trimmed display name of 1–50 printable characters."""
    if not isinstance(raw, str):
        raise InvalidInput("error.name_invalid")
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise InvalidInput("error.name_required")
    if len(name) > NAME_MAX:
        raise InvalidInput("error.name_too_long")
    if any(unicodedata.category(ch) in FORBIDDEN_IN_NAMES and ch != ZERO_WIDTH_JOINER for ch in name):
        raise InvalidInput("error.name_invalid")
    return name


def check_new_password(raw: object) -> str:
    """Accept a new password of 8–128 characters with at least one letter and one digit."""
    if not isinstance(raw, str) or not (PASSWORD_MIN <= len(raw) <= PASSWORD_MAX):
        raise InvalidInput("error.password_length")
    if not (any(ch.isalpha() for ch in raw) and any(ch.isdigit() for ch in raw)):
        raise InvalidInput("error.password_weak")
    return raw


def login_password(raw: object) -> str:
    """A password as typed at login: non-empty and not absurdly long (not checked for strength)."""
    if not isinstance(raw, str) or not raw:
        raise InvalidInput("error.password_required")
    if len(raw) > PASSWORD_MAX:
        raise InvalidInput("error.login_failed")
    return raw


def clean_invite_code(raw: object) -> str:
    """Normalise a typed or scanned invite code (case, spaces) and check its alphabet."""
    if not isinstance(raw, str) or len(raw) > 64:
        raise InvalidInput("error.invite_invalid")
    code = re.sub(r"\s", "", raw).upper()
    if len(code) != INVITE_LENGTH or any(ch not in INVITE_ALPHABET for ch in code):
        raise InvalidInput("error.invite_invalid")
    return code


def positive_id(raw: object) -> int:
    """An id sent by a client: a positive int, or a refusal."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InvalidInput("error.bad_request")
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput("error.bad_request") from None
    if value <= 0 or value > ID_MAX:
        raise InvalidInput("error.bad_request")
    return value

"""The one parser per kind of input a client sends: phone numbers, names, passwords, codes, ids, free text,
choices, whole numbers, aware and local times, and stored photo names. Each returns the clean value or raises
InvalidInput with a translation key; none trusts the type a client claims."""

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from estate_pwa.core.security import INVITE_ALPHABET, INVITE_LENGTH
from estate_pwa.services.errors import InvalidInput

_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")
NAME_MAX = 50
PASSWORD_MIN = 8
PASSWORD_MAX = 128
ID_MAX = 2**31 - 1
FORBIDDEN_IN_NAMES = {"Cc", "Cf", "Cs", "Co", "Cn"}
ZERO_WIDTH_JOINER = "\u200d"
TEXT_MAX = 1000
LINE_BREAKS = {"\n", "\t"}
TIME_TEXT_MAX = 40
_WHOLE = re.compile(r"[0-9]{1,10}")
PHOTO_STEM = r"/[0-9a-f]{32}\.jpg"
FEN = Decimal("0.01")
MONEY_MAX = Decimal("1000000.00")
"""No single amount (a bill, a payment, a price) reaches a million yuan; more is a typo."""
_MONEY = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?")


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


def text(raw: object, key: str, limit: int = TEXT_MAX, *, required: bool = True, multiline: bool = False) -> str:
    """Trimmed NFC text of at most `limit` characters, without control or invisible characters (line breaks and
    tabs allowed when `multiline`); `key` names the message for a missing or non-text value. Optional and empty
    gives ""."""
    if raw is None and not required:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput(key)
    value = unicodedata.normalize("NFC", raw.replace("\r\n", "\n")).strip()
    if not value:
        if required:
            raise InvalidInput(key)
        return ""
    if len(value) > limit:
        raise InvalidInput("error.text_too_long", limit=limit)
    allowed = LINE_BREAKS if multiline else set()
    if any(unicodedata.category(ch) in FORBIDDEN_IN_NAMES and ch not in allowed and ch != ZERO_WIDTH_JOINER
           for ch in value):
        raise InvalidInput("error.bad_request")
    return value


def choice(raw: object, allowed: Iterable, key: str) -> str:
    """One of `allowed` (an enum or any values, compared as text)."""
    if not isinstance(raw, str) or raw not in {str(a) for a in allowed}:
        raise InvalidInput(key)
    return raw


def whole(raw: object, bounds: tuple[int, int], key: str) -> int:
    """A whole number within `bounds` (inclusive), given as an int or as digits."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise InvalidInput(key)
    if isinstance(raw, str) and not _WHOLE.fullmatch(raw.strip()):
        raise InvalidInput(key)
    value = int(raw)
    if not bounds[0] <= value <= bounds[1]:
        raise InvalidInput(key)
    return value


def aware(raw: object) -> datetime:
    """An instant in UTC: an aware datetime, or ISO 8601 text with an offset (as a phone's queue sends it)."""
    if isinstance(raw, str) and len(raw) <= TIME_TEXT_MAX:
        try:
            raw = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise InvalidInput("error.bad_time") from None
    if not isinstance(raw, datetime) or raw.utcoffset() is None:
        raise InvalidInput("error.bad_time")
    return raw.astimezone(UTC)


def local_time(raw: object, timezone: str) -> datetime:
    """A `datetime-local` input value ('2026-03-10T14:30') read in the estate's `timezone`."""
    if not isinstance(raw, str) or not raw or len(raw) > TIME_TEXT_MAX:
        raise InvalidInput("error.bad_time")
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("error.bad_time") from None
    if naive.tzinfo is not None:
        raise InvalidInput("error.bad_time")
    return naive.replace(tzinfo=ZoneInfo(timezone))


def photo_names(raw: object, folders: Iterable[str], limit: int) -> list[str]:
    """Names of photos stored by the photos kit in one of `folders` ('folder/<32 hex>.jpg'), at most `limit`."""
    if not raw:
        return []
    pattern = re.compile("(" + "|".join(re.escape(f) for f in folders) + ")" + PHOTO_STEM)
    if not isinstance(raw, (list, tuple)) or not all(isinstance(p, str) and pattern.fullmatch(p) for p in raw):
        raise InvalidInput("error.bad_request")
    if len(raw) > limit:
        raise InvalidInput("error.too_many_photos", limit=limit)
    return list(raw)


def money(raw: object, *, zero: bool = False) -> Decimal:
    """An amount in yuan with fen precision ('12', '12.5', '¥1,280.00', an int or a Decimal), as a Decimal with two
    places. Refused: floats (never exact), NaN and infinities, negatives, more than two decimals, zero (unless
    `zero`) and absurd amounts (a million yuan or more)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise InvalidInput("error.money_invalid")
    if isinstance(raw, Decimal):
        raw = format(raw, "f") if raw.is_finite() else "NaN"
    value = str(raw).strip().lstrip("¥￥").replace(",", "")
    if len(value) > 20 or not _MONEY.fullmatch(value):
        raise InvalidInput("error.money_too_large" if re.fullmatch(r"[0-9]{8,}(\.[0-9]*)?", value)
                           else "error.money_invalid")
    amount = Decimal(value).quantize(FEN)
    if amount >= MONEY_MAX:
        raise InvalidInput("error.money_too_large")
    if amount == 0 and not zero:
        raise InvalidInput("error.money_zero")
    return amount

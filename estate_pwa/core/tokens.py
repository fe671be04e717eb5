"""Signed tokens (HMAC-SHA256) for things printed or shown as QR codes, e.g. patrol checkpoints.

A token is `base64url(payload) "." base64url(mac)`, where the MAC is keyed by a key derived from the
installation's secret *and the purpose*, so a token made for one purpose never verifies for another.
Nothing about the token is trusted until its MAC has been checked in constant time.

The secret comes from `ESTATE_SECRET_KEY`; when that is unset, a random secret is created once in the file
named by `ESTATE_SECRET_FILE` (default `var/secret_key`, mode 0600) and reused by every later process. Both are
read by `core.config`, as every setting is.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import threading
from pathlib import Path

from estate_pwa.core.config import SECRET_ENV, SECRET_FILE_ENV, get_settings  # noqa: F401  (the names, for callers)

SECRET_MIN = 16
"""The fewest characters accepted in `ESTATE_SECRET_KEY` or the secret file."""
PURPOSE_MAX = 64
PAYLOAD_MAX = 256
TAG_LENGTH = 22
"""Longest payload in bytes (UTF-8); tokens are meant to fit in a small QR code."""
TOKEN_MAX = 512
"""Longest token `verify` will even look at: anything longer is refused before any decoding."""

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_PURPOSE = re.compile(r"[a-z0-9][a-z0-9._-]*")
_file_secrets: dict[str, bytes] = {}
_file_lock = threading.Lock()


class TokenInvalid(ValueError):
    """The token is malformed, forged, tampered with or made for another purpose."""


def _secret_from_file(path: Path) -> bytes:
    """The secret kept in `path`, creating it (0600, atomically) when it does not exist yet."""
    key = str(path.resolve())
    with _file_lock:
        if key in _file_secrets:
            return _file_secrets[key]
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(temp, path)  # atomic, and fails if another process created the file meanwhile
            except FileExistsError:
                pass
            finally:
                os.unlink(temp)
        value = path.read_text(encoding="utf-8").strip()
        if len(value) < SECRET_MIN:
            raise RuntimeError(f"the secret file {path} holds fewer than {SECRET_MIN} characters")
        _file_secrets[key] = value.encode("utf-8")
        return _file_secrets[key]


def secret_file() -> Path:
    """Where the generated secret is kept (`ESTATE_SECRET_FILE`, default ./var/secret_key)."""
    return get_settings().secret_file


def secret() -> bytes:
    """The installation's signing secret: `ESTATE_SECRET_KEY`, else the generated secret file."""
    configured = get_settings().secret_key
    if configured:
        if len(configured) < SECRET_MIN:
            raise RuntimeError(f"{SECRET_ENV} must have at least {SECRET_MIN} characters")
        return configured.encode("utf-8")
    return _secret_from_file(secret_file())


def _check_purpose(purpose: object) -> str:
    if not isinstance(purpose, str) or len(purpose) > PURPOSE_MAX or not _PURPOSE.fullmatch(purpose):
        raise ValueError("a purpose is a short lower-case name such as 'patrol-point'")
    return purpose


def _mac(purpose: str, payload: bytes) -> bytes:
    purpose_key = hmac.new(secret(), b"estate-token-purpose\x00" + purpose.encode("ascii"), hashlib.sha256).digest()
    return hmac.new(purpose_key, payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Strict base64url without padding: only the canonical spelling of some bytes is accepted."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise TokenInvalid("not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenInvalid("not base64url") from None
    if _encode(data) != text:  # unused trailing bits set: a second spelling of the same bytes
        raise TokenInvalid("not canonical")
    return data


def sign(purpose: str, payload: str) -> str:
    """A URL-safe token carrying `payload`, valid only for `purpose`."""
    purpose = _check_purpose(purpose)
    if not isinstance(payload, str):
        raise ValueError("the payload is a string")
    data = payload.encode("utf-8")
    if not data or len(data) > PAYLOAD_MAX:
        raise ValueError(f"the payload has 1 to {PAYLOAD_MAX} bytes")
    return f"{_encode(data)}.{_encode(_mac(purpose, data))}"


def tag(purpose: str, payload: str) -> str:
    """A short opaque name for `payload` within `purpose`: the same every time, meaningless without the secret."""
    return _encode(_mac(_check_purpose(purpose), payload.encode("utf-8")))[:TAG_LENGTH]


def verify(purpose: str, token: object) -> str:
    """The payload of a token made by `sign(purpose, …)`; raises TokenInvalid for anything else."""
    purpose = _check_purpose(purpose)
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        raise TokenInvalid("missing or too long")
    body, dot, tag = token.partition(".")
    if not dot:
        raise TokenInvalid("no signature")
    data, mac = _decode(body), _decode(tag)
    if not data or len(data) > PAYLOAD_MAX:
        raise TokenInvalid("bad payload length")
    if not hmac.compare_digest(mac, _mac(purpose, data)):
        raise TokenInvalid("bad signature")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # only possible with the secret in hand; refuse all the same
        raise TokenInvalid("payload is not UTF-8") from None

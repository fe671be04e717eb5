"""Files travel over plain HTTP behind short-lived signed URLs, never through the event websocket.

* Stored images (photos, thumbnails, signatures): ``media_url(name)`` gives ``/media/<token>``. A service hands
  such a URL only to a viewer who may see the record; the URL stays the same within a LINK_WINDOW, so a screen
  that refreshes its rows sends the same text and the browser keeps the image it has.
* Generated files (PDF sheets, CSV/XLSX exports, QR images): a service registers a builder once with
  ``@downloadable("kind")``; ``download_url(actor, "kind", **params)`` gives ``/files/<token>`` naming the person,
  the builder and its parameters. Opening it runs the builder for that person again, so a disabled account or a
  lost permission gets nothing even with a fresh link.
"""

import inspect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.core.media import THUMB_SUFFIX, stored_path
from estate_pwa.models import User
from estate_pwa.services.errors import NotFound
from estate_pwa.services.permissions import Actor, actor_for

MEDIA_PURPOSE = "media-link"
DOWNLOAD_PURPOSE = "download-link"
MEDIA_PREFIX = "/media/"
DOWNLOAD_PREFIX = "/files/"
LINK_WINDOW = timedelta(minutes=15)
"""Links are valid for one to two windows; within a window the same file gets the same link."""
DOWNLOAD_LIFETIME = timedelta(minutes=10)
TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


@dataclass(frozen=True)
class Download:
    """A generated file: its name, media type and bytes; `inline` files (images) are shown, not saved."""

    filename: str
    media_type: str
    content: bytes
    inline: bool = False


Builder = Callable[..., Download]
_builders: dict[str, Builder] = {}
_public: set[str] = set()
"""Kinds anyone may open (a public notice such as the price board): built with actor None."""


def _expiry(now: datetime, lifetime: timedelta | None = None) -> int:
    """A link's expiry in epoch seconds: fixed per LINK_WINDOW (media) or `lifetime` from now (downloads)."""
    if lifetime is not None:
        return math.ceil((now + lifetime).timestamp())
    window = int(LINK_WINDOW.total_seconds())
    return (int(now.timestamp()) // window + 2) * window


def media_url(name: str | None, *, thumb: bool = False, now: datetime | None = None) -> str:
    """The signed URL of a stored image ('' when there is none); `thumb` for a photo's thumbnail."""
    if not name:
        return ""
    file = name + THUMB_SUFFIX if thumb else name
    return MEDIA_PREFIX + tokens.sign(MEDIA_PURPOSE, f"{file}|{_expiry(now or utcnow())}")


def media_file(token: str, now: datetime | None = None) -> tuple[Path, str, int]:
    """The stored file a media link names, its media type and seconds left; NotFound for a forged, expired or
    dangling link."""
    try:
        file, _, expiry = tokens.verify(MEDIA_PURPOSE, token).rpartition("|")
        left = int(expiry) - int((now or utcnow()).timestamp())
    except (tokens.TokenInvalid, ValueError):
        raise NotFound("error.not_found") from None
    path = stored_path(file)
    media_type = TYPES.get(Path(file).suffix)  # thumbnails end in .thumb.jpg
    if left <= 0 or path is None or media_type is None:
        raise NotFound("error.not_found")
    return path, media_type, left


def downloadable(kind: str, public: bool = False) -> Callable[[Builder], Builder]:
    """Register `builder(session, actor, **params) -> Download` under `kind` (once per kind); a `public` kind's
    links name no person (see `public_url`) and its builder gets actor None."""
    def register(builder: Builder) -> Builder:
        if kind in _builders and _builders[kind] is not builder:
            raise ValueError(f"download kind registered twice: {kind}")
        _builders[kind] = builder
        if public:
            _public.add(kind)
        return builder
    return register


def public_url(kind: str, now: datetime | None = None, **params: str | int) -> str:
    """A signed link anyone may open to the public file `kind` builds from `params` (still short-lived)."""
    if kind not in _public:
        raise ValueError(f"not a public download kind: {kind}")
    payload = json.dumps({"k": kind, "u": 0, "e": _expiry(now or utcnow(), DOWNLOAD_LIFETIME), "p": params},
                         separators=(",", ":"), ensure_ascii=False)
    return DOWNLOAD_PREFIX + tokens.sign(DOWNLOAD_PURPOSE, payload)


def download_url(actor: Actor, kind: str, now: datetime | None = None, **params: str | int) -> str:
    """A signed link for `actor` to the file `kind` builds from `params` (short texts and numbers)."""
    if kind not in _builders:
        raise ValueError(f"unknown download kind: {kind}")
    payload = json.dumps({"k": kind, "u": actor.id, "e": _expiry(now or utcnow(), DOWNLOAD_LIFETIME),
                          "p": params}, separators=(",", ":"), ensure_ascii=False)
    return DOWNLOAD_PREFIX + tokens.sign(DOWNLOAD_PURPOSE, payload)


def build_download(session: Session, token: str, now: datetime | None = None) -> Download:
    """Build the file a download link names for the person it was made for, who must still be active and
    allowed (the builder checks as on screen); NotFound for a forged or expired link."""
    try:
        claim = json.loads(tokens.verify(DOWNLOAD_PURPOSE, token))
        kind, user_id, expiry, params = claim["k"], claim["u"], claim["e"], claim["p"]
    except (tokens.TokenInvalid, ValueError, KeyError, TypeError):
        raise NotFound("error.not_found") from None
    builder = _builders.get(kind)
    if user_id == 0 and kind in _public and isinstance(params, dict) and isinstance(expiry, int) \
            and expiry > (now or utcnow()).timestamp():
        try:
            inspect.signature(builder).bind(session, None, **params)
        except TypeError:
            raise NotFound("error.not_found") from None
        return builder(session, None, **params)
    user = session.get(User, user_id) if isinstance(user_id, int) and user_id > 0 else None
    if (user is None or not user.is_active or builder is None or not isinstance(params, dict)
            or not isinstance(expiry, int) or expiry <= (now or utcnow()).timestamp()):
        raise NotFound("error.not_found")
    actor = actor_for(session, user)
    try:
        inspect.signature(builder).bind(session, actor, **params)
    except TypeError:
        raise NotFound("error.not_found") from None
    return builder(session, actor, **params)

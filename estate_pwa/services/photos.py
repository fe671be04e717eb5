"""The photos kit, service side: photos are stored by core.media (upright JPEG + thumbnail), named in records by
'folder/<32 hex>.jpg' (validation.photo_names), and shown through signed links made here only for a viewer the
feature's own service has allowed to see the record."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from estate_pwa.core.clock import utcnow
from estate_pwa.core.media import save_photo
from estate_pwa.services.files import media_url

UPLOAD_LIMIT = 3
"""Photos taken at once by the picker."""
FORM_PHOTOS = "photos"
"""A form queued by the phone's outbox names each item's photos `photos.<item key>` (its camera field); a form
queued before photos belonged to items has one `photos` list instead."""


@dataclass(frozen=True)
class PhotoLink:
    """One photo as a screen shows it: the thumbnail's link and the full-size link (both signed, short-lived)."""

    thumb: str
    full: str


def store(data: bytes, folder: str) -> str:
    """Check, shrink and store one uploaded photo with its thumbnail; returns its name (raises BadImage)."""
    return save_photo(data, folder)


def links(names: Iterable[str], now: datetime | None = None) -> list[PhotoLink]:
    """Links to stored photos, for a viewer already allowed to see them."""
    now = now or utcnow()
    return [PhotoLink(media_url(n, thumb=True, now=now), media_url(n, now=now)) for n in names]


def form_item_photos(payload: dict, keys: list[str], flagged: list[bool]) -> list[object]:
    """The photos of each item of a form queued by the phone's outbox, as sent (the feature's service checks them):
    its own `photos.<key>`; a form queued before photos belonged to items carries one `photos` list instead, which
    goes with the `flagged` items (failed, defective), or with the first item when none is."""
    if any(isinstance(name, str) and name.startswith(FORM_PHOTOS + ".") for name in payload):
        return [payload.get(f"{FORM_PHOTOS}.{key}") or [] for key in keys]
    shared = payload.get(FORM_PHOTOS) or []
    owners = flagged if any(flagged) else [index == 0 for index in range(len(keys))]
    return [shared if owner else [] for owner in owners]

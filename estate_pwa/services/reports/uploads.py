"""The public page's upload, checked before anything decodes it: the request body is read from the stream only up
to BODY_MAX (a longer one is refused as it arrives, whatever Content-Length claimed), and the photo's first bytes
must be those of an image format the photos kit stores. Only then does the photos kit decode, shrink and store it.
"""

from estate_pwa.core.media import MAX_BYTES
from estate_pwa.services.errors import InvalidInput

PHOTO_MAX = MAX_BYTES
"""The largest photo accepted (the photos kit's limit: 8 MiB)."""
BODY_MAX = PHOTO_MAX + 64 * 1024
"""The largest request body: one photo and the short fields around it."""
DRAIN_MAX = 1024 * 1024
"""How much of a refused body is still read, and dropped, after BODY_MAX: a sender still writing then receives the
refusal instead of a reset connection. A longer body is cut off."""
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


class TooLarge(InvalidInput):
    """The body or the photo is over its limit."""


def is_image(head: bytes) -> bool:
    """Whether `head` starts like a JPEG, PNG, GIF or WebP file."""
    return head.startswith(_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def check_length(declared: str | None) -> None:
    """Refuse a body whose declared length is over BODY_MAX before reading any of it."""
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise InvalidInput("error.bad_request") from None
        if length > BODY_MAX:
            raise TooLarge("error.photo_too_large")


async def read_body(chunks) -> bytes:
    """The body from an async stream of chunks, refused (TooLarge) once it passes BODY_MAX: nothing past BODY_MAX is
    kept, and at most DRAIN_MAX more is read before the refusal."""
    body = bytearray()
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received <= BODY_MAX:
            body += chunk
        elif received > BODY_MAX + DRAIN_MAX:
            break
    if received > BODY_MAX:
        raise TooLarge("error.photo_too_large")
    return bytes(body)


def check_photo(data: bytes) -> bytes:
    """The photo's bytes when they may be handed to the photos kit: not over PHOTO_MAX, an image by its magic
    bytes; refused otherwise (never decoded)."""
    if len(data) > PHOTO_MAX:
        raise TooLarge("error.photo_too_large")
    if not is_image(data[:16]):
        raise InvalidInput("error.photo_not_image")
    return data

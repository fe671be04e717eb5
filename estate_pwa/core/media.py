"""Images sent by phones (signatures, photos): checked, shrunk and re-encoded with pillow, stored on disk."""

import base64
import binascii
import io
import uuid
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from estate_pwa.core.config import get_settings

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 16_000_000
MAX_SIDE = 1600
PHOTO_SIDE = 1280
THUMB_SIDE = 256
DATA_URL_PREFIX = "data:image/png;base64,"
THUMB_SUFFIX = ".thumb.jpg"


class BadImage(ValueError):
    """The bytes are not an acceptable image."""


def media_dir() -> Path:
    """Where images live (`ESTATE_MEDIA_DIR`, default ./var/media); created on first use."""
    path = get_settings().media_dir.resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _decode(data: bytes, mode: str) -> Image.Image:
    """The pixels of an uploaded image (upright, in `mode`), or BadImage."""
    if not data or len(data) > MAX_BYTES:
        raise BadImage("size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise BadImage("pixels")
                image.load()
                return ImageOps.exif_transpose(image).convert(mode)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        raise BadImage("format") from error


def _target(folder: str, suffix: str) -> tuple[str, Path]:
    name = f"{folder}/{uuid.uuid4().hex}{suffix}"
    path = media_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return name, path


def save_image(data: bytes, folder: str) -> str:
    """Validate, shrink to at most MAX_SIDE px and store as PNG (metadata dropped); returns 'folder/name.png'."""
    clean = _decode(data, "RGBA")
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    name, path = _target(folder, ".png")
    clean.save(path, format="PNG", optimize=True)
    return name


def save_photo(data: bytes, folder: str) -> str:
    """Store a camera photo as an upright JPEG of at most PHOTO_SIDE px (metadata dropped) with a THUMB_SIDE px
    thumbnail beside it; returns 'folder/name.jpg'."""
    clean = _decode(data, "RGB")
    clean.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    name, path = _target(folder, ".jpg")
    clean.save(path, format="JPEG", quality=82, optimize=True)
    clean.thumbnail((THUMB_SIDE, THUMB_SIDE))
    clean.save(path.with_name(path.name + THUMB_SUFFIX), format="JPEG", quality=75)
    return name


def stored_path(name: str | None) -> Path | None:
    """The stored file called `name`, only if it really lies inside the media folder."""
    if not name:
        return None
    path = (media_dir() / name).resolve()
    return path if media_dir() in path.parents and path.is_file() else None


def save_png_data_url(data_url: object, folder: str) -> str:
    """Store a `data:image/png;base64,…` string drawn on a canvas."""
    if not isinstance(data_url, str) or not data_url.startswith(DATA_URL_PREFIX):
        raise BadImage("format")
    if len(data_url) > MAX_BYTES * 4 // 3 + len(DATA_URL_PREFIX):
        raise BadImage("size")
    try:
        data = base64.b64decode(data_url[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadImage("format") from error
    return save_image(data, folder)


PDF_MAGIC = b"%PDF-"
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def save_document(data: bytes, folder: str) -> str:
    """Store an uploaded document: a PDF as sent (checked by its signature and size), or a photo of a paper
    document re-encoded like any photo; returns 'folder/name.pdf' or 'folder/name.jpg'."""
    if not data or len(data) > DOCUMENT_MAX_BYTES:
        raise BadImage("size")
    if data.startswith(PDF_MAGIC):
        name, path = _target(folder, ".pdf")
        path.write_bytes(data)
        return name
    return save_photo(data, folder)

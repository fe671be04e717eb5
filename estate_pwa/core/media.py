"""Images sent by phones (signatures, photos): checked, shrunk and re-encoded with pillow, stored on disk."""

import base64
import binascii
import io
import os
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 1600
DATA_URL_PREFIX = "data:image/png;base64,"


class BadImage(ValueError):
    """The bytes are not an acceptable image."""


def media_dir() -> Path:
    """Where images live (`ESTATE_MEDIA_DIR`, default ./var/media); created on first use."""
    path = Path(os.environ.get("ESTATE_MEDIA_DIR", "var/media")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_image(data: bytes, folder: str) -> str:
    """Validate, shrink to at most MAX_SIDE px and store as PNG (metadata dropped); returns 'folder/name.png'."""
    if not data or len(data) > MAX_BYTES:
        raise BadImage("size")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise BadImage("format") from error
    clean.thumbnail((MAX_SIDE, MAX_SIDE))
    name = f"{folder}/{uuid.uuid4().hex}.png"
    target = media_dir() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    clean.save(target, format="PNG", optimize=True)
    return name


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


def data_url_of(name: str | None) -> str:
    """A stored image as a data URL for an authorised viewer ('' if missing)."""
    if not name:
        return ""
    path = (media_dir() / name).resolve()
    if media_dir() not in path.parents or not path.is_file():
        return ""
    return DATA_URL_PREFIX + base64.b64encode(path.read_bytes()).decode("ascii")

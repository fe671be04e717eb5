"""Photos and signatures from phones: validated, re-encoded, upright, with thumbnails, never outside the folder."""

import base64
import io

import pytest
from PIL import Image

from estate_pwa.core import media


@pytest.fixture(autouse=True)
def media_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ESTATE_MEDIA_DIR", str(tmp_path / "media"))
    return tmp_path / "media"


def _jpeg(width=2000, height=1000, orientation=None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_photo_is_shrunk_turned_upright_and_has_a_thumbnail(media_folder):
    name = media.save_photo(_jpeg(2000, 1000, orientation=6), "requests")
    assert name.startswith("requests/") and name.endswith(".jpg")
    with Image.open(media_folder / name) as stored:
        assert stored.size == (640, 1280)
        assert 0x0112 not in stored.getexif()
    with Image.open(media_folder / (name + media.THUMB_SUFFIX)) as thumb:
        assert max(thumb.size) == media.THUMB_SIDE
    assert media.stored_path(name + media.THUMB_SUFFIX) == media_folder / (name + media.THUMB_SUFFIX)
    with Image.open(media.stored_path(name)) as shown:
        assert shown.size == (640, 1280)


@pytest.mark.parametrize("data", [b"", b"not an image", b"\xff\xd8\xff" + b"0" * 100, b"x" * (media.MAX_BYTES + 1)])
def test_bad_or_oversized_bytes_are_refused(data):
    with pytest.raises(media.BadImage):
        media.save_photo(data, "requests")


def test_signature_data_url_round_trip_and_refusals():
    canvas = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    name = media.save_png_data_url(media.DATA_URL_PREFIX + base64.b64encode(buffer.getvalue()).decode(), "signatures")
    with Image.open(media.stored_path(name)) as stored:
        assert stored.format == "PNG"
    for bad in ("", "data:image/png;base64,!!!", "data:text/html;base64,PGI+", None, 12, "x" * 20_000_000):
        with pytest.raises(media.BadImage):
            media.save_png_data_url(bad, "signatures")


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "requests/../../secret", "", None])
def test_names_outside_the_media_folder_are_not_read(media_folder, name):
    (media_folder.parent / "secret").write_text("private")
    assert media.stored_path(name) is None
    assert media.stored_path((name or "") + media.THUMB_SUFFIX) is None


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(media.BadImage):
        media.save_photo(bomb.getvalue(), "requests")
    with pytest.raises(media.BadImage):
        media.save_png_data_url(media.DATA_URL_PREFIX + base64.b64encode(bomb.getvalue()).decode(), "signatures")

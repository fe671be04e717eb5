"""The public upload is checked before decoding: the body's size while it streams, the photo's magic bytes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
import io

import pytest
from PIL import Image

from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.reports import uploads


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def _run(coroutine):
    """Run `coroutine` on its own loop in its own thread: in a whole-suite run the browser tests' Playwright driver
    keeps an event loop running in the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_images_pass_by_their_magic_bytes(fmt):
    data = _image(fmt)
    assert uploads.check_photo(data) is data


@pytest.mark.parametrize("data", [b"%PDF-1.7 ...", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"MZ\x90\x00",
                                  b"GIF8", b"", b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_non_images_are_refused_unread(data):
    with pytest.raises(InvalidInput) as refused:
        uploads.check_photo(data)
    assert refused.value.key == "error.photo_not_image"


def test_an_oversized_photo_or_body_is_refused():
    with pytest.raises(uploads.TooLarge):
        uploads.check_photo(b"\xff\xd8\xff" + b"\0" * uploads.PHOTO_MAX)
    with pytest.raises(uploads.TooLarge):
        uploads.check_length(str(uploads.BODY_MAX + 1))
    with pytest.raises(InvalidInput):
        uploads.check_length("12; drop")
    uploads.check_length(str(uploads.BODY_MAX))
    uploads.check_length(None)


def test_the_body_is_refused_as_soon_as_it_passes_the_limit_while_streaming():
    sent = []

    async def chunks():
        for _ in range(100):
            sent.append(1)
            yield b"\0" * (1024 * 1024)

    with pytest.raises(uploads.TooLarge):
        _run(uploads.read_body(chunks()))
    # stopped reading right after the limit and the short drain that lets the sender receive the refusal
    assert len(sent) == (uploads.BODY_MAX + uploads.DRAIN_MAX) // (1024 * 1024) + 1

    async def small():
        yield b"abc"
        yield b"def"
    assert _run(uploads.read_body(small())) == b"abcdef"

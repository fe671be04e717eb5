"""A fake camera for Chromium: a Y4M video (made with pillow) that shows QR codes one after another."""

from pathlib import Path

import qrcode
from PIL import Image

SIZE = 720
FPS = 5


def _frame(text: str | None) -> Image.Image:
    """A square frame: the code of `text` on a white page with a grey border (or no code)."""
    frame = Image.new("RGB", (SIZE, SIZE), (120, 120, 120))
    page = Image.new("RGB", (SIZE - 120, SIZE - 120), "white")
    if text is not None:
        code = qrcode.make(text, border=2).get_image().convert("RGB").resize((440, 440), Image.NEAREST)
        page.paste(code, ((page.width - code.width) // 2, (page.height - code.height) // 2))
    frame.paste(page, (60, 60))
    return frame


def _planes(frame: Image.Image) -> bytes:
    """The frame as I420: the Y plane, then Cb and Cr at quarter size."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (SIZE // 2, SIZE // 2)
    return y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()


def write_y4m(path: Path, texts: list[str], seconds_each: float = 2.0, gap_seconds: float = 1.0) -> Path:
    """Write a video that shows each text's QR code for `seconds_each`, with blank frames between (it loops)."""
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{SIZE} H{SIZE} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for text in texts:
            for frame, count in ((_frame(text), seconds_each), (_frame(None), gap_seconds)):
                data = _planes(frame)
                for _ in range(round(count * FPS)):
                    video.write(b"FRAME\n" + data)
    return path

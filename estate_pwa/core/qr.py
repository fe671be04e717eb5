"""QR codes as PNG images (qrcode + pillow)."""

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str, box_size: int = 8) -> bytes:
    """Encode `text` as a PNG QR code with a quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_url(text: str, box_size: int = 8) -> str:
    """The same QR code as a `data:` URL an <img> can show directly."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text, box_size)).decode("ascii")


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of `text` as rows of modules (True is dark), without the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()

"""A4 documents drawn with pillow in Noto Sans CJK (Debian's fonts-noto-cjk, installed by `make browser`): the
font lookup shared by every printable, and simple text pages (headings, paragraphs, tables) saved as PDF."""

import functools
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FAMILY = "Noto Sans CJK SC"
DPI = 150
PAGE = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))
MARGIN = round(15 / 25.4 * DPI)


class FontMissing(RuntimeError):
    """The CJK font documents are drawn with is not installed."""


@functools.cache
def cjk_font_face(bold: bool) -> tuple[Path, int]:
    """The file and face index of Noto Sans CJK SC."""
    path = FONT_DIR / f"NotoSansCJK-{'Bold' if bold else 'Regular'}.ttc"
    for index in range(16 if path.is_file() else 0):
        try:
            face = ImageFont.truetype(path, 12, index=index)
        except OSError:
            break
        if face.getname()[0] == FONT_FAMILY:
            return path, index
    raise FontMissing(f"{FONT_FAMILY} not found in {path}: install fonts-noto-cjk (make browser)")


@functools.cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans CJK SC at `size` pixels."""
    path, index = cjk_font_face(bold)
    return ImageFont.truetype(path, size, index=index)


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header; `widths` are fractions of the line."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...]


class TextDocument:
    """Pages of headings, lines and tables, flowing onto new pages as they fill."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.pages: list[Image.Image] = []
        self._new_page()

    def _new_page(self) -> None:
        self.page = Image.new("RGB", PAGE, "white")
        self.draw = ImageDraw.Draw(self.page)
        self.pages.append(self.page)
        self.y = MARGIN

    def _room(self, height: int) -> None:
        if self.y + height > PAGE[1] - MARGIN:
            self._new_page()

    def heading(self, text: str, size: int = 34) -> None:
        """A bold line."""
        self._room(size + 20)
        self.draw.text((MARGIN, self.y), text, font=font(size, True), fill="black")
        self.y += size + 20

    def line(self, text: str, size: int = 22, colour: str = "#333333") -> None:
        """A line of text, cut to the page's width."""
        self._room(size + 12)
        self.draw.text((MARGIN, self.y), _fit(text, font(size), PAGE[0] - 2 * MARGIN), font=font(size), fill=colour)
        self.y += size + 12

    def table(self, table: Table, size: int = 20) -> None:
        """A table; the header is repeated on every page it runs onto."""
        width = PAGE[0] - 2 * MARGIN
        lefts = [MARGIN + round(width * sum(table.widths[:i])) for i in range(len(table.widths))]
        step = size + 14

        def row(cells: tuple[str, ...], bold: bool) -> None:
            for left, share, cell in zip(lefts, table.widths, cells):
                self.draw.text((left, self.y), _fit(cell, font(size, bold), round(width * share) - 8),
                               font=font(size, bold), fill="black")
            self.y += step
            self.draw.line((MARGIN, self.y - 6, PAGE[0] - MARGIN, self.y - 6), fill="#dddddd", width=1)

        self._room(2 * step)
        row(table.header, True)
        for cells in table.rows:
            if self.y + step > PAGE[1] - MARGIN:
                self._new_page()
                row(table.header, True)
            row(cells, False)

    def pdf(self) -> bytes:
        """The document as PDF."""
        buffer = io.BytesIO()
        self.pages[0].save(buffer, format="PDF", save_all=True, append_images=self.pages[1:], resolution=DPI,
                           title=self.title)
        return buffer.getvalue()


def _fit(text: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    """`text`, shortened with an ellipsis to fit `width` pixels."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"

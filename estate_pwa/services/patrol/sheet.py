"""Printable QR labels for patrol checkpoints (qrcode + pillow): A4 PDF sheets of six cut-out labels, or one
label as a PNG, each a download link built again for the manager it names.

A label carries the checkpoint's current code (a reissued code needs a new print), its name, building and area,
location, short id (P007) and the estate's name. Pages are drawn at 200 dpi.
"""

import io
import math
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps
from sqlmodel import Session, col, select

from estate_pwa.core.pdf import cjk_font_face  # noqa: F401  (the tests check the font through this module)
from estate_pwa.core.pdf import font as _font
from estate_pwa.core.qr import qr_modules
from estate_pwa.models import Area, Building, Estate, PatrolPoint
from estate_pwa.services import files
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.patrol.checkpoints import point_url, points
from estate_pwa.services.permissions import Actor
from estate_pwa.services.validation import positive_id

DPI = 200
A4_MM = (210, 297)
COLUMNS, ROWS = 2, 3
PER_PAGE = COLUMNS * ROWS
SHEET_KIND = "patrol-sheet"
LABEL_KIND = "patrol-label"


def _px(mm: float) -> int:
    return round(mm * DPI / 25.4)


PAGE = (_px(A4_MM[0]), _px(A4_MM[1]))
MARGIN = _px(10)
CELL = ((PAGE[0] - 2 * MARGIN) // COLUMNS, (PAGE[1] - 2 * MARGIN) // ROWS)
"""One label's size in pixels, also the size of a single label's PNG."""
PAD = _px(3)
QR_MIN = _px(45)
"""The least width of a printed code, without its quiet zone."""
QUIET_MODULES = 4
HEADER = 40
ID_SIZE = 36
ESTATE_SIZE = 24
NAME_SIZES = range(56, 27, -4)
PLACE_SIZE = 30
LOCATION_SIZE = 26
FOOTER_SIZE = 22
DASH = 6
_WRAP_UNITS = re.compile(r"[0-9A-Za-z]{1,12}|.")
"""Where a line may break: between CJK characters, and around short runs of Latin letters and digits."""


@dataclass(frozen=True)
class _Label:
    url: str
    short_id: str
    name: str
    place: str
    location: str


def _chosen(session: Session, actor: Actor | None, point_ids: object) -> list[PatrolPoint]:
    """The active checkpoints to print in the board's order (name, id): all of them, or those in `point_ids`."""
    estate_points = points(session, actor)
    if point_ids is None:
        chosen = [p for p in estate_points if p.active]
    else:
        if not isinstance(point_ids, (list, tuple)):
            raise InvalidInput("error.bad_request")
        wanted = {positive_id(i) for i in point_ids}
        by_id = {p.id: p for p in estate_points}
        if not wanted <= by_id.keys():
            raise InvalidInput("error.bad_request")
        if not all(by_id[i].active for i in wanted):
            raise InvalidInput("error.point_inactive")
        chosen = [p for p in estate_points if p.id in wanted]
    if not chosen:
        raise InvalidInput("error.no_points_to_print")
    return chosen


def _labels(session: Session, estate_id: int, base_url: str, chosen: list[PatrolPoint]) -> list[_Label]:
    areas = {a.id: a for a in session.exec(select(Area).where(
        Area.estate_id == estate_id, col(Area.id).in_({p.area_id for p in chosen})))}
    buildings = {b.id: b.name for b in session.exec(select(Building).where(
        Building.estate_id == estate_id, col(Building.id).in_({a.building_id for a in areas.values()} - {None})))}
    places = {a.id: " · ".join(filter(None, (buildings.get(a.building_id), a.name))) for a in areas.values()}
    return [_Label(url=point_url(base_url, p), short_id=f"P{p.id:03d}", name=p.name, place=places[p.area_id],
                   location=p.location_text) for p in chosen]


def _shorten(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """`text` cut to fit `width`, ending in … when cut."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines = [""]
    for unit in _WRAP_UNITS.findall(text):
        if lines[-1] and font.getlength(lines[-1] + unit) > width:
            lines.append("")
        lines[-1] += unit
    return [line.strip() for line in lines]


def _pitch(size: int) -> int:
    return round(size * 1.25)


def _name_lines(name: str, width: int, height: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest bold size at which `name` fits the box, wrapped; at the smallest size its end is cut off."""
    for size in NAME_SIZES:
        font, fits = _font(size, bold=True), height // _pitch(size)
        lines = _wrap(name, font, width)
        if len(lines) <= fits:
            return font, lines
    return font, lines[:fits - 1] + [_shorten(lines[fits - 1] + lines[fits], font, width)]


def _code(url: str) -> Image.Image:
    """The QR code of `url` with its quiet zone, modules of whole pixels and at least QR_MIN wide."""
    modules = qr_modules(url)
    count = len(modules)
    code = Image.new("L", (count, count))
    code.putdata([0 if dark else 255 for row in modules for dark in row])
    code = ImageOps.expand(code, border=QUIET_MODULES, fill=255)
    return code.resize((code.width * math.ceil(QR_MIN / count),) * 2, Image.Resampling.NEAREST)


def _label_image(estate_name: str, label: _Label) -> Image.Image:
    """One label, CELL in size, white around its edges (PAD)."""
    image = Image.new("L", CELL, 255)
    draw = ImageDraw.Draw(image)
    width, centre = CELL[0] - 2 * PAD, CELL[0] // 2
    id_font = _font(ID_SIZE, bold=True)
    draw.text((CELL[0] - PAD, PAD), label.short_id, font=id_font, fill=0, anchor="ra")
    estate_font = _font(ESTATE_SIZE)
    estate_width = width - round(id_font.getlength(label.short_id)) - PAD
    draw.text((PAD, PAD), _shorten(estate_name, estate_font, estate_width), font=estate_font, fill=0, anchor="la")
    code = _code(label.url)
    image.paste(code, (centre - code.width // 2, PAD + HEADER))
    top, bottom = PAD + HEADER + code.height, CELL[1] - PAD
    lines = [(_font(PLACE_SIZE), label.place)] + ([(_font(LOCATION_SIZE), label.location)] if label.location else [])
    name_height = bottom - top - sum(_pitch(font.size) for font, _ in lines)
    name_font, name_lines = _name_lines(label.name, width, name_height)
    for font, text in [(name_font, line) for line in name_lines] + lines:
        draw.text((centre, top + _pitch(font.size) // 2), _shorten(text, font, width), font=font, fill=0,
                  anchor="mm")
        top += _pitch(font.size)
    return image


def _dashed_box(draw: ImageDraw.ImageDraw, left: int, top: int, right: int, bottom: int) -> None:
    for x in range(left, right, 2 * DASH):
        draw.line([(x, top), (min(x + DASH, right), top)], fill=0)
        draw.line([(x, bottom), (min(x + DASH, right), bottom)], fill=0)
    for y in range(top, bottom, 2 * DASH):
        draw.line([(left, y), (left, min(y + DASH, bottom))], fill=0)
        draw.line([(right, y), (right, min(y + DASH, bottom))], fill=0)


def _page(estate_name: str, labels: list[_Label], number: int, pages: int) -> Image.Image:
    """One A4 page: labels in COLUMNS x ROWS cells framed by dashed cut lines, the estate and page in the footer."""
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    for slot, label in enumerate(labels):
        left, top = MARGIN + slot % COLUMNS * CELL[0], MARGIN + slot // COLUMNS * CELL[1]
        page.paste(_label_image(estate_name, label), (left, top))
        _dashed_box(draw, left, top, left + CELL[0], top + CELL[1])
    footer = _font(FOOTER_SIZE)
    text = f"{_shorten(estate_name, footer, PAGE[0] // 2)} · {number}/{pages}"
    draw.text((PAGE[0] // 2, PAGE[1] - MARGIN // 2), text, font=footer, fill=0, anchor="mm")
    return page.convert("1", dither=Image.Dither.NONE)


def sheet_pdf(session: Session, actor: Actor | None, base_url: str, point_ids: object = None) -> bytes:
    """A manager's A4 PDF of the estate's active checkpoints' labels (or of `point_ids`), six to a page."""
    chosen = _chosen(session, actor, point_ids)
    estate_name = session.get(Estate, actor.estate_id).name
    labels = _labels(session, actor.estate_id, base_url, chosen)
    groups = [labels[i:i + PER_PAGE] for i in range(0, len(labels), PER_PAGE)]
    pages = [_page(estate_name, group, n, len(groups)) for n, group in enumerate(groups, start=1)]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], title=estate_name,
                  dpi=(PAGE[0] * 25.4 / A4_MM[0], PAGE[1] * 25.4 / A4_MM[1]))
    return buffer.getvalue()


def point_png(session: Session, actor: Actor | None, base_url: str, point_id: object) -> bytes:
    """A manager's label of one active checkpoint as a PNG (the same label as on the sheet)."""
    chosen = _chosen(session, actor, [point_id])
    label, = _labels(session, actor.estate_id, base_url, chosen)
    buffer = io.BytesIO()
    _label_image(session.get(Estate, actor.estate_id).name, label).save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


@files.downloadable(SHEET_KIND)
def sheet_file(session: Session, actor: Actor, base: str) -> files.Download:
    """Every active checkpoint's label on A4 pages, to print (codes pointing at `base`, the app as the manager
    reached it)."""
    return files.Download("patrol-codes.pdf", "application/pdf", sheet_pdf(session, actor, base))


@files.downloadable(LABEL_KIND)
def label_file(session: Session, actor: Actor, point: int, base: str) -> files.Download:
    """One active checkpoint's label as a PNG."""
    return files.Download("patrol-code.png", "image/png", point_png(session, actor, base, point))

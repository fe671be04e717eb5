"""Printable checkpoint labels: A4 PDF sheets and single PNG labels, read back from the bytes (page count and
size, the QR modules found in each label equal to the checkpoint's current URL), who may print them, which
checkpoints, and long names staying inside their label."""

import io
import math
import re
import struct
from dataclasses import dataclass

import pytest
import qrcode
from PIL import Image, ImageFont, PdfParser
from qrcode.constants import ERROR_CORRECT_M
from sqlmodel import select

from estate_pwa.models import Area, Building, Role
from estate_pwa.services import patrol
from estate_pwa.services.patrol import sheet as patrol_sheet
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.patrol.conftest import make_area, make_points
from estate_pwa.services.patrol.sheet import CELL, COLUMNS, DPI, MARGIN, PAD, PER_PAGE, ROWS

BASE = "https://wy.example.com/"
A4_POINTS = (595.28, 841.89)
FINDER = [[r in (0, 6) or c in (0, 6) or (2 <= r <= 4 and 2 <= c <= 4) for c in range(7)] for r in range(7)]


# Reading the output back

def runs(marks: list[bool]) -> list[tuple[int, int]]:
    """Where the runs of True in `marks` start, and their lengths."""
    found = []
    for i, mark in enumerate(marks):
        if mark and i and marks[i - 1]:
            found[-1] = (found[-1][0], found[-1][1] + 1)
        elif mark:
            found.append((i, 1))
    return found


def modules_of(text: str) -> list[list[bool]]:
    """The QR modules qrcode makes for `text` (error correction M, no quiet zone)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


@dataclass(frozen=True)
class FoundCode:
    modules: list[list[bool]]
    module: int
    """Pixels per module."""
    top: int


def read_qr(image: Image.Image) -> FoundCode | None:
    """The topmost QR code in `image`, located by its top-left and top-right finder patterns (dark is below 128)
    and read by sampling the middle of each module."""
    pixels, (width, height) = image.convert("L").load(), image.size

    def dark(x: int, y: int) -> bool:
        return x < width and y < height and pixels[x, y] < 128

    def finder(x: int, y: int, module: int) -> bool:
        return all(dark(x + c * module + module // 2, y + r * module + module // 2) == FINDER[r][c]
                   for r in range(7) for c in range(7))

    for y in range(height):
        row = runs([dark(x, y) for x in range(width)])
        for start, length in row:
            module = length // 7
            if length % 7 or not finder(start, y, module):
                continue
            ends = [s + length for s, l in row if s > start and l == length and finder(s, y, module)]
            if ends:
                count = (ends[-1] - start) // module
                return FoundCode([[dark(start + c * module + module // 2, y + r * module + module // 2)
                                   for c in range(count)] for r in range(count)], module, y)
    return None


def pdf_pages(data: bytes) -> list[tuple[list[float], Image.Image]]:
    """Each page's MediaBox and its picture; a page's CCITT G4 image is decoded by wrapping it in a TIFF."""
    pdf = PdfParser.PdfParser(buf=data)
    pages = []
    for ref in pdf.pages:
        page = pdf.read_indirect(ref)
        image = pdf.read_indirect(page[b"Resources"][b"XObject"][b"image"])
        assert image.dictionary[b"Filter"] == [PdfParser.PdfName(b"CCITTFaxDecode")]
        width, height = image.dictionary[b"Width"], image.dictionary[b"Height"]
        entries = [(256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 4), (262, 3, 1),
                   (273, 4, 8 + 2 + 12 * 8 + 4), (278, 4, height), (279, 4, len(image.buf))]
        tiff = (b"II*\x00" + struct.pack("<IH", 8, len(entries))
                + b"".join(struct.pack("<HHII", tag, kind, 1, value) for tag, kind, value in entries)
                + struct.pack("<I", 0) + image.buf)
        pages.append((page[b"MediaBox"], Image.open(io.BytesIO(tiff))))
    return pages


def cells(page: Image.Image) -> list[Image.Image]:
    """The page's label cells inside their white edge (so without the cut lines), row by row."""
    return [page.crop((MARGIN + c * CELL[0] + PAD, MARGIN + r * CELL[1] + PAD,
                       MARGIN + (c + 1) * CELL[0] - PAD, MARGIN + (r + 1) * CELL[1] - PAD))
            for r in range(ROWS) for c in range(COLUMNS)]


def sheet_codes(data: bytes) -> list[list[list[bool]] | None]:
    """The QR modules of every cell of every page, None for an empty cell."""
    found = [read_qr(cell) for _, page in pdf_pages(data) for cell in cells(page)]
    return [code.modules if code else None for code in found]


def ink_bands(image: Image.Image) -> list[Image.Image]:
    """The horizontal bands of `image` with ink (its lines of text), top to bottom."""
    pixels = image.load()
    inked = [any(pixels[x, y] < 128 for x in range(image.width)) for y in range(image.height)]
    return [image.crop((0, top, image.width, top + height)) for top, height in runs(inked)]


def glyphs(band: Image.Image) -> int:
    """How many runs of inked columns a line of text has: its characters, when they are CJK."""
    pixels = band.load()
    return len(runs([any(pixels[x, y] < 128 for y in range(band.height)) for x in range(band.width)]))


def text_below_code(label: Image.Image, code: FoundCode) -> Image.Image:
    """The part of a label under its code's quiet zone, inside the white edge."""
    top = code.top + (len(code.modules) + patrol_sheet.QUIET_MODULES) * code.module
    return label.crop((PAD, top, label.width - PAD, label.height - PAD))


def png_label(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


# Fixtures

@pytest.fixture
def area(session, estate):
    building = session.exec(select(Building).where(Building.estate_id == estate.id)).one()
    return make_area(session, estate, "东门", building.id)


@pytest.fixture
def seven(session, boss, area):
    """Seven checkpoints made out of name order."""
    return make_points(session, boss, area, names=[f"点{n:02d}" for n in (4, 2, 7, 1, 6, 3, 5)], location="岗亭旁")


def by_name(points):
    return sorted(points, key=lambda p: p.name)


# The sheet

def test_sheet_is_an_a4_pdf_of_six_labels_a_page_in_name_order(session, boss, area, seven):
    retired = make_points(session, boss, area, names=["点00"], location="岗亭旁")[0]
    retired.active = False
    session.commit()
    data = patrol_sheet.sheet_pdf(session, boss, BASE)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == math.ceil(7 / PER_PAGE) == 2
    pages = pdf_pages(data)
    assert len(pages) == 2
    for media_box, picture in pages:
        assert media_box[:2] == [0, 0]
        assert media_box[2] == pytest.approx(A4_POINTS[0], abs=1)
        assert media_box[3] == pytest.approx(A4_POINTS[1], abs=1)
        assert picture.size == (round(210 * DPI / 25.4), round(297 * DPI / 25.4))
    expected = [modules_of(patrol.point_url(BASE, p)) for p in by_name(seven)]
    assert sheet_codes(data) == expected + [None] * 5


def test_codes_are_at_least_45_mm_wide(session, boss, seven):
    label = png_label(patrol_sheet.point_png(session, boss, BASE, seven[0].id))
    code = read_qr(label)
    assert label.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01)  # PNG keeps whole pixels per metre
    assert len(code.modules) * code.module / DPI * 25.4 >= 45


def test_sheet_of_chosen_points_keeps_name_order(session, boss, seven):
    first, second = by_name(seven)[5], by_name(seven)[1]
    data = patrol_sheet.sheet_pdf(session, boss, BASE, [first.id, str(second.id), first.id])
    assert sheet_codes(data) == [modules_of(patrol.point_url(BASE, second)),
                                 modules_of(patrol.point_url(BASE, first))] + [None] * 4


def test_png_label_carries_the_points_url(session, boss, seven):
    point, other = seven[0], seven[1]
    label = png_label(patrol_sheet.point_png(session, boss, BASE, point.id))
    assert label.size == CELL
    modules = read_qr(label).modules
    assert modules == modules_of(patrol.point_url(BASE, point))
    assert modules != modules_of(patrol.point_url(BASE, other))
    assert patrol.resolve_point(session, patrol.point_url(BASE, point).rsplit("/", 1)[1]).id == point.id


def test_reissued_point_is_printed_with_its_new_code(session, boss, seven):
    point = seven[0]
    old_url = patrol.point_url(BASE, point)
    patrol.reissue_code(session, boss, point.id)
    session.commit()
    new_url = patrol.point_url(BASE, point)
    assert new_url != old_url
    modules = read_qr(png_label(patrol_sheet.point_png(session, boss, BASE, point.id))).modules
    assert modules == modules_of(new_url) != modules_of(old_url)
    assert sheet_codes(patrol_sheet.sheet_pdf(session, boss, BASE, [point.id]))[0] == modules_of(new_url)


# Who and what

def test_only_managers_print(session, factory, estate, seven):
    guard = factory.actor(factory.user(estate, Role.GUARD, Role.TECHNICIAN, name="保安"))
    for call in (lambda who: patrol_sheet.sheet_pdf(session, who, BASE),
                 lambda who: patrol_sheet.point_png(session, who, BASE, seven[0].id)):
        with pytest.raises(NotAllowed) as refused:
            call(guard)
        assert refused.value.key == "error.not_allowed"
        with pytest.raises(NotAllowed) as refused:
            call(None)
        assert refused.value.key == "error.login_required"


def test_another_estates_manager_cannot_print_these_points(session, factory, seven):
    stranger = factory.actor(factory.user(factory.estate(), Role.MANAGER, name="别家经理"))
    for call in (lambda: patrol_sheet.sheet_pdf(session, stranger, BASE, [seven[0].id]),
                 lambda: patrol_sheet.point_png(session, stranger, BASE, seven[0].id)):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.key == "error.bad_request"
    with pytest.raises(InvalidInput) as refused:
        patrol_sheet.sheet_pdf(session, stranger, BASE)
    assert refused.value.key == "error.no_points_to_print"


def test_foreign_unknown_and_malformed_ids_are_refused(session, factory, boss, seven):
    other_estate = factory.estate()
    other_area = Area(estate_id=other_estate.id, name="北门", kind="gate")
    session.add(other_area)
    session.commit()
    other_boss = factory.actor(factory.user(other_estate, Role.MANAGER))
    foreign = make_points(session, other_boss, other_area, names=["别家点"], location="岗亭旁")[0]
    for point_ids in ([foreign.id], [seven[0].id, foreign.id], [2**31 - 1], [0], [-1], [True], [None], ["x"],
                      [1.0], [2**40], str(seven[0].id), seven[0].id, {seven[0].id: 1}):
        with pytest.raises(InvalidInput) as refused:
            patrol_sheet.sheet_pdf(session, boss, BASE, point_ids)
        assert refused.value.key == "error.bad_request", point_ids
    for point_id in (foreign.id, "x", None, True, [seven[0].id]):
        with pytest.raises(InvalidInput) as refused:
            patrol_sheet.point_png(session, boss, BASE, point_id)
        assert refused.value.key == "error.bad_request", point_id


def test_retired_points_and_empty_choices_are_refused(session, boss, seven):
    seven[0].active = False
    session.commit()
    for call in (lambda: patrol_sheet.sheet_pdf(session, boss, BASE, [seven[1].id, seven[0].id]),
                 lambda: patrol_sheet.point_png(session, boss, BASE, seven[0].id)):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.key == "error.point_inactive"
    with pytest.raises(InvalidInput) as refused:
        patrol_sheet.sheet_pdf(session, boss, BASE, [])
    assert refused.value.key == "error.no_points_to_print"


# Long text

@pytest.mark.parametrize("name", ["巡" * 40, "巡" * patrol.NAME_MAX,
                                  ("北门 North Gate 消防通道 B2 出口 " * 5)[:patrol.NAME_MAX]],
                         ids=["cjk40", "cjk100", "mixed100"])
def test_long_names_stay_inside_the_label(session, boss, area, name):
    point = make_points(session, boss, area, names=[name], location="地下车库B2层电梯口往右" * 9)[0]
    label = png_label(patrol_sheet.point_png(session, boss, BASE, point.id)).convert("L")
    width, height = label.size
    edges = [(0, 0, width, PAD), (0, height - PAD, width, height), (0, 0, PAD, height), (width - PAD, 0, width, height)]
    assert all(label.crop(box).getextrema()[0] >= 128 for box in edges)
    code = read_qr(label)
    assert code.modules == modules_of(patrol.point_url(BASE, point))
    assert text_below_code(label, code).getextrema()[0] < 128


def test_forty_character_name_is_wrapped_whole(session, boss, area):
    point = make_points(session, boss, area, names=["巡" * 40], location="")[0]
    label = png_label(patrol_sheet.point_png(session, boss, BASE, point.id)).convert("L")
    *name_lines, _place = ink_bands(text_below_code(label, read_qr(label)))
    assert len(name_lines) >= 2
    assert sum(glyphs(band) for band in name_lines) == 40


def test_font_is_simplified_chinese():
    for bold in (False, True):
        path, index = patrol_sheet.cjk_font_face(bold)
        assert ImageFont.truetype(path, 12, index=index).getname() == (
            "Noto Sans CJK SC", "Bold" if bold else "Regular")

"""The printable price board (价目表, 明码标价): an A4 PDF of the estate's active special services at their marked
prices with their units and cancellation rules, and the services the fee includes; public like the price list,
served behind a signed, short-lived `/files/` link."""

from datetime import datetime

from sqlmodel import Session, col

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.core.pdf import Table, TextDocument
from estate_pwa.i18n import tr
from estate_pwa.models import ServiceItem
from estate_pwa.services.bookings.catalogue import estate_for, ordered
from estate_pwa.services.bookings.common import yuan
from estate_pwa.services.errors import NotFound
from estate_pwa.services.files import Download, downloadable, public_url
from estate_pwa.services.permissions import Actor

BOARD_KIND = "price_board"
LANGS = ("zh", "en")


def board_link(estate_code: str, lang: str = "zh", now: datetime | None = None) -> str:
    """A signed link anyone may open to the estate's price board."""
    return public_url(BOARD_KIND, now, estate=estate_code, lang=lang if lang in LANGS else "zh")


def _name(item: ServiceItem, lang: str) -> str:
    return item.name_en if lang == "en" else item.name_zh


def _about(item: ServiceItem, lang: str) -> str:
    return (item.description_en or item.description_zh) if lang == "en" else item.description_zh


@downloadable(BOARD_KIND, public=True)
def board_pdf(session: Session, actor: Actor | None, estate: str, lang: str = "zh") -> Download:
    """The price board of the estate named by its code, in Chinese or English."""
    found = estate_for(session, estate)
    if found is None or lang not in LANGS:
        raise NotFound("error.not_found")
    items = list(session.exec(ordered(found.id).where(col(ServiceItem.active).is_(True))))
    document = TextDocument(f"{found.name} {tr('services.board_title', lang)}")
    document.heading(f"{found.name} · {tr('services.board_title', lang)}", size=40)
    document.line(tr("services.board_intro", lang))
    document.heading(tr("services.special", lang), size=28)
    rows = []
    for item in (i for i in items if i.special):
        unit = tr(f"fees.price_unit.{item.price_unit}", lang)
        rule = tr("bookings.rule_free", lang).format(hours=item.free_cancel_hours, fee=yuan(item.cancel_fee))
        rows.append((_name(item, lang), f"¥{yuan(item.price)} / {unit}", f"{item.duration_minutes}′", rule))
    document.table(Table((tr("fees.item", lang), tr("bookings.price", lang), tr("bookings.duration", lang),
                          tr("bookings.rule", lang)), rows, (0.3, 0.22, 0.12, 0.36)))
    document.heading(tr("services.included", lang), size=28)
    for item in (i for i in items if not i.special):
        document.line(f"· {_name(item, lang)}  {_about(item, lang)}")
    document.line(tr("services.note", lang))
    document.line(tr("services.book_note", lang))
    document.line(f"{tr('bookings.board_printed', lang)} {format_local(utcnow(), found.timezone)}", size=18)
    return Download(f"price-board-{found.code}.pdf", "application/pdf", document.pdf())

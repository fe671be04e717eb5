"""Indicators measured from cleaning inspections: 清洁、保洁率 = inspected items passed ÷ items inspected."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Area, ChecklistItem, CleaningResult
from estate_pwa.services.indicators.registry import Context, DrillRow, Reading, Window, measured_by
from estate_pwa.services.indicators.sql import inside, per_window


def _pass_rate(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    pairs = per_window(session, CleaningResult, [CleaningResult.estate_id == context.estate_id],
                       col(CleaningResult.inspected_at), windows, col(CleaningResult.passed).is_(True))
    return [Reading(n, d, "" if d else "indicator.why.no_inspections") for n, d in pairs]


def _inspected_items(session: Session, context: Context, window: Window, offset: int, limit: int):
    """Inspected items of the window, failures first."""
    where = [CleaningResult.estate_id == context.estate_id, inside(col(CleaningResult.inspected_at), window)]
    total = session.exec(select(func.count()).select_from(CleaningResult).where(*where)).one()
    rows = session.exec(select(CleaningResult, Area.name, ChecklistItem.text)
                        .join(Area, col(Area.id) == CleaningResult.area_id)
                        .join(ChecklistItem, col(ChecklistItem.id) == CleaningResult.item_id)
                        .where(*where).order_by(col(CleaningResult.passed), col(CleaningResult.inspected_at).desc(),
                                                col(CleaningResult.id)).offset(offset).limit(limit)).all()
    return [DrillRow(r.id, f"{area} · {item}", r.inspected_at, r.passed, r.note, "/manager/cleaning")
            for r, area, item in rows], int(total)


measured_by("cleaning_rate", _pass_rate, _inspected_items)

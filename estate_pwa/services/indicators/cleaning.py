"""Indicators measured from cleaning records: 清洁、保洁率 = inspected items passed ÷ items inspected, and, shown
within it, coverage = tasks done on time ÷ tasks due in the period (both counted in SQL)."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Area, ChecklistItem, CleaningResult, CleaningTask, TaskKind
from estate_pwa.services.indicators.registry import (
    Context, DrillRow, Indicator, Op, Reading, Unit, Window, declare, measured_by,
)
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


COVERAGE = declare(Indicator(
    "cleaning_coverage", 6, "保洁任务按时完成率", "Cleaning tasks done on time", Op.AT_LEAST, 99, Unit.PERCENT,
    "cleaning",
    "分子:期间内到期、且在到期前打勾完成的保洁任务(按模板每班/每日/每周生成,不含返工);分母:期间内到期的全部保洁任务,"
    "含未完成的。",
    "Numerator: cleaning tasks (made from the templates per shift, day or week; rework not counted) that fell due in "
    "the period and were ticked done by their deadline; denominator: every cleaning task that fell due in the period, "
    "done or not.", parent="cleaning_rate"))


def _coverage(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    on_time = col(CleaningTask.done_at).is_not(None) & (col(CleaningTask.done_at) <= col(CleaningTask.due_at))
    pairs = per_window(session, CleaningTask, [CleaningTask.estate_id == context.estate_id,
                                               CleaningTask.kind == TaskKind.ROUTINE,
                                               col(CleaningTask.due_at) <= context.now],
                       col(CleaningTask.due_at), windows, on_time)
    return [Reading(n, d, "" if d else "indicator.why.no_cleaning_tasks") for n, d in pairs]


def _due_tasks(session: Session, context: Context, window: Window, offset: int, limit: int):
    """Tasks due in the window, missed or late first."""
    where = [CleaningTask.estate_id == context.estate_id, CleaningTask.kind == TaskKind.ROUTINE,
             col(CleaningTask.due_at) <= context.now, inside(col(CleaningTask.due_at), window)]
    total = session.exec(select(func.count()).select_from(CleaningTask).where(*where)).one()
    on_time = col(CleaningTask.done_at).is_not(None) & (col(CleaningTask.done_at) <= col(CleaningTask.due_at))
    rows = session.exec(select(CleaningTask, Area.name, ChecklistItem.text, on_time.label("on_time"))
                        .join(Area, col(Area.id) == CleaningTask.area_id)
                        .join(ChecklistItem, col(ChecklistItem.id) == CleaningTask.item_id)
                        .where(*where).order_by(on_time, col(CleaningTask.due_at).desc(), col(CleaningTask.id))
                        .offset(offset).limit(limit)).all()
    return [DrillRow(t.id, f"{area} · {item}", t.due_at, bool(done), "", "" if done else
                     ("cleaning.coverage_late" if t.done_at else "cleaning.coverage_missed"), "/manager/cleaning")
            for t, area, item, done in rows], int(total)


measured_by("cleaning_coverage", _coverage, _due_tasks)

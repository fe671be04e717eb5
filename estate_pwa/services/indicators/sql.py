"""Shared SQL for measures: one query counts every window with conditional sums, and the population bases."""

from collections.abc import Sequence

from sqlalchemy import and_, case, func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from estate_pwa.models import Role, User, UserRole
from estate_pwa.services.indicators.registry import Base, Context, Window


def span(column, windows: Sequence[Window]) -> ColumnElement[bool]:
    """`column` within the union of the windows (lets the index narrow the scan)."""
    return and_(column >= min(w.start for w in windows), column < max(w.end for w in windows))


def inside(column, window: Window) -> ColumnElement[bool]:
    """`column` within one window."""
    return and_(column >= window.start, column < window.end)


def count_if(condition: ColumnElement[bool]):
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), never NULL."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def per_window(session: Session, table, where: Sequence[ColumnElement[bool]], time_column, windows: Sequence[Window],
               numerator: ColumnElement[bool] | None = None) -> list[tuple[int, int]]:
    """(numerator, denominator) per window over the rows of `table` matching `where`, placed in windows by
    `time_column`; one query. Without `numerator`, the numerator is the count itself."""
    columns = []
    for window in windows:
        within = inside(time_column, window)
        columns.append(count_if(within))
        columns.append(count_if(and_(within, numerator)) if numerator is not None else count_if(within))
    row = session.exec(select(*columns).select_from(table).where(*where, span(time_column, windows))).one()
    return [(int(row[2 * i + 1]), int(row[2 * i])) for i in range(len(windows))]


def population(session: Session, context: Context) -> int:
    """Occupied households (units with an active resident) or active residents, by the chosen base."""
    residents = (select(User.id, User.unit_id).join(UserRole, col(UserRole.user_id) == User.id)
                 .where(User.estate_id == context.estate_id, col(User.is_active).is_(True),
                        UserRole.role == Role.RESIDENT, col(User.unit_id).is_not(None)).subquery())
    counted = func.count(residents.c.id) if context.base == Base.RESIDENTS else func.count(
        residents.c.unit_id.distinct())
    return int(session.exec(select(counted).select_from(residents)).one())


def any_of(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """OR of conditions."""
    return or_(*conditions)

"""Indicators measured from fees and the service menu: 管理费收缴率 (amount received for the period's bills ÷
amount due), shown apart by count of bills (one per unit and month), 当期 (received within the period for its own
bills) and 清欠 (arrears from earlier periods recovered in the period ÷ what was owed at its start); and the
plan's "at least 10 special services" target. Bills belong to the month of `period` in the estate's timezone and
are due on its last day: until a period is over, a collection rate short of 98% is in progress, not failed."""

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from estate_pwa.models import BillKind, Estate, FeeBill, FeePayment, ServiceItem
from estate_pwa.services.bookings.catalogue import special_count
from estate_pwa.services.fees.common import label, status_of_amounts, unit_labels, yuan
from estate_pwa.services.indicators.registry import Context, DrillRow, Reading, Window, measured_by

NO_BILLS = "indicator.why.no_bills"
FEE_ONLY = FeeBill.kind == BillKind.FEE
"""The collection rate counts management-fee bills only (a booked service's charge is a bill of kind service)."""


def _months(session: Session, context: Context, windows: Sequence[Window]) -> list[tuple[date, date]]:
    """Each window as the bill months it holds: [first, after)."""
    zone = ZoneInfo(session.get(Estate, context.estate_id).timezone)
    return [(w.start.astimezone(zone).date(), w.end.astimezone(zone).date()) for w in windows]


def _sum_if(condition, value):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _of(period: tuple[date, date]):
    return and_(col(FeeBill.period) >= period[0], col(FeeBill.period) < period[1])


def _bills(session: Session, context: Context, windows: Sequence[Window]) -> list[tuple[float, float, int, int]]:
    """Per window: amount due, amount paid (payments not void), bills, bills paid in full."""
    months = _months(session, context, windows)
    settled = col(FeeBill.paid) >= col(FeeBill.amount)
    columns = []
    for period in months:
        columns += [_sum_if(_of(period), FeeBill.amount), _sum_if(_of(period), FeeBill.paid),
                    _sum_if(_of(period), 1), _sum_if(and_(_of(period), settled), 1)]
    row = session.exec(select(*columns).where(
        FeeBill.estate_id == context.estate_id, FEE_ONLY, col(FeeBill.period) >= min(m[0] for m in months),
        col(FeeBill.period) < max(m[1] for m in months))).one()
    return [(float(row[4 * i]), float(row[4 * i + 1]), int(row[4 * i + 2]), int(row[4 * i + 3]))
            for i in range(len(months))]


def _open(context: Context, window: Window) -> bool:
    """Whether the window's bills are not all due yet: its last month (due on its last day) is not over."""
    return context.now < window.end


def _collection(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    return [Reading(paid, due, "" if due else NO_BILLS, _open(context, window))
            for window, (due, paid, _, _) in zip(windows, _bills(session, context, windows))]


def _by_units(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    return [Reading(settled, bills, "" if bills else NO_BILLS, _open(context, window))
            for window, (_, _, bills, settled) in zip(windows, _bills(session, context, windows))]


def _payments(session: Session, context: Context, windows: Sequence[Window]) -> list[tuple[float, float, float]]:
    """Per window, from payments not void: received within it for its own bills (当期), received within it for
    earlier bills (清欠), and received before it for earlier bills."""
    months = _months(session, context, windows)
    at = col(FeePayment.received_at)
    columns = []
    for window, period in zip(windows, months):
        earlier = col(FeeBill.period) < period[0]
        within = and_(at >= window.start, at < window.end)
        columns += [_sum_if(and_(_of(period), within), FeePayment.amount),
                    _sum_if(and_(earlier, within), FeePayment.amount),
                    _sum_if(and_(earlier, at < window.start), FeePayment.amount)]
    row = session.exec(select(*columns).select_from(FeePayment).join(FeeBill, col(FeeBill.id) == FeePayment.bill_id)
                       .where(FeePayment.estate_id == context.estate_id, FEE_ONLY,
                              col(FeePayment.voided_at).is_(None))).one()
    return [(float(row[3 * i]), float(row[3 * i + 1]), float(row[3 * i + 2])) for i in range(len(months))]


def _current(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    bills = _bills(session, context, windows)
    return [Reading(within, due, "" if due else NO_BILLS, _open(context, window))
            for window, (due, _, _, _), (within, _, _) in zip(windows, bills, _payments(session, context, windows))]


def _recovery(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    months = _months(session, context, windows)
    row = session.exec(select(*[_sum_if(col(FeeBill.period) < m[0], FeeBill.amount) for m in months])
                       .where(FeeBill.estate_id == context.estate_id, FEE_ONLY)).one()
    billed_before = list(row) if len(months) > 1 else [row]  # one column comes back as a scalar
    readings = []
    for billed, (_, recovered, before) in zip(billed_before, _payments(session, context, windows)):
        owed = round(float(billed) - before, 2)
        readings.append(Reading(recovered, owed, "" if owed > 0 else "indicator.why.no_arrears"))
    return readings


def _period_bills(session: Session, context: Context, window: Window, offset: int, limit: int):
    """The window's bills, unpaid first."""
    period = _months(session, context, [window])[0]
    where = [FeeBill.estate_id == context.estate_id, FEE_ONLY, _of(period)]
    total = session.exec(select(func.count()).select_from(FeeBill).where(*where)).one()
    bills = list(session.exec(select(FeeBill).where(*where).order_by(
        col(FeeBill.paid) >= col(FeeBill.amount), col(FeeBill.period), col(FeeBill.unit_id))
        .offset(offset).limit(limit)))
    labels = unit_labels(session, {b.unit_id for b in bills})
    return [DrillRow(b.id, f"{labels.get(b.unit_id, '')} {label(b.period)} ¥{yuan(b.paid)} / ¥{yuan(b.amount)}",
                     None, b.paid >= b.amount, status_of_amounts(b.amount, b.paid),
                     f"/manager/fees?period={label(b.period)}") for b in bills], int(total)


def _menu(session: Session, context: Context, window: Window, offset: int, limit: int):
    """The special services on the menu, those not counted (inactive or without a price) first; each opens the
    office's bookings and catalogue."""
    where = [ServiceItem.estate_id == context.estate_id, col(ServiceItem.special).is_(True)]
    total = session.exec(select(func.count()).select_from(ServiceItem).where(*where)).one()
    counted = col(ServiceItem.active).is_(True) & (col(ServiceItem.price) > 0)
    items = session.exec(select(ServiceItem, counted).where(*where).order_by(counted, col(ServiceItem.sort),
                                                                            col(ServiceItem.id))
                         .offset(offset).limit(limit)).all()
    return [DrillRow(i.id, f"{i.name_zh} ¥{yuan(i.price)}", None, bool(ok), link="/manager/bookings")
            for i, ok in items], int(total)


def _special_services(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    count = special_count(session, context.estate_id)
    return [Reading(count) for _ in windows]


measured_by("fee_collection", _collection, _period_bills)
measured_by("fee_collection_units", _by_units, _period_bills)
measured_by("fee_collection_current", _current, _period_bills)
measured_by("fee_arrears_recovery", _recovery)
measured_by("special_services", _special_services, _menu)

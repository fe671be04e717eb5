"""Intact rates measured from the asset register (services/facilities): 房屋完好率 by floor area of the good and
basically-good grades, roads / greenery / car parks by m², wells / street lights / sports and culture facilities /
fire equipment / public equipment by count, drains by metre.

For a period the rate is the share of asset-days intact: each asset in service counts its quantity (m², m or
items) times the time it was in the register within the period; the intact part leaves out the time it was
defective (a defect is open from `opened_at` until `closed_at`), and for housing also every building graded
一般损坏 / 严重损坏 / 危险房. Assets never inspected in the period are left out of both numerator and denominator —
never counted as intact — and shown apart (the `<key>_not_inspected` parts: how many assets).

Time is counted in seconds in SQL (SQLite's julianday, PostgreSQL's epoch); one query per indicator answers every
window. `inspected_asset_ids` says which assets count as inspected in a window: the inspections feature's results
when that table exists, and the register's own evidence (a defect opened or closed, a housing grade or a fire
equipment pressure check dated) within the window.
"""

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Float,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    event,
    func,
    literal,
    or_,
    union_all,
)
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col, select

from estate_pwa.models import INTACT_GRADES, Asset, AssetCategory, AssetDefect, Estate
from estate_pwa.services.indicators.registry import (
    REGISTRY,
    Context,
    DrillRow,
    Indicator,
    Op,
    Reading,
    Unit,
    Window,
    declare,
    measured_by,
)

RATES: dict[str, AssetCategory] = {
    "housing_intact": AssetCategory.HOUSING,
    "greenery_intact": AssetCategory.GREEN,
    "road_intact": AssetCategory.ROAD,
    "wells_intact": AssetCategory.WELL,
    "drains_intact": AssetCategory.DRAIN,
    "street_lights_intact": AssetCategory.STREET_LIGHT,
    "car_park_intact": AssetCategory.CAR_PARK,
    "public_facilities_intact": AssetCategory.SPORTS_CULTURE,
    "fire_equipment_intact": AssetCategory.FIRE_EQUIPMENT,
    "public_equipment_intact": AssetCategory.PUBLIC_EQUIPMENT,
}
"""Each intact rate and the register category it is counted over."""
NOT_INSPECTED = "_not_inspected"

declare(Indicator(
    "public_equipment_intact", 0, "公共设备完好率", "Public equipment intact", Op.AT_LEAST, 100, Unit.PERCENT,
    "facilities",
    "按台数计(电梯、水泵、发电机、道闸)。完好 = 当时未处于缺陷状态;期间值 = 完好的资产·天数 ÷ 资产·天数(已巡检的资产)。"
    "期间内未巡检的资产不计入分子分母,另列为“未巡检”。",
    "Counted by item (lifts, pumps, generators, gates). Intact = not defective at that moment; for a period, "
    "intact asset-days ÷ asset-days of the assets inspected in it. Assets not inspected in the period are left out "
    "of both and shown apart as \"not inspected\"."))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _epoch(dialect: str):
    """SQL that turns a stored UTC time (or a date) into epoch seconds, for the database."""
    if dialect == "postgresql":
        return lambda column: func.extract("epoch", column)
    return lambda column: (func.julianday(column) - 2440587.5) * 86400.0


def _greatest(dialect: str, *values):
    return (func.greatest if dialect == "postgresql" else func.max)(*values)


def _least(dialect: str, *values):
    return (func.least if dialect == "postgresql" else func.min)(*values)


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _inspection_tables() -> tuple[tuple, ...]:
    """(table, time column) of the inspections feature's records of an asset inspected at a moment: its tables
    with `estate_id`, `asset_id` and `inspected_at` or `done_at` (none until that feature is built)."""
    try:
        from estate_pwa.models import inspections  # optional: the inspections feature
    except ImportError:
        return ()
    found = []
    for value in vars(inspections).values():
        table = getattr(value, "__table__", None)
        names = set(table.c.keys()) if table is not None else set()
        at = next((n for n in ("inspected_at", "done_at") if n in names), None)
        if at and {"asset_id", "estate_id"} <= names and (table, at) not in found:
            found.append((table, at))
    return tuple(found)


def _evidence(dialect: str, category: str | None, tables: tuple) -> list[Select]:
    """The evidence SELECTs of `inspection_evidence`, with bound parameters: estate, first, last (UTC), first_day,
    last_day (the estate's local days) and offset (the estate's UTC offset in seconds)."""
    epoch = _epoch(dialect)
    estate = bindparam("estate", type_=Integer)
    first, last = bindparam("first", type_=Asset.created_at.type), bindparam("last", type_=Asset.created_at.type)
    first_day, last_day = bindparam("first_day", type_=Date), bindparam("last_day", type_=Date)
    offset = bindparam("offset", type_=Float)

    def of_category(query, asset_id, estate_id):
        """The estate's rows; of one category, reached from its assets (an index on the asset id each), so a rate
        reads only its own category's evidence."""
        if category is None:
            return query.where(estate_id == estate)
        return (select(*query.selected_columns).select_from(Asset).join(query.get_final_froms()[0],
                                                                         asset_id == col(Asset.id))
                .where(Asset.estate_id == estate, Asset.category == category, *query.whereclause.clauses))

    parts = [of_category(select(AssetDefect.asset_id.label("asset_id"), epoch(AssetDefect.opened_at).label("t"))
                         .where(col(AssetDefect.opened_at) >= first, col(AssetDefect.opened_at) < last),
                         AssetDefect.asset_id, AssetDefect.estate_id),
             of_category(select(AssetDefect.asset_id.label("asset_id"), epoch(AssetDefect.closed_at).label("t"))
                         .where(col(AssetDefect.closed_at) >= first, col(AssetDefect.closed_at) < last),
                         AssetDefect.asset_id, AssetDefect.estate_id)]
    for column in (Asset.graded_on, Asset.pressure_checked_on):
        dated = select(Asset.id.label("asset_id"), (epoch(column) - offset + 43200).label("t")).where(
            Asset.estate_id == estate, col(column) >= first_day, col(column) <= last_day)
        parts.append(dated.where(Asset.category == category) if category is not None else dated)
    for table, at in tables:
        parts.append(of_category(select(table.c.asset_id.label("asset_id"), epoch(table.c[at]).label("t"))
                                 .where(table.c[at] >= first, table.c[at] < last), table.c.asset_id,
                                 table.c.estate_id))
    return parts


def _evidence_params(session: Session, estate_id: int, start: datetime, end: datetime) -> dict:
    zone = ZoneInfo(session.get(Estate, estate_id).timezone)
    return {"estate": estate_id, "first": start, "last": end, "first_day": _day(start, zone),
            "last_day": _day(end, zone), "offset": zone.utcoffset(start.replace(tzinfo=None)).total_seconds()}


def inspection_evidence(session: Session, estate_id: int, start: datetime, end: datetime,
                        category: AssetCategory | None = None) -> list[Select]:
    """SELECTs of (asset_id, t): each moment (epoch seconds) within [start, end) at which an asset of the estate
    (of `category`, when given) is known to have been inspected — the one place that says what counts:

    * an inspection done: any table of `estate_pwa.models.inspections` with `estate_id`, `asset_id` and
      `inspected_at` or `done_at` (the inspection task done in the window);
    * a defect opened (found at an inspection or a report) or closed (a re-inspection passed) in the window;
    * a housing condition grade or a fire-equipment pressure check dated in the window (its local day, at noon)."""
    params = _evidence_params(session, estate_id, start, end)
    return [part.params(**params) for part in _evidence(_dialect(session), category.value if category else None,
                                                        _inspection_tables())]


def inspected_asset_ids(session: Session, estate_id: int, start: datetime, end: datetime) -> Select:
    """A SELECT of the ids of the estate's assets inspected within [start, end) — not run, for use in `IN (…)`
    (what counts as an inspection: `inspection_evidence`)."""
    found = union_all(*inspection_evidence(session, estate_id, start, end)).subquery()
    return select(found.c.asset_id).where(found.c.t >= start.timestamp(), found.c.t < end.timestamp())


def _in_service(window: Window) -> list[ColumnElement[bool]]:
    return [col(Asset.created_at) < window.end,
            or_(col(Asset.retired_at).is_(None), col(Asset.retired_at) > window.start)]


@cache
def _statement(dialect: str, category: AssetCategory, windows: int, tables: tuple) -> Select:
    """The one grouped query of `_readings` for `windows` windows (bound parameters s0, e0, sd0, ed0, s1 …, and
    estate, first, last, last_s, offset), built once per database kind, category and number of windows: per
    window, the category's assets in service, how many were inspected, and over the inspected ones quantity ×
    seconds in service, of it in a good grade, and of that defective.

    Each asset in service in a window is one row (assets × windows, by interval overlap); "inspected" is a test of
    that row (`inspection_evidence`'s rules: its own grade / pressure-check day, or an EXISTS probe per evidence
    table on (asset_id, time) indexes) rather than a join of all the evidence; the defect spans are summed only for
    inspected rows."""
    epoch = _epoch(dialect)
    at_type = Asset.created_at.type
    rows = [select(literal(i).label("i"), bindparam(f"s{i}", type_=Float).label("s"),
                   bindparam(f"e{i}", type_=Float).label("e"), bindparam(f"sd{i}", type_=at_type).label("sd"),
                   bindparam(f"ed{i}", type_=at_type).label("ed")) for i in range(windows)]
    w = (union_all(*rows) if windows > 1 else rows[0]).cte("w")
    estate, first, last = (bindparam("estate", type_=Integer), bindparam("first", type_=at_type),
                           bindparam("last", type_=at_type))
    offset = bindparam("offset", type_=Float)
    good = case((col(Asset.grade).in_([g.value for g in INTACT_GRADES]), 1.0), else_=0.0) \
        if category == AssetCategory.HOUSING else literal(1.0)
    assets = select(Asset.id.label("id"), cast(Asset.quantity, Float).label("q"),
                    epoch(Asset.created_at).label("c0"),
                    func.coalesce(epoch(Asset.retired_at), bindparam("last_s", type_=Float)).label("c1"),
                    good.label("good"),
                    (epoch(Asset.graded_on) - offset + 43200).label("graded"),
                    (epoch(Asset.pressure_checked_on) - offset + 43200).label("checked")).where(
        Asset.estate_id == estate, Asset.category == category.value, col(Asset.created_at) < last,
        or_(col(Asset.retired_at).is_(None), col(Asset.retired_at) > first)).cte("assets").prefix_with("MATERIALIZED")
    a_id = assets.c.id

    def probe(table, at: str) -> ColumnElement[bool]:
        return select(literal(1)).select_from(table).where(
            table.c.asset_id == a_id, table.c[at] >= w.c.sd, table.c[at] < w.c.ed).exists()

    seen = or_(and_(assets.c.graded >= w.c.s, assets.c.graded < w.c.e),
               and_(assets.c.checked >= w.c.s, assets.c.checked < w.c.e),
               *(probe(table, at) for table, at in tables),
               probe(AssetDefect.__table__, "opened_at"), probe(AssetDefect.__table__, "closed_at"))
    life_start, life_end = _greatest(dialect, assets.c.c0, w.c.s), _least(dialect, assets.c.c1, w.c.e)
    pairs = (select(w.c.i.label("i"), a_id.label("id"), assets.c.q.label("q"),
                    assets.c.good.label("good"), life_start.label("ls"), life_end.label("le"),
                    w.c.sd.label("sd"), w.c.ed.label("ed"), case((seen, 1), else_=0).label("seen"))
             .select_from(w).join(assets, and_(assets.c.c0 < w.c.e, assets.c.c1 > w.c.s))
             .cte("pairs").prefix_with("MATERIALIZED"))
    down = _greatest(dialect, _least(dialect, func.coalesce(epoch(AssetDefect.closed_at), pairs.c.le), pairs.c.le)
                     - _greatest(dialect, epoch(AssetDefect.opened_at), pairs.c.ls), literal(0.0))
    # the defect spans of the inspected, good-grade rows, driven from the defects of the estate overlapping the
    # whole range (few) rather than probed for every row
    downs = (select(pairs.c.i.label("i"), func.sum(pairs.c.q * down).label("down")).select_from(AssetDefect)
             .join(pairs, and_(pairs.c.id == AssetDefect.asset_id, col(AssetDefect.opened_at) < pairs.c.ed,
                               or_(col(AssetDefect.closed_at).is_(None), col(AssetDefect.closed_at) > pairs.c.sd)))
             .where(AssetDefect.estate_id == estate, col(AssetDefect.opened_at) < last,
                    or_(col(AssetDefect.closed_at).is_(None), col(AssetDefect.closed_at) > first),
                    pairs.c.seen == 1, pairs.c.good > 0)
             .group_by(pairs.c.i).subquery("downs"))
    exposure = case((pairs.c.seen == 1, pairs.c.q * (pairs.c.le - pairs.c.ls)), else_=0.0)
    totals = (select(pairs.c.i.label("i"), func.count().label("n"), func.sum(pairs.c.seen).label("seen"),
                     func.sum(exposure).label("total"), func.sum(exposure * pairs.c.good).label("intact"))
              .group_by(pairs.c.i).subquery("totals"))
    return (select(totals.c.i, totals.c.n, totals.c.seen, totals.c.total, totals.c.intact, downs.c.down)
            .select_from(totals).outerjoin(downs, downs.c.i == totals.c.i))


_MEMO = "indicators.facilities"
"""session.info key of the readings of a category, kept for the session's current transaction only."""


@event.listens_for(OrmSession, "after_transaction_end")
@event.listens_for(OrmSession, "after_flush")
def _forget(session: OrmSession, *_) -> None:
    session.info.pop(_MEMO, None)


def _readings(session: Session, context: Context, category: AssetCategory,
              windows: Sequence[Window]) -> list[tuple[float, float, int]]:
    """Per window: (intact, exposure, not inspected) — quantity × seconds intact and quantity × seconds in service
    over the category's assets inspected in the window, and how many of its assets in service in the window were
    not inspected. One grouped query answers every window; the answer is kept until the session's transaction ends
    or it flushes, so a rate and its "not inspected" part on one screen read it once."""
    key = (context.estate_id, category, tuple((x.start, x.end) for x in windows))
    memo = session.info.setdefault(_MEMO, {})
    if key in memo:
        return memo[key]
    first, last = min(x.start for x in windows), max(x.end for x in windows)
    params = _evidence_params(session, context.estate_id, first, last)
    params["last_s"] = last.timestamp()
    for i, window in enumerate(windows):
        params[f"s{i}"], params[f"e{i}"] = window.start.timestamp(), window.end.timestamp()
        params[f"sd{i}"], params[f"ed{i}"] = window.start, window.end
    found = {int(i): (int(n), int(seen or 0), float(total or 0.0), float(intact or 0.0), float(down or 0.0))
             for i, n, seen, total, intact, down in session.execute(
                 _statement(_dialect(session), category, len(windows), _inspection_tables()), params)}
    out = []
    for i in range(len(windows)):
        n, seen, total, intact, down = found.get(i, (0, 0, 0.0, 0.0, 0.0))
        out.append((intact - down, total, n - seen))
    session.info.setdefault(_MEMO, {})[key] = out
    return out


def _rate(category: AssetCategory):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        out = []
        for intact, exposure, skipped in _readings(session, context, category, windows):
            why = "" if exposure else ("indicator.why.none_inspected" if skipped else "indicator.why.no_assets")
            # asset-days, rounded to hundredths of a day for display
            out.append(Reading(round(max(intact, 0.0) / 86400, 2), round(exposure / 86400, 2), why))
        return out
    return measure


def _not_inspected(category: AssetCategory):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        return [Reading(skipped) for _, _, skipped in _readings(session, context, category, windows)]
    return measure


def _drill(category: AssetCategory):
    def drill(session: Session, context: Context, window: Window, offset: int, limit: int):
        """The category's assets in service in the window: defective in it first, then not inspected, then
        intact; each opens the asset's record."""
        inspected = col(Asset.id).in_(inspected_asset_ids(session, context.estate_id, window.start, window.end))
        defective = col(Asset.id).in_(select(AssetDefect.asset_id).where(
            AssetDefect.estate_id == context.estate_id, col(AssetDefect.opened_at) < window.end,
            or_(col(AssetDefect.closed_at).is_(None), col(AssetDefect.closed_at) > window.start)))
        bad_grade = and_(Asset.category == AssetCategory.HOUSING.value,
                         col(Asset.grade).not_in([g.value for g in INTACT_GRADES]))
        where = [Asset.estate_id == context.estate_id, Asset.category == category.value, *_in_service(window)]
        total = session.exec(select(func.count()).select_from(Asset).where(*where)).one()
        order = case((or_(defective, bad_grade), 0), (~inspected, 1), else_=2)
        rows = session.exec(select(Asset, order).where(*where).order_by(order, col(Asset.code))
                            .offset(offset).limit(limit)).all()
        return [DrillRow(a.id, f"{a.code} · {a.name}", None, rank == 2,
                         note_key=("facilities.drill_defective", "facilities.drill_not_inspected",
                                   "facilities.drill_intact")[rank],
                         link=f"/facilities/asset?id={a.id}") for a, rank in rows], int(total)
    return drill


for _key, _category in RATES.items():
    _parent = REGISTRY[_key]
    declare(Indicator(
        _key + NOT_INSPECTED, _parent.number, f"{_parent.name_zh}:未巡检", f"{_parent.name_en}: not inspected",
        Op.AT_MOST, 0, Unit.COUNT, "facilities",
        "期间内在册但未巡检的资产数;不计入完好率的分子和分母。",
        "Assets in the register not inspected in the period; left out of the rate's numerator and denominator.",
        parent=_key))
    measured_by(_key, _rate(_category), _drill(_category))
    measured_by(_key + NOT_INSPECTED, _not_inspected(_category))

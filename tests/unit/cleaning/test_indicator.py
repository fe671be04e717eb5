"""清洁、保洁率 = inspected items passed ÷ items inspected in the period, on a dataset computed by hand."""

from datetime import timedelta

from estate_pwa.services import cleaning
from estate_pwa.services.indicators.registry import REGISTRY, Context, Window
from tests.unit.conftest import NOW, at


def test_pass_rate_counts_inspected_items_per_window(session, boss, estate, lobby, cleaner, mop, glass):
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=at(7, day=1))
    both = lambda a, b: [{"item_id": mop.id, "result": a}, {"item_id": glass.id, "result": b}]  # noqa: E731
    cleaning.inspect(session, boss, lobby.id, both("pass", "pass"), now=at(9, day=2))   # window 1: 2 of 2
    cleaning.inspect(session, boss, lobby.id, both("pass", "fail"), now=at(9, day=5))   # window 1: 1 of 2
    cleaning.inspect(session, boss, lobby.id, both("fail", "fail"), now=at(9, day=9))   # window 2: 0 of 2
    cleaning.inspect(session, boss, lobby.id, [{"item_id": mop.id, "result": "pass"}], now=at(10, day=9))  # 1 of 1
    session.commit()
    first = Window(at(0, day=1), at(0, day=8))
    second = Window(at(0, day=8), at(0, day=15))
    empty = Window(at(0, day=15), at(0, day=22))
    indicator = REGISTRY["cleaning_rate"]
    readings = indicator.measure(session, Context(estate.id, NOW + timedelta(days=20)), [first, second, empty])
    assert [(r.numerator, r.denominator) for r in readings] == [(3, 4), (1, 3), (0, 0)]
    assert readings[0].value == 75.0 and round(readings[1].value, 2) == 33.33
    assert readings[2].value is None and readings[2].why == "indicator.why.no_inspections"
    rows, total = indicator.drill(session, Context(estate.id, NOW), second, 0, 10)
    assert total == 3 and [r.counts for r in rows] == [False, False, True]
    assert rows[0].title.startswith("1栋大堂 · ")

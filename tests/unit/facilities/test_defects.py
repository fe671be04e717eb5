"""Defect spans: one open defect per asset, spans that never overlap, claimed times kept within bounds, and who may
open and close them."""

from itertools import pairwise

import pytest
from sqlmodel import select

from estate_pwa.models import AssetDefect, Role
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from estate_pwa.services.facilities import close_defect, defects_of, open_defect, register
from tests.unit.conftest import expect_refused
from tests.unit.facilities.conftest import day


def test_one_open_defect_at_a_time_and_the_request_is_linked(session, estate, make, tech, factory):
    lamp = make("L1", "street_light", "street_light", 1)
    first = open_defect(session, tech, lamp.id, "inspection", "不亮", now=day(1))
    again = open_defect(session, tech, lamp.id, "report", "还是不亮", now=day(2))
    assert again.id == first.id and again.opened_at == day(1) and again.note == "不亮"
    closed = close_defect(session, tech, lamp.id, "换灯泡", now=day(3))
    assert closed.closed_at == day(3) and closed.closed_by_id == tech.id
    session.commit()
    assert [d.id for d in defects_of(session, tech, lamp.id)] == [first.id]


def test_claimed_times_never_overlap_or_run_ahead(session, estate, make, tech):
    lamp = make("L1", "street_light", "street_light", 1, since=day(-5))
    early = open_defect(session, tech, lamp.id, "inspection", "", at=day(-30), now=day(0))
    assert early.opened_at == day(-5)  # not before the asset entered the register
    close_defect(session, tech, lamp.id, at=day(-6), now=day(1))
    assert early.closed_at == day(-5)  # not before it opened
    later = open_defect(session, tech, lamp.id, "inspection", "", at=day(-10), now=day(2))
    assert later.opened_at == day(-5)  # not before the last defect closed
    close_defect(session, tech, lamp.id, at=day(9), now=day(3))
    assert later.closed_at == day(3)  # never in the future
    session.commit()
    spans = session.exec(select(AssetDefect).where(AssetDefect.asset_id == lamp.id)
                         .order_by(AssetDefect.opened_at, AssetDefect.id)).all()
    assert all(a.closed_at <= b.opened_at for a, b in pairwise(spans))


def test_refusals(session, fresh_session, estate, make, tech, factory, boss):
    lamp = make("L1", "street_light", "street_light", 1)
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0]))
    other = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    expect_refused(fresh_session, estate.id, "facilities_refused", NotAllowed, "error.not_allowed",
                   lambda: open_defect(session, resident, lamp.id, "report", ""))
    with pytest.raises(NotFound):
        open_defect(session, other, lamp.id, "report", "")
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.defect_source_invalid",
                   lambda: open_defect(session, tech, lamp.id, "whatever", ""), target_id=lamp.id)
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_not_defective",
                   lambda: close_defect(session, tech, lamp.id, ""), target_id=lamp.id)
    with pytest.raises(NotAllowed):
        open_defect(session, None, lamp.id, "report", "")
    for hostile in ({"x": 1}, -1, "1 OR 1=1", None, 2**40):
        with pytest.raises(InvalidInput):
            open_defect(session, tech, hostile, "report", "")
    register.retire_asset(session, boss, lamp.id)
    session.commit()
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_retired",
                   lambda: open_defect(session, tech, lamp.id, "report", ""))

"""A damaged or unsafe problem report sent from an asset's posted code opens the asset's defect as the system, linked
to the repair request it raised, so the intact rate counts the asset as defective from the report; dirty and other
reports, and a report at an asset already defective, open nothing new."""

import pytest
from sqlmodel import select

from estate_pwa.models import AssetDefect, PlaceKind, ServiceRequest
from estate_pwa.services import facilities, reports
from estate_pwa.services.facilities import defects
from estate_pwa.services.reports import codes
from tests.unit.conftest import audit_entries
from tests.unit.facilities.conftest import day
from tests.unit.facilities.test_rates import measure


def _code(session, asset) -> str:
    token = codes.token_for(codes.current_code(session, PlaceKind.ASSET, asset.id, asset.estate_id))
    session.commit()
    return token


def _defects(session, asset) -> list[AssetDefect]:
    return list(session.exec(select(AssetDefect).where(AssetDefect.asset_id == asset.id).order_by(AssetDefect.id)))


@pytest.mark.parametrize("category", ["damaged", "unsafe"])
def test_a_report_opens_the_asset_defect_as_the_system(session, fresh_session, estate, make, inspect, category):
    lamp = make("L1", "street_light", "street_light", 1)
    other = make("L2", "street_light", "street_light", 1)
    inspect(other, day(1))  # the reported lamp needs no inspection: the report's defect is evidence
    report = reports.submit(session, _code(session, lamp), category, "灯杆歪了", now=day(4))
    session.commit()
    [defect] = _defects(session, lamp)
    assert (defect.source, defect.note, defect.opened_at, defect.closed_at, defect.opened_by_id) == (
        "report", "灯杆歪了", day(4), None, None)
    assert defect.request_id == report.request_id and session.get(ServiceRequest, report.request_id) is not None
    [entry] = audit_entries(fresh_session, estate.id, "defect_opened")
    assert (entry.actor_id, entry.target_id, entry.detail["request"], entry.detail["source"]) == (
        None, lamp.id, report.request_id, "report")
    assert {c.category: c.defective for c in facilities.counts(session, estate.id)}["street_light"] == 1
    [(intact, total, value, _)] = measure(session, estate, "street_lights_intact")
    assert (intact, total) == (1 * 10 + 1 * 4, 2 * 10)  # the reported lamp was intact 4 of 10 days
    assert value == pytest.approx(70.0) and _defects(session, other) == []


def test_dirty_and_other_open_nothing_and_a_second_report_joins_the_open_defect(session, estate, make, tech):
    lamp = make("L1", "street_light", "street_light", 1)
    code = _code(session, lamp)
    reports.submit(session, code, "dirty", "脏", now=day(1))
    reports.submit(session, code, "other", now=day(1))
    assert _defects(session, lamp) == []
    found = facilities.open_defect(session, tech, lamp.id, "inspection", "不亮", now=day(2))
    first = reports.submit(session, code, "unsafe", "漏电", now=day(3))
    second = reports.submit(session, code, "damaged", now=day(3))
    session.commit()
    [defect] = _defects(session, lamp)
    assert defect.id == found.id and defect.opened_at == day(2) and defect.note == "不亮"
    assert defect.request_id == first.request_id != second.request_id  # the first report's repair is linked


def test_only_the_estate_own_asset_and_request_in_service_are_marked(session, estate, make, factory, boss):
    lamp = make("L1", "street_light", "street_light", 1)
    report = reports.submit(session, _code(session, lamp), "damaged", now=day(1))
    facilities.close_defect(session, boss, lamp.id, now=day(2))
    elsewhere = factory.estate()
    assert defects.open_reported_defect(session, elsewhere.id, lamp.id, "", report.request_id, day(3)) is None
    assert defects.open_reported_defect(session, estate.id, lamp.id, "", 10**9, day(3)) is None
    facilities.retire_asset(session, boss, lamp.id, now=day(3))
    assert defects.open_reported_defect(session, estate.id, lamp.id, "", report.request_id, day(4)) is None
    session.commit()
    assert [d.closed_at for d in _defects(session, lamp)] == [day(2)]

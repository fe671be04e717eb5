"""The service catalogue: managers edit it; the price list is public (明码标价)."""

from decimal import Decimal

import pytest

from estate_pwa.models import Role, ServiceItem
from estate_pwa.services import fees
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import expect_refused

CLEANING = {"name_zh": "家政保洁", "name_en": "Home cleaning", "category": "housekeeping", "special": "on",
            "price": "50.00", "price_unit": "hour", "description_zh": "两小时起"}


def test_manager_keeps_the_catalogue(session, fresh_session, boss, estate):
    item = fees.save_service(session, boss, CLEANING)
    session.commit()
    assert fresh_session.get(ServiceItem, item.id).price == Decimal("50.00")
    fees.save_service(session, boss, {**CLEANING, "price": "55.5"}, item.id)
    fees.save_service(session, boss, {"name_zh": "公共区域保洁", "category": "public"})
    session.commit()
    rows = fees.catalogue(session, boss)
    assert [(r.name_zh, r.price, r.special, r.actions) for r in rows] == [
        ("家政保洁", "55.50", True, ["edit", "deactivate"]), ("公共区域保洁", "", False, ["edit", "deactivate"])]
    expect_refused(fresh_session, estate.id, "service_refused", InvalidInput, "error.money_zero",
                   lambda: fees.save_service(session, boss, {**CLEANING, "price": "0"}))
    expect_refused(fresh_session, estate.id, "service_refused", InvalidInput, "error.service_name_required",
                   lambda: fees.save_service(session, boss, {**CLEANING, "name_zh": " "}))


def test_public_price_list_shows_active_services_without_login(session, boss, estate):
    kept = fees.save_service(session, boss, CLEANING)
    gone = fees.save_service(session, boss, {**CLEANING, "name_zh": "旧服务"})
    fees.set_active(session, boss, gone.id, False)
    session.commit()
    board = fees.price_list(session, estate.code)
    assert board.estate == estate.name and [r.id for r in board.special] == [kept.id]
    assert board.special[0].actions == []
    assert fees.price_list(session, "no-such-estate").special == []


def test_only_managers_edit(session, factory, estate, boss):
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0]))
    for actor in (None, resident):
        with pytest.raises(NotAllowed):
            fees.save_service(session, actor, CLEANING)
        with pytest.raises(NotAllowed):
            fees.catalogue(session, actor)

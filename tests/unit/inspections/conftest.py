"""An estate with a register to inspect: two extinguishers (one in the basement), a street light, a technician
who inspects and repairs, a second technician, a resident, and a plan per frequency as needed."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from estate_pwa.models import Asset, Role
from estate_pwa.services import inspections

REGISTERED = datetime(2025, 1, 1, tzinfo=UTC)
EXTINGUISHER = ["压力表指针在绿区", "铅封完好", "未过期"]


def make_asset(session, estate, code, category="fire_equipment", subkind="extinguisher", location="1栋大堂",
               expires_on=date(2027, 1, 31), quantity="1"):
    asset = Asset(estate_id=estate.id, code=code, category=category, subkind=subkind, name=f"资产 {code}",
                  location=location, measure="count", quantity=Decimal(quantity), expires_on=expires_on,
                  created_at=REGISTERED)
    session.add(asset)
    session.commit()
    return asset


@pytest.fixture
def tech(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="水电甲"))


@pytest.fixture
def tech2(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="水电乙"))


@pytest.fixture
def resident(factory, estate):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0], name="业主"))


@pytest.fixture
def extinguishers(session, estate):
    return [make_asset(session, estate, "MH-002", location="地下车库 B1"),
            make_asset(session, estate, "MH-001", location="1栋大堂")]


@pytest.fixture
def light(session, estate):
    return make_asset(session, estate, "LD-001", category="street_light", subkind="street_light",
                      location="北门", expires_on=None)


def plan(session, boss, frequency="daily", category="fire_equipment", items=EXTINGUISHER, **more):
    saved = inspections.save_plan(session, boss, {"name": f"{category} {frequency}", "category": category,
                                                  "frequency": frequency, "items": items, **more})
    session.commit()
    return saved

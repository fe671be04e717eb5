"""The people of a repairs test: an estate's staff and residents (its manager `boss` and `guard` come from
tests/unit/conftest.py), and a second estate."""

import pytest

from estate_pwa.models import Role


@pytest.fixture
def units(factory, estate):
    return factory.units(estate)


@pytest.fixture
def boss2(factory, estate):
    return factory.actor(factory.user(estate, Role.MANAGER, name="副经理"))


@pytest.fixture
def tech(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅甲"))


@pytest.fixture
def tech2(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅乙"))


@pytest.fixture
def cleaner(factory, estate):
    return factory.actor(factory.user(estate, Role.CLEANER, name="保洁"))


@pytest.fixture
def resident(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="业主"))


@pytest.fixture
def housemate(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="同户家人"))


@pytest.fixture
def stranger(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[1], name="邻居"))


@pytest.fixture
def other(factory):
    """A second estate with its own manager, technician and resident."""
    estate = factory.estate()
    unit = factory.units(estate)[0]
    return {
        "estate": estate,
        "unit": unit,
        "boss": factory.actor(factory.user(estate, Role.MANAGER, name="B经理")),
        "tech": factory.actor(factory.user(estate, Role.TECHNICIAN, name="B师傅")),
        "resident": factory.actor(factory.user(estate, Role.RESIDENT, unit=unit, name="B业主")),
    }

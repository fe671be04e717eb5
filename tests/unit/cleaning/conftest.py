"""An estate with areas, a checklist, two cleaners and the people who may not clean."""

import pytest
from sqlmodel import select

from estate_pwa.models import Role, Unit
from estate_pwa.services import cleaning


@pytest.fixture
def cleaner2(factory, estate):
    return factory.actor(factory.user(estate, Role.CLEANER, name="保洁乙"))


@pytest.fixture
def others(factory, estate, session):
    """A guard, a technician and a resident of the estate, and a manager of another estate."""
    unit = session.exec(select(Unit).where(Unit.estate_id == estate.id)).first()
    elsewhere = factory.estate()
    return {
        "guard": factory.actor(factory.user(estate, Role.GUARD)),
        "technician": factory.actor(factory.user(estate, Role.TECHNICIAN)),
        "resident": factory.actor(factory.user(estate, Role.RESIDENT, unit=unit)),
        "other_manager": factory.actor(factory.user(elsewhere, Role.MANAGER)),
    }


@pytest.fixture
def mop(session, boss):
    """A daily lobby item with no photo."""
    item = cleaning.add_item(session, boss, "lobby", "拖地", "daily")
    session.commit()
    return item


@pytest.fixture
def glass(session, boss):
    """A daily lobby item needing a photo."""
    item = cleaning.add_item(session, boss, "lobby", "擦玻璃门", "daily", photo_required=True)
    session.commit()
    return item

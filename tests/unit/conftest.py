"""Helpers shared by the unit tests: a fixed clock, a second, independent session, an estate and its manager."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from estate_pwa.core.db import get_engine
from estate_pwa.models import Role

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
"""A fixed instant (12:00 in Asia/Shanghai) that every time-dependent test passes as `now`."""


@pytest.fixture
def fresh_session(db_url):
    """Another session on the same database, to read what was really committed."""
    with Session(get_engine(db_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def estate(factory):
    """A fresh estate (test modules with other needs define their own)."""
    return factory.estate()


@pytest.fixture
def boss(factory, estate):
    """The estate's manager, as an actor."""
    return factory.actor(factory.user(estate, Role.MANAGER, name="经理"))

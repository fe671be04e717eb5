"""Helpers shared by the unit tests: a fixed clock and a second, independent session."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from estate_pwa.core.db import get_engine

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
"""A fixed instant (12:00 in Asia/Shanghai) that every time-dependent test passes as `now`."""


@pytest.fixture
def fresh_session(db_url):
    """Another session on the same database, to read what was really committed."""
    with Session(get_engine(db_url), expire_on_commit=False) as s:
        yield s


"""Fixtures shared by every layer: a migrated database per backend, sessions and data factories."""

import pytest
from sqlmodel import Session

from devtools.appserver import run_app
from estate_pwa.core.db import get_engine
from estate_pwa.manage import migrate
from tests import services
from tests.factories import Factory


@pytest.fixture(scope="session", params=services.backends())
def db_url(request, tmp_path_factory):
    """A database migrated to head, on SQLite and (when it answers) PostgreSQL; dropped afterwards."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'estate.db'}"
        migrate(url)
        yield url
        get_engine(url).dispose()
        return
    name, url = services.create_pg_database()
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        services.drop_pg_database(name)


@pytest.fixture
def session(db_url):
    """A session on the test database; each test builds its own estate, so tests never see each other's data."""
    with Session(get_engine(db_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def factory(session):
    """Builds estates, units and users (with known passwords) for one test."""
    return Factory(session)


@pytest.fixture(scope="session", params=services.backends())
def app(request, tmp_path_factory):
    """The app running in production mode with demo data: SQLite, and PostgreSQL + Redis (2 workers)."""
    yield from run_app(request.param, tmp_path_factory.mktemp(f"app-{request.param}"))

"""Fixtures shared by every layer: a migrated database per backend, sessions and data factories.

`make test` spreads the suite over pytest-xdist workers (`--dist loadgroup`): every test of the app running on one
backend is in that backend's group, so one worker starts that app once and runs them all in collection order, while
the other workers take the tests that need no app. (pytest-xdist 3.8 marks a group by renaming the test, which pytest
9 no longer allows, so the groups reach xdist's scheduler through a file: `GroupScheduling`.)"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling
from sqlmodel import Session

from devtools.appserver import ROOT, TIMINGS, Database, run_app
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


def pytest_generate_tests(metafunc):
    """A test that uses the running app (`app`, or a fixture built on it such as the browser's `phone`) runs once per
    backend; one that asks for `ui_app` runs once, against SQLite: on the very same app, or, when the run is spread
    over workers, on an app of its own (`UI_APP`), so that those long walks run beside the backends' flows."""
    if "app" in metafunc.fixturenames:
        backends = services.backends()
        ui_only = "ui_app" in metafunc.fixturenames
        metafunc.parametrize("app", [UI_APP or backends[0]] if ui_only else backends, indirect=True,
                             scope="session")


APP_BACKENDS = pytest.StashKey[list[str]]()
"""The backends this run starts the app on, in the order the collected tests need them."""
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
"""This process's name as a pytest-xdist worker (gw0, gw1 …); None when the run is not spread."""
UI_APP = "ui" if XDIST_WORKER else None
"""The `app` parameter of the SQLite app that only `ui_app` tests use, when the run is spread."""


def _app_backend(item) -> str | None:
    return item.callspec.params.get("app") if hasattr(item, "callspec") else None


def _xdist_group(item) -> str | None:
    """The tests of each backend's app form one group; so do a module's tests on one backend when they share a
    module-scoped fixture (the demo estate loaded once), which each worker would otherwise make again."""
    if backend := _app_backend(item):
        return f"app-{backend}"
    fixtures = getattr(item, "_fixtureinfo", None)
    if fixtures and any(defs[-1].scope == "module" for defs in fixtures.name2fixturedefs.values()):
        backend = item.callspec.params.get("db_url", "") if hasattr(item, "callspec") else ""
        return f"{item.nodeid.split('::')[0]}-{backend}"
    return None


GROUPS_FILE = "ESTATE_XDIST_GROUPS"
"""Where the workers write each grouped test's group (test id → group), for the controller's scheduler."""


def pytest_configure(config):
    if not XDIST_WORKER and config.getoption("dist", "no") == "loadgroup":
        os.environ[GROUPS_FILE] = str(Path(tempfile.mkdtemp(prefix="estate-xdist-")) / "groups.json")


def pytest_unconfigure(config):
    if not XDIST_WORKER and GROUPS_FILE in os.environ:
        shutil.rmtree(Path(os.environ.pop(GROUPS_FILE)).parent, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    """Which backends' apps the run needs; a worker writes down the groups (every worker collects the same)."""
    needed = [backend for item in items if (backend := _app_backend(item))]
    config.stash[APP_BACKENDS] = list(dict.fromkeys(needed))
    if XDIST_WORKER and GROUPS_FILE in os.environ:
        groups = {item.nodeid: group for item in items if (group := _xdist_group(item))}
        written = Path(f"{os.environ[GROUPS_FILE]}.{XDIST_WORKER}")
        writing = written.with_name(f"{written.name}.tmp")
        writing.write_text(json.dumps(groups))
        writing.replace(written)


class GroupScheduling(LoadScopeScheduling):
    """xdist's `loadgroup`, with the groups read from the workers' file: a group's tests go to one worker in
    collection order, the largest groups first; every other test is scheduled on its own."""

    _groups: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._groups is None:
            written = sorted(Path(os.environ[GROUPS_FILE]).parent.glob("groups.json.gw*"))
            self._groups = json.loads(written[0].read_text()) if written else {}
        return self._groups.get(nodeid, nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return GroupScheduling(config, log) if config.getoption("dist") == "loadgroup" else None


@pytest.fixture(scope="session")
def _app_databases():
    """The apps' databases (backend → Database), each loaded by a background process; removed at the end."""
    made: dict[str, Database] = {}
    yield made
    for database in made.values():
        database.drop()


@pytest.fixture(scope="session")
def app(request, tmp_path_factory, _app_databases):
    """The app running in production mode with demo data: SQLite, and PostgreSQL + Redis (2 workers). Anything
    that depends on the database, on state kept across workers or on Redis runs on both.

    The run makes the demo estate once (about a minute) and each app's database gets a copy (seconds). Once the
    first app answers, the next app's database starts filling in the background, ready when its tests come."""
    name = request.param

    def database(name: str) -> Database:
        if name not in _app_databases:
            backend = "sqlite" if name == UI_APP else name
            _app_databases[name] = Database(backend, tmp_path_factory.mktemp(f"data-{name}"), demo_template)
        return _app_databases[name]

    shared = tmp_path_factory.getbasetemp().parent if XDIST_WORKER else tmp_path_factory.getbasetemp()
    demo_template = shared / "demo-template.db"  # made once for the whole run (devtools/demo_template.py)
    web_dir = ROOT / f".web-{XDIST_WORKER}" if XDIST_WORKER else None  # workers' apps run at the same time
    made = database(name)
    started = run_app(made.backend, tmp_path_factory.mktemp(f"app-{name}"), made, web_dir)
    running = next(started)
    for other in [] if XDIST_WORKER else request.config.stash.get(APP_BACKENDS, []):
        database(other)  # unspread, the next app's database loads now; spread, another worker runs that app
    yield running
    started.close()
    _app_databases.pop(name).drop()


@pytest.fixture(scope="session")
def ui_app(app):
    """The app for checks of what the browser is given, which do not depend on the backend behind it (axe-core on
    every screen, the English walk, what a screen sends over the websocket): a SQLite app only, the same one
    `app` gives SQLite tests unless the run is spread. A test choosing it says so: it runs once, not once per
    backend (tests/e2e/conftest.py has the rule)."""
    return app


def pytest_sessionfinish(session):
    """A worker hands its apps' start times to the controller, which prints them."""
    if XDIST_WORKER:
        session.config.workeroutput["app_starts"] = TIMINGS


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    TIMINGS.extend(getattr(node, "workeroutput", {}).get("app_starts", []))


def pytest_terminal_summary(terminalreporter):
    """How long the apps took to start (database and demo data, then `reflex run` until it answered)."""
    if TIMINGS:
        terminalreporter.write_sep("-", "app starts")
        for line in TIMINGS:
            terminalreporter.write_line(line)

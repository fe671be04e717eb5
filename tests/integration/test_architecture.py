"""The shape of the code: import contracts (import-linter, contracts in pyproject.toml) and the service worker's
shell cache against the app's registered pages."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
SERVICE_WORKER = ROOT / "assets" / "sw.js"

# Prints every route the app registers (decorated pages and pages added to the app), once the app is built.
LIST_ROUTES = """
import json
from reflex_base.registry import RegistrationContext
from estate_pwa.estate_pwa import app
routes = {kwargs.get("route") for _, kwargs in RegistrationContext.get().decorated_pages}
routes |= set(app._unevaluated_pages)
print(json.dumps(sorted(route for route in routes if route)))
"""


def test_import_contracts_hold():
    """Layers pages → components → states → services → models → core; no Reflex below states; components never
    reach services; the shipped package never imports the benchmark, the dev tools or the tests."""
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"import contracts broken:\n{report}"
    assert "0 broken" in report, report


def _path(route: str) -> str:
    """A route as the service worker keys it: leading slash, no trailing slash ("/" stays "/")."""
    return "/" + route.strip("/")


def registered_static_routes() -> set[str]:
    """Every route of the built app that names one page (dynamic ones such as /p/[qr] left out)."""
    result = subprocess.run([sys.executable, "-c", LIST_ROUTES], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    routes = json.loads(result.stdout.strip().splitlines()[-1])
    return {_path(route) for route in routes if "[" not in route and route not in ("404", "/404")}


def precached_routes() -> set[str]:
    """The routes whose HTML the service worker stores at install (`const ROUTES = [...]` in assets/sw.js)."""
    match = re.search(r"const ROUTES = (\[[^\]]*\]);", SERVICE_WORKER.read_text(encoding="utf-8"))
    assert match, "assets/sw.js no longer declares `const ROUTES = [...]`"
    return {_path(route) for route in json.loads(match.group(1))}


def test_the_service_worker_precaches_every_registered_page():
    """An installed phone opens every screen offline only if its HTML is in the shell cache: a new page must be
    added to ROUTES in assets/sw.js (and a removed one taken out)."""
    registered, cached = registered_static_routes(), precached_routes()
    assert "/login" in registered and "/" in registered  # the app was really read
    missing, stale = sorted(registered - cached), sorted(cached - registered)
    assert not missing and not stale, (f"assets/sw.js ROUTES is missing {missing} (not available offline) "
                                       f"and lists {stale} that the app does not register")

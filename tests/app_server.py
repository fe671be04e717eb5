"""The app the tests run: kept in `devtools.appserver`, which the benchmark shares; these names stay importable
from here for the tests."""

from devtools.appserver import PATROL_CLOCK_SECONDS, ROOT, RunningApp, free_port, run_app, serve

__all__ = ["PATROL_CLOCK_SECONDS", "ROOT", "RunningApp", "free_port", "run_app", "serve"]

"""The app as the benchmark runs it: the shipped app plus the yardstick state (bench/yardstick.py).

bench/patrol_scans.py starts Reflex with `REFLEX_APP_MODULE_IMPORT=bench.app` (Reflex's own `app_module_import`
setting), so the yardstick is compiled into that run's frontend and known to its workers, while `estate_pwa` never
names it.
"""

from bench import yardstick  # noqa: F401  (registers BenchState)
from estate_pwa.estate_pwa import app

__all__ = ["app"]

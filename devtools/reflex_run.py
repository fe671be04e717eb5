"""`reflex run` as the tests start it: `python -m devtools.reflex_run run --env prod --frontend-port P
--backend-port P`, which is `reflex run`'s own code path (config, port checks, the production build, Granian, the
backend serving `.web/build/client` on the same port) with two differences, both asked for in the environment:

- `DEVTOOLS_START_AFTER=<file>`: the server starts only once that file exists. The caller loads the database
  (migrations and the demo estate, ~30 s) while Reflex compiles and builds the frontend (~20 s), instead of one
  after the other, and no request or clock tick of the app ever sees a half-loaded database.
- `DEVTOOLS_REUSE_BUILD=1`: the frontend already built in `.web` is served as it is: no compile (`_compile_app`)
  and no export (`build.setup_frontend_prod` becomes `build.setup_frontend`, which only writes `env.json`). The
  suite starts the app twice per run (SQLite, then PostgreSQL + Redis) and the build is the same for both: it
  depends on the code and on the port alone (the event socket's URL, port included, is baked into the bundle), so
  devtools.appserver asks for this only for an app on the port of its own last build, with the sources unchanged.

What people run (`make run`) stays plain `reflex run`. Pinned to Reflex 0.10's `reflex/reflex.py::_run_prod`.
"""

import os
import sys
import time
from pathlib import Path

from reflex import reflex as cli
from reflex.utils import build, exec, prerequisites

START_AFTER = "DEVTOOLS_START_AFTER"
REUSE_BUILD = "DEVTOOLS_REUSE_BUILD"
WAIT_LIMIT = 600


def _after(go: Path, run_backend_prod):
    def held(*args, **kwargs):
        deadline = time.monotonic() + WAIT_LIMIT
        while not go.exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"{go} did not appear within {WAIT_LIMIT} s")
            time.sleep(0.1)
        return run_backend_prod(*args, **kwargs)

    return held


def main() -> None:
    if os.environ.get(REUSE_BUILD) == "1":
        cli._compile_app = lambda **_: None
        build.setup_frontend_prod = build.setup_frontend
    if go := os.environ.get(START_AFTER):
        exec.run_backend_prod = _after(Path(go), exec.run_backend_prod)
        # Reflex compares the models with the database while it compiles; here the caller is migrating that
        # database at the same moment (both may create `alembic_version` at once and the app exits). The suite
        # checks models against migrations itself (tests/integration/test_migrations.py).
        prerequisites.check_schema_up_to_date = lambda: None
    sys.exit(cli.cli())


if __name__ == "__main__":
    main()

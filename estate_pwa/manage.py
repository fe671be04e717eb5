"""Command line: `python -m estate_pwa.manage migrate|demo|check-db`."""

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from estate_pwa.core.config import settings
from estate_pwa.core.db import session_scope

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(db_url: str | None = None) -> Config:
    """Alembic configuration for `db_url` (default: the configured database)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", db_url or settings.db_url)
    return config


def migrate(db_url: str | None = None) -> None:
    """Upgrade the database to the newest migration."""
    command.upgrade(alembic_config(db_url), "head")


def load_demo(db_url: str | None = None) -> None:
    """Load (or top up) the demo estate."""
    from estate_pwa.services import demo

    with session_scope(db_url) as session:
        estate, made = demo.load_with_summary(session)
        if made.generated:
            rows = ", ".join(f"{name} {count}" for name, count in made.rows.items())
            print(f"demo history: {demo.HISTORY_DAYS} days generated in {made.seconds:.1f} s ({rows})")
        print(f"demo estate ready: {estate.name}")


def main(argv: list[str]) -> int:
    """Run one command."""
    commands = {"migrate": migrate, "demo": load_demo}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m estate_pwa.manage {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

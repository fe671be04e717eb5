"""Settings, read once from the environment with laptop-friendly defaults."""

import os
from dataclasses import dataclass
from datetime import timedelta

DEFAULT_DB_URL = "sqlite:///estate.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one installation."""

    db_url: str
    redis_url: str | None
    session_lifetime: timedelta = timedelta(days=30)
    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)
    invite_lifetime: timedelta = timedelta(days=30)
    patrol_clock: timedelta = timedelta(seconds=60)


def load_settings() -> Settings:
    """Build settings from `REFLEX_DB_URL` and `REFLEX_REDIS_URL` (the names Reflex itself reads), and
    `ESTATE_PATROL_CLOCK_SECONDS` (how often rounds are created and closed; default 60)."""
    return Settings(
        db_url=os.environ.get("REFLEX_DB_URL") or DEFAULT_DB_URL,
        redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
        patrol_clock=timedelta(seconds=max(1, int(os.environ.get("ESTATE_PATROL_CLOCK_SECONDS") or 60))),
    )


settings = load_settings()

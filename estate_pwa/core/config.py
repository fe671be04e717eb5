"""Settings: every environment variable the app reads is read here, and nowhere else, with laptop-friendly
defaults.

`settings.x` (or `get_settings().x`) is always the value for the environment as it is now: the Settings object is
built again only when one of the variables below has changed since it was last built (tests change some at run
time, e.g. the signing secret), so reading a setting costs a few dictionary look-ups.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DEFAULT_DB_URL = "sqlite:///estate.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_SECRET_FILE = "var/secret_key"
DEFAULT_MEDIA_DIR = "var/media"
DEFAULT_PATROL_CLOCK_SECONDS = 60

DB_URL_ENV = "REFLEX_DB_URL"
"""The database (the name Reflex itself reads, so the app and Reflex agree)."""
REDIS_URL_ENV = "REFLEX_REDIS_URL"
"""Redis for Reflex's state manager (the name Reflex itself reads)."""
PATROL_CLOCK_ENV = "ESTATE_PATROL_CLOCK_SECONDS"
"""How often each worker creates coming patrol rounds and closes overdue ones."""
SECRET_ENV = "ESTATE_SECRET_KEY"
"""The installation's signing secret (checkpoint QR codes); share it between workers."""
SECRET_FILE_ENV = "ESTATE_SECRET_FILE"
"""Where a generated secret is kept when `ESTATE_SECRET_KEY` is unset."""
MEDIA_DIR_ENV = "ESTATE_MEDIA_DIR"
"""Where stored signatures and photos live."""

TRUSTED_PROXIES_ENV = "ESTATE_TRUSTED_PROXIES"
"""Comma-separated addresses of the reverse proxies in front of the app (default: this host, 127.0.0.1 and ::1):
only a request from one of them has its client address read from X-Forwarded-For (public report limits)."""
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"

ENV_NAMES = (DB_URL_ENV, REDIS_URL_ENV, PATROL_CLOCK_ENV, SECRET_ENV, SECRET_FILE_ENV, MEDIA_DIR_ENV,
             TRUSTED_PROXIES_ENV)
"""Every variable the settings are built from."""


@dataclass(frozen=True)
class Settings:
    """Runtime settings of one installation."""

    db_url: str = DEFAULT_DB_URL
    redis_url: str | None = None
    patrol_clock: timedelta = timedelta(seconds=DEFAULT_PATROL_CLOCK_SECONDS)
    secret_key: str | None = field(default=None, repr=False)
    """`ESTATE_SECRET_KEY` as given (checked where it is used: core.tokens); None when unset."""
    secret_file: Path = Path(DEFAULT_SECRET_FILE)
    media_dir: Path = Path(DEFAULT_MEDIA_DIR)
    """As configured, possibly relative to the working directory (core.media resolves and creates it)."""
    session_lifetime: timedelta = timedelta(days=30)
    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)
    invite_lifetime: timedelta = timedelta(days=30)
    trusted_proxies: frozenset[str] = frozenset(DEFAULT_TRUSTED_PROXIES.split(","))


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `environ` (default: the process environment); an empty variable counts as unset."""
    env = os.environ if environ is None else environ
    clock = env.get(PATROL_CLOCK_ENV) or DEFAULT_PATROL_CLOCK_SECONDS
    return Settings(
        db_url=env.get(DB_URL_ENV) or DEFAULT_DB_URL,
        redis_url=env.get(REDIS_URL_ENV) or None,
        patrol_clock=timedelta(seconds=max(1, int(clock))),
        secret_key=env.get(SECRET_ENV) or None,
        secret_file=Path(env.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE),
        media_dir=Path(env.get(MEDIA_DIR_ENV) or DEFAULT_MEDIA_DIR),
        trusted_proxies=frozenset(p.strip() for p in (env.get(TRUSTED_PROXIES_ENV) or DEFAULT_TRUSTED_PROXIES)
                                  .split(",") if p.strip()),
    )


_built: tuple[tuple[str | None, ...], Settings] | None = None


def get_settings() -> Settings:
    """The settings for the process environment as it is now (built again only when a variable changed)."""
    global _built
    key = tuple(os.environ.get(name) for name in ENV_NAMES)
    built = _built
    if built is None or built[0] != key:
        built = _built = (key, load_settings())
    return built[1]


class _CurrentSettings:
    """`settings.db_url` and the like: the fields of `get_settings()` at the moment they are read."""

    def __getattr__(self, name: str):
        return getattr(get_settings(), name)

    def __repr__(self) -> str:
        return repr(get_settings())


settings = _CurrentSettings()

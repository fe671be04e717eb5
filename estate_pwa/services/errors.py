"""Domain errors carry a translation key, so every refusal reaches the user as a clear message."""

from typing import Any


class DomainError(Exception):
    """A refused action; `key` names the message in the translation table."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidInput(DomainError):
    """The request was malformed (empty, too long, wrong format)."""


class NotAllowed(DomainError):
    """The acting user may not do this."""


class NotFound(DomainError):
    """The record does not exist in the acting user's estate."""


class LoginRefused(DomainError):
    """Wrong credentials, a disabled account or a locked account."""

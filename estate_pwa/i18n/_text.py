"""One entry of the translation table: the Chinese text and the English text of a key."""

from typing import NamedTuple


class Text(NamedTuple):
    """A visible string or server message in both languages; `{name}` placeholders are the same in both."""

    zh: str
    en: str

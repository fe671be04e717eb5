"""The translation table, one module per feature, Chinese first; no Reflex here (core and services use it).

Every module of this package whose name does not start with `_` is a feature and holds `TEXT: dict[str, Text]`;
they are found and merged at import, so adding a feature's texts is adding `estate_pwa/i18n/<feature>.py`.
A key defined by two features fails the import.
"""

import importlib
import pkgutil

from estate_pwa.i18n._text import Text

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
APP_NAME_KEY = "app.name"


class DuplicateKey(Exception):
    """Two feature modules define the same key."""


def _features() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _merge(features: list[str]) -> tuple[dict[str, Text], dict[str, str]]:
    merged: dict[str, Text] = {}
    owner: dict[str, str] = {}
    for feature in features:
        table = importlib.import_module(f"{__name__}.{feature}").TEXT
        for key, text in table.items():
            if key in owner:
                raise DuplicateKey(f"{key!r} is defined in both i18n/{owner[key]}.py and i18n/{feature}.py")
            merged[key] = Text(*text)
            owner[key] = feature
    return merged, owner


FEATURES = _features()
TEXT, OWNER = _merge(FEATURES)


def tr(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """Translate `key` into `lang` and fill in `{name}` placeholders; unknown keys show as themselves."""
    zh, en = TEXT.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def page_title(key: str | None = None) -> str:
    """A page's `<title>`, "巡更记录 · 智慧物业": prerendered once, so in the default language."""
    name = tr(APP_NAME_KEY, DEFAULT_LANGUAGE)
    return f"{tr(key, DEFAULT_LANGUAGE)} · {name}" if key else name


__all__ = ["DEFAULT_LANGUAGE", "FEATURES", "LANGUAGES", "OWNER", "TEXT", "DuplicateKey", "Text", "page_title", "tr"]

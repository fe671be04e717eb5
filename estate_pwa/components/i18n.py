"""Translated text in components: both languages are in the page, the device's choice picks one."""

import reflex as rx

from estate_pwa.core.i18n import TEXT
from estate_pwa.states.session import SessionState


def t(key: str) -> rx.Var:
    """The text for `key` in the device's language (switching needs no server round trip)."""
    zh, en = TEXT[key]
    return rx.cond(SessionState.lang == "en", en, zh)

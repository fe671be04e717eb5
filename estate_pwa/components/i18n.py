"""Translated text in components: both languages are in the page, the device's choice picks one."""

import reflex as rx

from estate_pwa.i18n import TEXT, page_title
from estate_pwa.states.session import SessionState


def t(key: str) -> rx.Var:
    """The text for `key` in the device's language (switching needs no server round trip)."""
    zh, en = TEXT[key]
    return rx.cond(SessionState.lang == "en", en, zh)


# `key=LANGUAGE` on a component whose translated children otherwise keep the language of the first render (a
# drop-down list with fixed options: Radix renders its items apart and nothing re-renders them): switching the
# language mounts it again, in the new language.
LANGUAGE = SessionState.lang

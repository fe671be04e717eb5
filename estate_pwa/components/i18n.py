"""Translated text in components: both languages are in the page, the device's choice picks one."""

from collections.abc import Iterable

import reflex as rx

from estate_pwa.i18n import TEXT, page_title
from estate_pwa.models import Role
from estate_pwa.states.session import SessionState

ROLE_KEYS = [f"role.{r.value}" for r in Role]
WEEKDAY_KEYS = [f"weekday.{d}" for d in range(7)]


def t(key: str) -> rx.Var:
    """The text for `key` in the device's language (switching needs no server round trip)."""
    zh, en = TEXT[key]
    return rx.cond(SessionState.lang == "en", en, zh)


def t_key(key: rx.Var, keys: Iterable[str]) -> rx.Var:
    """The text of a key held in a var (a row's role, weekday or status key), one of `keys`; both languages'
    texts of `keys` are in the page, so switching language needs no server round trip."""
    keys = list(keys)
    zh = rx.Var.create({k: TEXT[k].zh for k in keys})
    en = rx.Var.create({k: TEXT[k].en for k in keys})
    return rx.cond(SessionState.lang == "en", en, zh).to(dict)[key].to(str)


def t_fill(key: str, **params: rx.Var | str) -> rx.Var:
    """`t(key)` with its `{name}` placeholders filled in the browser from vars (a row's name, a time)."""
    text = t(key).to(str)
    for name, value in params.items():
        text = text.replace("{" + name + "}", rx.Var.create(value).to(str))
    return text


# `key=LANGUAGE` on a component whose translated children otherwise keep the language of the first render (a
# drop-down list with fixed options: Radix renders its items apart and nothing re-renders them): switching the
# language mounts it again, in the new language.
LANGUAGE = SessionState.lang

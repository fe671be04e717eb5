"""The translation table covers every key the services use."""

import ast
import re
import string
from pathlib import Path

import pytest

import estate_pwa.services
from estate_pwa.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, TEXT, tr

SERVICES = Path(estate_pwa.services.__file__).parent
SOURCES = sorted(SERVICES.glob("*.py"))
ERROR_KEY = re.compile(r"""["'](error\.[a-z0-9_]+)["']""")


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _is_audit_record(node) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("record", "record_refusal")
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit")


def _is_log_wrapper_call(node) -> bool:
    """A call of a service module's `_log(session, actor, target, action, ...)` wrapper around audit.record."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_log"


def audit_actions() -> set[str]:
    """Every string literal given as the `action` (4th positional or keyword) of `audit.record` or `_log` calls.

    Inside a `_log` wrapper, audit.record passes its own `action` parameter on; the literals are at the callers.
    """
    found = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrappers = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "_log"
                    for n in ast.walk(f)}
        for node in ast.walk(tree):
            if not (_is_audit_record(node) or _is_log_wrapper_call(node)):
                continue
            action = node.args[3] if len(node.args) > 3 else next(k.value for k in node.keywords if k.arg == "action")
            if id(node) in wrappers and isinstance(action, ast.Name) and action.id == "action":
                continue
            literals = [n.value for n in ast.walk(action) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            assert literals, f"{path.name}:{node.lineno}: audit action is not a string literal"
            found.update(literals)
    return found


def test_sources_found():
    assert {"accounts.py", "roster.py", "validation.py"} <= {p.name for p in SOURCES}


def test_languages():
    assert LANGUAGES == ("zh", "en") and DEFAULT_LANGUAGE == "zh"


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_key_has_both_texts(key):
    zh, en = TEXT[key]
    assert isinstance(zh, str) and zh.strip(), key
    assert isinstance(en, str) and en.strip(), key
    assert placeholders(zh) == placeholders(en), key  # both languages take the same parameters


def test_keys_are_well_formed():
    assert all(re.fullmatch(r"[a-z]+\.[a-z0-9_]+", key) for key in TEXT)


def test_every_error_key_used_by_services_is_translated():
    used = {key for path in SOURCES for key in ERROR_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) >= 15, used  # the regex really finds the keys
    assert {"error.login_failed", "error.invite_used", "error.role_not_held"} <= used
    assert sorted(used - TEXT.keys()) == []


def test_every_audit_action_is_translated():
    actions = audit_actions()
    assert {"login", "staff_created", "account_enabled", "account_disabled", "duty_removed",
            "request_refused"} <= actions
    assert sorted(a for a in actions if f"audit.{a}" not in TEXT) == []


def test_tr_fills_placeholders():
    assert tr("error.account_locked", "en", minutes=3) == (
        "Too many wrong passwords: the account is locked, try again in 3 minutes")
    assert tr("error.account_locked", "zh", minutes=3) == "密码错误次数过多,账号已锁定,请 3 分钟后再试"
    assert tr("units.invite_for", "en", unit="1-101") == "Invite code for 1-101"
    assert tr("staff.reset_done", "en", name="王", password="abc123XYZ0").startswith(
        "Temporary password for 王: abc123XYZ0 ")


def test_tr_defaults_to_chinese_and_falls_back():
    assert tr("login.title") == "登录"
    assert tr("login.title", "en") == "Log in"
    assert tr("login.title", "fr") == "登录"
    assert tr("no.such.key", "en") == "no.such.key"


def test_tr_does_not_format_twice():
    """A parameter containing braces is inserted as text, not treated as a placeholder."""
    assert tr("home.greeting", "en", name="{left}") == "Hello, {left}"

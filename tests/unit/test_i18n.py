"""The translation table: every key the app uses exists, every key exists for a reason, both languages agree.

Each test lists every bad key at once (one failure names them all). Sources are read once, with `ast`.
"""

import ast
import re
import string
from functools import cache
from pathlib import Path

import pytest

import estate_pwa
import estate_pwa.i18n as i18n
from estate_pwa.i18n import DEFAULT_LANGUAGE, LANGUAGES, TEXT, Text, page_title, tr
from estate_pwa.models import (IncidentCategory, IncidentStatus, RepairCategory, RequestKind, RequestStatus, Role,
                               RoundStatus, ScanOutcome, Urgency)
from estate_pwa.services.jobs import PAUSE_REASONS
from estate_pwa.models import Rating
from estate_pwa.services.indicators import REGISTRY, PeriodKind
from estate_pwa.services.indicators.certification import EVIDENCE_ITEMS, LEVELS
from estate_pwa.services.indicators.registry import Base
from estate_pwa.services.indicators.view import Status
from estate_pwa.services.survey import ASPECTS
from estate_pwa.services.incidents import SERIOUS
from estate_pwa.services.cleaning import COVERAGE
from estate_pwa.models import AreaKind, Frequency, PaymentMethod, PriceUnit, ServiceCategory
from estate_pwa.services.fees import BUCKET_LABELS
from estate_pwa.models import SUBKINDS, AssetCategory, ConditionGrade, DefectSource
from estate_pwa.models import PlanFrequency
from estate_pwa.models import ReportCategory
from estate_pwa.models import UnitType
from estate_pwa.services.reports import STATES as REPORT_STATES

PACKAGE = Path(estate_pwa.__file__).parent
I18N = Path(i18n.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if I18N not in p.parents)
SERVICES = sorted((PACKAGE / "services").rglob("*.py"))
KEY = re.compile(r"[a-z]+(\.[a-z0-9_]+)+")
PREFIXES = {key.split(".")[0] for key in TEXT}
# Calls whose first argument is a translation key (the services' `_text(raw, key)` helpers pass `error.…` keys,
# which are checked wherever they are written).
TRANSLATORS = {"t", "tr", "_text", "page_title", "DomainError", "InvalidInput", "NotAllowed", "NotFound",
               "LoginRefused"}


@cache
def trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"


@cache
def string_literals() -> dict[str, list[str]]:
    """Every plain string literal of the app's source (not parts of f-strings), with where it is written."""
    found: dict[str, list[str]] = {}
    for path, tree in trees().items():
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings:
                found.setdefault(node.value, []).append(_where(path, node))
    return found


def _key_constants(node: ast.AST):
    """The string literals an argument can evaluate to: "k", "a" if … else "b", x or "k"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.IfExp):
        yield from _key_constants(node.body)
        yield from _key_constants(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _key_constants(value)


@cache
def translated_literals() -> dict[str, list[str]]:
    """Literal keys given to a translator (also through `a if … else b` or `x or "key"`), and every `error.…`
    literal anywhere (services raise and pass them in many ways)."""
    found: dict[str, list[str]] = {}
    for path, tree in trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in TRANSLATORS and node.args:
                for c in _key_constants(node.args[0]):
                    found.setdefault(c.value, []).append(_where(path, c))
    for literal, places in string_literals().items():
        if literal.startswith("error.") and KEY.fullmatch(literal):
            found.setdefault(literal, []).extend(places)
    return found


def _audit_record_action(node: ast.AST) -> ast.AST | None:
    """The `action` argument of `audit.record(…)`, `audit.record_refusal(…)` or a service's `_log(…)` wrapper."""
    if not isinstance(node, ast.Call):
        return None
    audit = (isinstance(node.func, ast.Attribute) and node.func.attr in ("record", "record_refusal")
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit")
    wrapper = isinstance(node.func, ast.Name) and node.func.id in ("_log", "log")
    if not (audit or wrapper):
        return None
    if len(node.args) > 3:
        return node.args[3]
    return next((k.value for k in node.keywords if k.arg == "action"), None)


@cache
def audit_actions() -> frozenset[str]:
    """Every string literal given as the action of an audit record, directly or as a `Refusal(action, …)`
    (inside a `_log` wrapper, `audit.record` passes its own `action` parameter on; the literals are at the
    wrapper's callers)."""
    found, bad = set(), []
    for path in SERVICES:
        tree = trees()[path]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "Refusal":  # Refusal("request_refused", …)
                found.update(c.value for c in _key_constants(node.args[0] if node.args else node.keywords[0].value))
                continue
            action = _audit_record_action(node)
            if action is None:
                continue
            if (isinstance(action, ast.Name) and action.id == "action"
                    or isinstance(action, ast.Attribute) and action.attr == "action"):
                continue  # passed on by a wrapper (`_log`, `refuse`); the literals are at its callers
            literals = [n.value for n in ast.walk(action) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            if not literals:
                bad.append(_where(path, node))
            found.update(literals)
    assert bad == [], f"audit actions that are not string literals: {bad}"
    return frozenset(found)


def follow_up_reasons() -> set[str]:
    source = "\n".join(path.read_text(encoding="utf-8") for path in SERVICES)
    return set(re.findall(r"""ensure_follow_up\([^()]*["']([a-z_]+)["']\)""", source))


# Keys built at run time: the pattern, and every value the `{}` takes.
FAMILIES: dict[str, object] = {
    "role.{}": Role,
    "weekday.{}": range(7),
    "kind.{}": RequestKind,
    "category.{}": RepairCategory,
    "urgency.{}": Urgency,
    "status.{}": RequestStatus,
    "pause.{}": PAUSE_REASONS,
    "followup.{}": follow_up_reasons,
    "jobs.show_{}": ("all", "overdue", "breaches", "postponed"),  # the office board's filter (pages/jobs.py)
    "patrol.status_{}": RoundStatus,
    "patrol.outcome_{}": ScanOutcome,
    "patrol.scan_{}": ScanOutcome,
    "incident.category_{}": IncidentCategory,
    "incident.status_{}": IncidentStatus,
    "incident.serious_{}": SERIOUS,
    "patrol.filter_{}": ("route", "guard"),  # the patrol history's filters' names (pages/patrol.py)
    "audit.{}": audit_actions,
    "bookings.status.{}": ("booked", "in_progress", "completed", "closed", "cancelled"),  # services/bookings
    "bookings.slot.{}": ("full", "past", "too_soon", "closed"),  # a slot's state (services/bookings/slots.py)
    "facilities.category_{}": AssetCategory,  # the register's rows (pages/facilities.py)
    "facilities.kind_{}": lambda: {k for kinds in SUBKINDS.values() for k in kinds},
    "facilities.grade_{}": ConditionGrade,
    "facilities.source_{}": DefectSource,
    "inspections.frequency_{}": PlanFrequency,  # a plan's frequency (services/inspections/plans.py)
    "indicator.status.{}": tuple(v for k, v in vars(Status).items() if k.isupper()),
    "indicator.trend.{}": ("up", "down", "flat"),
    "indicator.base.{}": Base,
    "indicator.period.{}": PeriodKind,
    "indicator.report_{}": ("pdf", "xlsx", "csv"),
    "indicator.why.feature.{}": lambda: {i.feature for i in REGISTRY.values()},
    "survey.aspect.{}": ASPECTS,
    "survey.rating.{}": Rating,
    "certification.level.{}": lambda: [level.key for level in LEVELS],
    "certification.state.{}": ("upcoming", "open", "passed", "unknown"),
    "certification.evidence.{}": EVIDENCE_ITEMS,
    "cleaning.slot_{}": ("day", "week", "shift", "rework"),  # a task row's slot (services/cleaning/views.py)
    "cleaning.coverage_{}": COVERAGE,
    "cleaning.kind_{}": AreaKind,  # a checklist item's kind of area (pages/cleaning.py)
    "cleaning.frequency_{}": Frequency,
    "fees.method.{}": PaymentMethod,
    "fees.category.{}": ServiceCategory,
    "fees.price_unit.{}": PriceUnit,
    "fees.status.{}": ("paid", "partial", "unpaid"),
    "fees.age.{}": BUCKET_LABELS,
    "fees.unit_type.{}": ("all", *UnitType),  # a rate's scope and a unit's type (pages/fees.py)
    "reports.category_{}": ReportCategory,  # a public report's category (services/reports/page.py, pages/reports.py)
    "reports.state_{}": REPORT_STATES,
}


def family_keys() -> dict[str, set[str]]:
    keys = {}
    for pattern, members in FAMILIES.items():
        values = members() if callable(members) and not isinstance(members, type) else members
        keys[pattern] = {pattern.format(getattr(v, "value", v)) for v in values}
    return keys


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_languages_and_features():
    assert LANGUAGES == ("zh", "en") and DEFAULT_LANGUAGE == "zh"
    assert {"common", "accounts", "estate", "jobs", "patrol", "incidents"} <= set(i18n.FEATURES)
    assert all(isinstance(text, Text) for text in TEXT.values())
    assert len(TEXT) > 400


def test_the_package_does_not_import_reflex():
    imports = set()
    for path in I18N.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imports.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imports.add((node.module or "").split(".")[0])
    assert imports <= {"importlib", "pkgutil", "typing", "estate_pwa"}, imports


def test_every_entry_has_both_texts_and_the_same_placeholders():
    bad = [key for key, (zh, en) in TEXT.items() if not (isinstance(zh, str) and zh.strip()
                                                        and isinstance(en, str) and en.strip())]
    assert bad == [], f"empty texts: {bad}"
    mismatched = {key: (sorted(placeholders(zh)), sorted(placeholders(en))) for key, (zh, en) in TEXT.items()
                  if placeholders(zh) != placeholders(en)}
    assert mismatched == {}, f"placeholders differ between zh and en: {mismatched}"
    malformed = sorted(key for key in TEXT if not KEY.fullmatch(key))
    assert malformed == [], f"malformed keys: {malformed}"


def test_no_key_is_defined_twice():
    """Across features (the merge refuses it) and inside one module (a dict literal silently keeps the last)."""
    repeated = []
    for path in sorted(I18N.glob("*.py")):
        seen = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key in node.keys:
                    if isinstance(key, ast.Constant):
                        if key.value in seen:
                            repeated.append(f"{path.name}: {key.value}")
                        seen.add(key.value)
    assert repeated == [], f"keys written twice: {repeated}"
    with pytest.raises(i18n.DuplicateKey, match="'app.name' is defined in both"):
        i18n._merge(["common", "common"])
    assert i18n._merge(i18n.FEATURES)[0] == TEXT


def test_every_literal_key_given_to_a_translator_exists():
    used = translated_literals()
    assert {"error.login_failed", "error.invite_used", "jobs.submitted", "title.login"} <= used.keys()  # it finds them
    missing = {key: places for key, places in used.items() if key not in TEXT}
    assert missing == {}, f"keys used but not in the table: {missing}"


def test_every_key_built_at_run_time_is_a_known_family():
    """f"status.{…}" and the like: each such pattern in the source is one of FAMILIES (so it is checked below)."""
    unknown = []
    for path, tree in trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = node.values[0].value
                if re.fullmatch(r"[a-z]+(\.[a-z0-9_]*)+", head) and head.split(".")[0] in PREFIXES:
                    pattern = head + "{}"
                    if len(node.values) != 2 or pattern not in FAMILIES:
                        unknown.append(f"{_where(path, node)} {pattern}")
    assert unknown == [], f"keys built at run time that no family describes: {unknown}"


def test_every_family_has_a_key_for_every_member():
    keys = family_keys()
    assert "status.received" in keys["status.{}"] and "audit.login" in keys["audit.{}"]
    assert {"sample", "unsatisfied"} <= follow_up_reasons()
    missing = {pattern: sorted(k for k in family if k not in TEXT) for pattern, family in keys.items()}
    assert {p: m for p, m in missing.items() if m} == {}, "family members without a translation"


def test_no_key_is_unused():
    """A key is used when it is written as a literal somewhere in the app, or is a member of a family."""
    literals = string_literals().keys()
    from_families = set().union(*family_keys().values())
    unused = sorted(key for key in TEXT if key not in literals and key not in from_families)
    assert unused == [], f"keys nobody uses: {unused}"


def test_page_titles_come_from_the_table():
    assert page_title() == "智慧物业"
    assert page_title("title.patrol_history") == "巡更记录 · 智慧物业"
    hard_coded = [f"{_where(path, node)} {node.value}" for path, tree in trees().items()
                  for call in ast.walk(tree) if isinstance(call, ast.Call) and _call_name(call) == "page"
                  for keyword in call.keywords if keyword.arg == "title"
                  for node in [keyword.value] if isinstance(node, ast.Constant)]
    assert hard_coded == [], f"pages with a hard-coded title: {hard_coded}"


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
    assert tr("units.invite_for", "en", unit="{left}") == "Invite code for {left}"

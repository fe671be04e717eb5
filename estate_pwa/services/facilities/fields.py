"""One cleaner for an asset's fields, used by the register's form and by the spreadsheet import alike: each field
is checked the same way wherever it comes from, and a refusal names the field's problem with a translation key.

Text that a spreadsheet program would run as a formula (starting with = + - @, a tab or a carriage return) is
refused outright, not quietly changed.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from estate_pwa.models import MEASURE_OF, SUBKINDS, AssetCategory, ConditionGrade, Measure
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.validation import text

FIELDS = ("code", "category", "subkind", "name", "location", "building", "quantity", "grade", "expires_on",
          "contractor", "note")
"""The register's columns, in the order of the form, the spreadsheet and the export."""
REQUIRED = {"code": "error.asset_missing_code", "category": "error.asset_missing_category",
            "subkind": "error.asset_missing_subkind", "name": "error.asset_missing_name",
            "quantity": "error.asset_missing_quantity"}
"""The fields every asset needs, and the message for each one missing."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?")
"""A plain number ("-12.5"), which a spreadsheet does not run as a formula (a sign is not a formula here)."""
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}")
QUANTITY_MAX = Decimal(10000000)
LIMITS = {"name": 100, "location": 100, "building": 50, "contractor": 100, "note": 500}


@dataclass(frozen=True)
class AssetFields:
    """An asset's fields, clean (the building still by name; the register resolves it)."""

    code: str
    category: str
    subkind: str
    name: str
    location: str
    building: str
    measure: str
    quantity: Decimal
    grade: str | None
    expires_on: date | None
    contractor: str
    note: str


def _cell(raw: object) -> str:
    """A form or spreadsheet cell as text ('' for empty); refuses a formula."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise InvalidInput("error.bad_request")
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, (int, Decimal, date)):
        return str(raw)
    if isinstance(raw, float):
        return repr(raw)
    if not isinstance(raw, str):
        raise InvalidInput("error.bad_request")
    if raw.lstrip(" ").startswith(FORMULA_START) and not NUMBER.fullmatch(raw.strip()):
        raise InvalidInput("error.asset_formula")
    return raw.strip()


def _quantity(raw: str, measure: Measure) -> Decimal:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise InvalidInput("error.asset_quantity_invalid") from None
    if not value.is_finite():
        raise InvalidInput("error.asset_quantity_invalid")
    if value <= 0:
        raise InvalidInput("error.asset_quantity_positive")
    if value >= QUANTITY_MAX or value != value.quantize(Decimal("0.01")):
        raise InvalidInput("error.asset_quantity_invalid")
    if measure == Measure.COUNT and value != value.to_integral_value():
        raise InvalidInput("error.asset_count_whole")
    return value.quantize(Decimal("0.01"))


def _date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput("error.asset_date_invalid") from None


def clean_fields(raw: object) -> AssetFields:
    """Clean an asset's fields from a dict of raw values (a form's or a spreadsheet row's); the first problem is
    raised as InvalidInput naming it."""
    if not isinstance(raw, dict):
        raise InvalidInput("error.bad_request")
    cells = {name: _cell(raw.get(name)) for name in FIELDS}
    for name, missing in REQUIRED.items():
        if not cells[name]:
            raise InvalidInput(missing)
    if not CODE.fullmatch(cells["code"]):
        raise InvalidInput("error.asset_code_invalid")
    if cells["category"] not in {c.value for c in AssetCategory}:
        raise InvalidInput("error.asset_category_invalid")
    category = AssetCategory(cells["category"])
    if cells["subkind"] not in SUBKINDS[category]:
        raise InvalidInput("error.asset_subkind_invalid")
    texts = {name: text(cells[name], "error.bad_request", limit, required=False) for name, limit in LIMITS.items()}
    if not texts["name"]:
        raise InvalidInput("error.asset_missing_name")
    measure = MEASURE_OF[category]
    quantity = _quantity(cells["quantity"], measure)
    grade = cells["grade"] or None
    if category == AssetCategory.HOUSING:
        if grade not in {g.value for g in ConditionGrade}:
            raise InvalidInput("error.asset_grade_required")
    elif grade is not None:
        raise InvalidInput("error.asset_grade_housing_only")
    expires_on = _date(cells["expires_on"])
    if expires_on is not None and category != AssetCategory.FIRE_EQUIPMENT:
        raise InvalidInput("error.asset_expiry_fire_only")
    if texts["contractor"] and category != AssetCategory.PUBLIC_EQUIPMENT:
        raise InvalidInput("error.asset_contractor_public_only")
    return AssetFields(cells["code"], category.value, cells["subkind"], texts["name"], texts["location"],
                       texts["building"], measure.value, quantity, grade, expires_on, texts["contractor"],
                       texts["note"])

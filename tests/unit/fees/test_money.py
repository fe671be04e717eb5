"""The money parser: Decimal yuan with fen precision; floats, NaN, negatives, absurd and over-precise refused."""

from decimal import Decimal

import pytest

from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.validation import money


@pytest.mark.parametrize("raw, expected", [
    ("12", "12.00"), ("12.5", "12.50"), (" 0.01 ", "0.01"), ("¥1,280.00", "1280.00"), ("￥3", "3.00"),
    (7, "7.00"), (Decimal("3.10"), "3.10"), ("999999.99", "999999.99"),
])
def test_accepts_yuan_with_fen(raw, expected):
    value = money(raw)
    assert isinstance(value, Decimal) and value == Decimal(expected) and str(value) == expected


@pytest.mark.parametrize("raw, key", [
    (1.5, "error.money_invalid"), ("-1", "error.money_invalid"), (-1, "error.money_invalid"),
    ("1.234", "error.money_invalid"), (Decimal("1.234"), "error.money_invalid"), ("NaN", "error.money_invalid"),
    (Decimal("NaN"), "error.money_invalid"), (Decimal("Infinity"), "error.money_invalid"), ("1e3", "error.money_invalid"),
    ("", "error.money_invalid"), (None, "error.money_invalid"), (True, "error.money_invalid"),
    ({"a": 1}, "error.money_invalid"), ("0", "error.money_zero"), ("0.00", "error.money_zero"),
    ("1000000", "error.money_too_large"), ("99999999999", "error.money_too_large"),
])
def test_refuses(raw, key):
    with pytest.raises(InvalidInput) as info:
        money(raw)
    assert info.value.key == key


def test_zero_when_allowed():
    assert money("0", zero=True) == Decimal("0.00")

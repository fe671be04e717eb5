"""An estate with a fee rate, a cashier (the manager), residents of two units, and helpers."""

import uuid
from decimal import Decimal

import pytest
from sqlmodel import select

from estate_pwa.models import FeeBill, Role
from estate_pwa.services import fees
from tests.unit.conftest import NOW

SINCE = "2024-01"
"""Rates in these tests apply from January 2024, before every month they bill."""


@pytest.fixture
def units(factory, estate):
    return factory.units(estate)


@pytest.fixture
def resident(factory, estate, units):
    """A resident of the first unit (1栋 101, 88 m²)."""
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="业主甲"))


@pytest.fixture
def neighbour(factory, estate, units):
    """A resident of the second unit."""
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[1], name="业主乙"))


@pytest.fixture
def billed(session, boss, units):
    """The estate at 2.50 yuan/m²/month with March 2026 generated: {unit id: bill}."""
    fees.set_rate(session, boss, "2.50", effective_from=SINCE, now=NOW)
    fees.generate_month(session, boss, "2026-03", now=NOW)
    session.commit()
    return {b.unit_id: b for b in session.exec(select(FeeBill).where(FeeBill.estate_id == boss.estate_id))}


def form_key() -> str:
    return uuid.uuid4().hex


def pay(session, actor, bill, amount, method="cash", reference="", key=None, now=NOW):
    payment = fees.record_payment(session, actor, bill.id, amount, method, reference, key or form_key(), now=now)
    session.commit()
    return payment


def money(text: str) -> Decimal:
    return Decimal(text)

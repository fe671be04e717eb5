"""A register to measure: assets made through the register's service, inspections recorded as the inspections
feature records them (a task done), and defects opened and closed through the defect service."""

from datetime import UTC, datetime, timedelta

import pytest

from estate_pwa.models import Asset, InspectionPlan, InspectionTask, Role
from estate_pwa.services.facilities import defects, register

START = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
"""1 March 2026, 00:00 in Asia/Shanghai."""
END = START + timedelta(days=10)
"""The test window: ten days, [START, END)."""


def day(n: float) -> datetime:
    """`n` days after START (negative: before it)."""
    return START + timedelta(days=n)


@pytest.fixture
def tech(factory, estate):
    return factory.actor(factory.user(estate, Role.TECHNICIAN, name="技工"))


@pytest.fixture
def make(session, boss):
    """make(code, category, subkind, quantity, since=day(-30), **more) adds an asset in service since `since`."""
    def make(code: str, category: str, subkind: str, quantity: object, since: datetime | None = None,
             **more) -> Asset:
        fields = {"code": code, "category": category, "subkind": subkind, "name": f"资产 {code}",
                  "quantity": str(quantity), **more}
        if category == "fire_equipment" and subkind == "extinguisher" and "expires_on" not in fields:
            fields["expires_on"] = "2027-06-30"
        asset = register.add_asset(session, boss, fields, now=since or day(-30))
        session.commit()
        return asset
    return make


@pytest.fixture
def inspect(session, boss):
    """inspect(asset, at) records an inspection of the asset done at `at` (as the inspections feature does)."""
    plans: dict[int, int] = {}

    def inspect(asset: Asset, at: datetime) -> None:
        if asset.estate_id not in plans:
            plan = InspectionPlan(estate_id=asset.estate_id, name="巡检", category=asset.category, frequency="daily")
            session.add(plan)
            session.flush()
            plans[asset.estate_id] = plan.id
        session.add(InspectionTask(estate_id=asset.estate_id, key=f"t{asset.id}:{at.timestamp()}",
                                   plan_id=plans[asset.estate_id], asset_id=asset.id, day=at.date(),
                                   starts_at=at, due_at=at + timedelta(hours=1), done_at=at))
        session.commit()
    return inspect


@pytest.fixture
def defect(session, tech):
    """defect(asset, opened, closed=None) records a defect span through the defect service."""
    def defect(asset: Asset, opened: datetime, closed: datetime | None = None):
        made = defects.open_defect(session, tech, asset.id, "inspection", "坏了", at=opened, now=opened)
        if closed is not None:
            defects.close_defect(session, tech, asset.id, "修好了", at=closed, now=closed)
        session.commit()
        return made
    return defect

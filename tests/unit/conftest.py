"""Helpers shared by the unit tests: a fixed clock, a second, independent session, an estate and its manager."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from estate_pwa.core.db import get_engine
from estate_pwa.models import Area, AreaKind, Role

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)
"""A fixed instant (12:00 in Asia/Shanghai) that every time-dependent test passes as `now`."""


@pytest.fixture
def fresh_session(db_url):
    """Another session on the same database, to read what was really committed."""
    with Session(get_engine(db_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def estate(factory):
    """A fresh estate (test modules with other needs define their own)."""
    return factory.estate()


@pytest.fixture
def boss(factory, estate):
    """The estate's manager, as an actor."""
    return factory.actor(factory.user(estate, Role.MANAGER, name="经理"))


# Shared by the patrol and incident tests (appended)

from datetime import timedelta  # noqa: E402

from sqlmodel import select  # noqa: E402

from estate_pwa.models import AuditEntry  # noqa: E402


def at(hour: int, minute: int = 0, second: int = 0, day: int = 10) -> datetime:
    """An instant given in Asia/Shanghai local time (UTC+8, no daylight saving) in March 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=8)


assert at(12) == NOW


def audit_entries(fresh, estate_id, action) -> list:
    """The estate's audit entries of `action` as committed, oldest first."""
    fresh.expire_all()
    return list(fresh.exec(select(AuditEntry).where(
        AuditEntry.estate_id == estate_id, AuditEntry.action == action).order_by(AuditEntry.id)))


ANY_TARGET = object()


def expect_refused(fresh, estate_id, action, error_type, key, call, *, unchanged=lambda: None,
                   target_id=ANY_TARGET):
    """Run `call`: expect exactly `error_type(key)`, `unchanged()` the same before and after, and one new audit
    entry `action` with the reason (and `target_id`, when given)."""
    before = unchanged()
    logged = len(audit_entries(fresh, estate_id, action))
    with pytest.raises(error_type) as info:
        call()
    assert type(info.value) is error_type
    assert info.value.key == key
    assert unchanged() == before
    entries = audit_entries(fresh, estate_id, action)
    assert len(entries) == logged + 1
    assert entries[-1].detail["reason"] == key
    if target_id is not ANY_TARGET:
        assert entries[-1].target_id == target_id
    return info.value


@pytest.fixture
def guard_user(factory, estate):
    return factory.user(estate, Role.GUARD, name="保安甲")


@pytest.fixture
def guard(factory, guard_user):
    return factory.actor(guard_user)


@pytest.fixture
def guard2(factory, estate, guard):
    """A second guard, made after the first (so with the higher id)."""
    return factory.actor(factory.user(estate, Role.GUARD, name="保安乙"))


# Areas and a cleaner, shared by the cleaning and public-report tests.
@pytest.fixture
def lobby(session, estate):
    area = Area(estate_id=estate.id, name="1栋大堂", kind=AreaKind.LOBBY)
    session.add(area)
    session.commit()
    return area


@pytest.fixture
def car_park(session, estate):
    area = Area(estate_id=estate.id, name="地下车库", kind=AreaKind.CAR_PARK)
    session.add(area)
    session.commit()
    return area


@pytest.fixture
def cleaner(factory, estate):
    return factory.actor(factory.user(estate, Role.CLEANER, name="保洁甲"))

"""An estate with a bookable service (air-conditioner cleaning by technicians: one hour, booked at least 4 hours
ahead, free to cancel until 12 hours before, 20 yuan after), technicians on the roster and residents."""

from datetime import date, timedelta

import pytest

from estate_pwa.models import DutyAssignment, Role
from estate_pwa.services import bookings, jobs
from tests.unit.conftest import at

TOMORROW = date(2026, 3, 11)
SERVICE = {"name_zh": "空调清洗", "name_en": "Air-conditioner cleaning", "category": "repair", "special": "on",
           "price": "80.00", "price_unit": "item", "duration_minutes": "60", "lead_hours": "4",
           "free_cancel_hours": "12", "cancel_fee": "20.00", "staff_role": "technician"}


def slot(hour: int, day: int = 11) -> str:
    """A slot start as a screen sends it back (ISO, UTC)."""
    return at(hour, day=day).isoformat()


@pytest.fixture
def units(factory, estate):
    return factory.units(estate)


@pytest.fixture
def resident(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[0], name="业主甲"))


@pytest.fixture
def neighbour(factory, estate, units):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=units[1], name="业主乙"))


def on_duty(session, factory, estate, user, day: date, shift: str = "白班", role: Role = Role.TECHNICIAN):
    session.add(DutyAssignment(estate_id=estate.id, user_id=user.id, shift_id=factory.shifts(estate)[shift].id,
                               role=role, day=day))
    session.commit()


@pytest.fixture
def technicians(session, factory, estate):
    """Two technicians on the day shift (08–20) on the 10th and 11th, one on the night shift."""
    day = [factory.user(estate, Role.TECHNICIAN, name=f"师傅{i}") for i in (1, 2)]
    night = factory.user(estate, Role.TECHNICIAN, name="夜班师傅")
    for offset in (0, 1):
        for user in day:
            on_duty(session, factory, estate, user, TOMORROW - timedelta(days=1 - offset))
        on_duty(session, factory, estate, night, TOMORROW - timedelta(days=1 - offset), "夜班")
    return [factory.actor(u) for u in day]


@pytest.fixture
def service(session, boss, technicians):
    item = bookings.save_service(session, boss, SERVICE)
    session.commit()
    return item


def finish(session, technician, booking, now):
    """The technician accepts and completes the booked job through the jobs system."""
    jobs.accept(session, technician, booking.request_id, now=now)
    jobs.complete(session, technician, booking.request_id, "清洗完成", now=now + timedelta(minutes=50))
    session.commit()

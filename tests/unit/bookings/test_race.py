"""100 residents racing, each in their own session and thread, for the last 3 places of a slot: exactly 3 get
one, the others are told it is full, and no staff member is ever held twice."""

import threading

from sqlmodel import Session, select

from estate_pwa.core.db import get_engine
from estate_pwa.models import Booking, FeeBill, Role, ServiceRequest
from estate_pwa.services import bookings
from tests.unit.bookings.conftest import TOMORROW, on_duty, slot
from tests.unit.conftest import NOW

RACERS = 100


def test_a_hundred_residents_never_overbook_the_last_three_places(db_url, session, factory, estate, boss,
                                                                  technicians, service, units):
    for i in (3, 4, 5):  # five technicians on duty; two places already taken: three left
        on_duty(session, factory, estate, factory.user(estate, Role.TECHNICIAN, name=f"师傅{i}"), TOMORROW)
    early = [factory.actor(factory.user(estate, Role.RESIDENT, unit=units[3], name=f"早{i}")) for i in (1, 2)]
    for resident in early:
        bookings.book(session, resident, service.id, slot(10), now=NOW)
        session.commit()
    racers = [factory.actor(factory.user(estate, Role.RESIDENT, unit=units[i % 4], name=f"业主{i}"))
              for i in range(RACERS)]
    start = threading.Barrier(RACERS)
    made, refused, other = [], [], []

    def race(resident) -> None:
        with Session(get_engine(db_url), expire_on_commit=False) as own:
            start.wait()
            try:
                made.append(bookings.book(own, resident, service.id, slot(10), now=NOW).id)
                own.commit()
            except Exception as error:  # noqa: BLE001  (collected and asserted below)
                own.rollback()
                (refused if getattr(error, "key", "") == "error.slot_full" else other).append(error)

    threads = [threading.Thread(target=race, args=(r,)) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert other == [] and len(made) == 3 and len(refused) == RACERS - 3
    session.expire_all()
    held = session.exec(select(Booking).where(Booking.estate_id == estate.id)).all()
    assert len(held) == 5 and len({b.staff_id for b in held}) == 5
    assert len(session.exec(select(ServiceRequest).where(ServiceRequest.estate_id == estate.id)).all()) == 5
    assert len(session.exec(select(FeeBill).where(FeeBill.estate_id == estate.id)).all()) == 5
    week = bookings.week(session, racers[0], service.id, now=NOW)
    assert next(s for d in week for s in d.slots if s.key == slot(10)).state == "full"

"""Who does a booked service: a cleaner-done service is booked from the cleaners' roster and worked in the
cleaner's own job list with the jobs system's steps; a booked job re-dispatched by the office moves its booking."""

from datetime import timedelta

import pytest
from sqlmodel import select

from estate_pwa.models import Booking, RequestStatus, Role, ServiceRequest
from estate_pwa.services import bookings, jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.bookings.conftest import SERVICE, TOMORROW, finish, on_duty, slot
from tests.unit.conftest import NOW, at, expect_refused

CLEANING = {**SERVICE, "name_zh": "家庭保洁", "name_en": "Household cleaning", "category": "housekeeping",
            "price": "45.00", "price_unit": "hour", "duration_minutes": "120", "staff_role": "cleaner"}


@pytest.fixture
def cleaners(session, factory, estate):
    """Two cleaners on the day shift on the 10th and 11th."""
    people = [factory.user(estate, Role.CLEANER, name=f"保洁{i}") for i in (1, 2)]
    for offset in (0, 1):
        for user in people:
            on_duty(session, factory, estate, user, TOMORROW - timedelta(days=1 - offset), role=Role.CLEANER)
    return [factory.actor(u) for u in people]


@pytest.fixture
def cleaning(session, boss, cleaners):
    item = bookings.save_service(session, boss, CLEANING)
    session.commit()
    return item


def _free(session, resident, item) -> dict[str, int]:
    week = bookings.week(session, resident, item.id, now=NOW)
    return {s.label: s.free for d in week if d.day == TOMORROW.isoformat() for s in d.slots}


def test_a_cleaner_done_service_is_booked_from_the_cleaners_roster(session, fresh_session, factory, estate,
                                                                  resident, neighbour, technicians, cleaners,
                                                                  cleaning):
    assert _free(session, resident, cleaning)["10:00–12:00"] == 2  # the cleaners; technicians on duty do not count
    bookings.book(session, resident, cleaning.id, slot(10), now=NOW)
    bookings.book(session, neighbour, cleaning.id, slot(10), now=NOW)
    session.commit()
    assert {b.staff_id for b in session.exec(select(Booking).where(Booking.estate_id == estate.id))} == {
        c.id for c in cleaners}
    assert _free(session, resident, cleaning)["10:00–12:00"] == 0
    third = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[2], name="业主丙"))
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.slot_full",
                   lambda: bookings.book(session, third, cleaning.id, slot(10), now=NOW))


def test_the_cleaner_works_the_booking_in_their_own_job_list(session, boss, resident, technicians, cleaners,
                                                            cleaning):
    booking = bookings.book(session, resident, cleaning.id, slot(10), note="两室一厅", now=NOW)
    session.commit()
    cleaner = next(c for c in cleaners if c.id == booking.staff_id)
    mine, pool = jobs.technician_rows(session, cleaner, NOW)
    assert [r.id for r in mine] == [booking.request_id] and pool == []
    assert (mine[0].kind, mine[0].actions) == ("booked", ["accept"])
    other = next(c for c in cleaners if c.id != booking.staff_id)
    assert jobs.technician_rows(session, other, NOW) == ([], [])
    with pytest.raises(NotAllowed):
        jobs.accept(session, other, booking.request_id, now=at(10, day=11))
    with pytest.raises(NotAllowed):
        jobs.accept(session, technicians[0], booking.request_id, now=at(10, day=11))
    session.rollback()

    finish(session, cleaner, booking, at(10, day=11))
    request = session.get(ServiceRequest, booking.request_id)
    assert (request.status, request.first_receiver_id, request.on_time) == (RequestStatus.COMPLETED, cleaner.id, True)
    assert jobs.technician_rows(session, cleaner, at(12, day=11)) == ([], [])
    assert bookings.my_bookings(session, resident, at(12, day=11))[0].actions == ["rate"]
    jobs.rate(session, resident, booking.request_id, True, now=at(13, day=11))
    session.commit()
    assert bookings.my_bookings(session, resident, at(13, day=11))[0].status == "closed"


def test_a_cleaner_claims_nothing_and_sees_no_pool(session, cleaners):
    with pytest.raises(NotAllowed):
        jobs.pool(session, cleaners[0], NOW)
    assert jobs.technician_rows(session, cleaners[0], NOW)[1] == []


def test_redispatching_a_booked_job_moves_its_booking(session, boss, resident, neighbour, technicians, service):
    booking = bookings.book(session, resident, service.id, slot(10), now=NOW)
    session.commit()
    first = next(t for t in technicians if t.id == booking.staff_id)
    second = next(t for t in technicians if t.id != booking.staff_id)
    [row] = bookings.day_bookings(session, boss, TOMORROW.isoformat(), now=NOW)
    assert "reassign" in row.actions and [str(second.id), second.name] in row.staff_options
    assert [str(first.id), first.name] not in row.staff_options  # the one it holds now
    assert "reassign" not in bookings.my_bookings(session, resident, NOW)[0].actions
    jobs.dispatch(session, boss, booking.request_id, second.id, now=NOW)
    session.commit()
    session.refresh(booking)
    assert booking.staff_id == second.id
    assert session.get(ServiceRequest, booking.request_id).technician_id == second.id
    assert bookings.my_bookings(session, resident, NOW)[0].staff == second.name
    assert [r.id for r in jobs.for_technician(session, second, NOW)] == [booking.request_id]
    assert jobs.for_technician(session, first, NOW) == []
    # The slot's places follow: the first technician is free again at 10:00, the second is held.
    again = bookings.book(session, neighbour, service.id, slot(10), now=NOW)
    assert again.staff_id == first.id


def test_a_booked_job_goes_only_to_someone_who_does_the_service_and_is_free(session, fresh_session, factory,
                                                                            estate, boss, resident, neighbour,
                                                                            technicians, cleaners, service):
    booking = bookings.book(session, resident, service.id, slot(10), now=NOW)
    other = bookings.book(session, neighbour, service.id, slot(10), now=NOW)
    session.commit()
    def held() -> tuple:
        return tuple(fresh_session.exec(select(Booking.staff_id).where(Booking.estate_id == estate.id)
                                        .order_by(Booking.id)))

    for person, key in ((cleaners[0].id, "error.not_service_staff"), (other.staff_id, "error.staff_busy"),
                        (technicians[0].id * 1000, "error.not_found")):
        expect_refused(fresh_session, estate.id, "request_refused", InvalidInput if key != "error.not_found"
                       else NotFound, key, lambda person=person: jobs.dispatch(
                           session, boss, booking.request_id, person, now=NOW), unchanged=held)
        session.rollback()
    spare = factory.actor(factory.user(estate, Role.TECHNICIAN, name="师傅3"))
    jobs.dispatch(session, boss, booking.request_id, spare.id, now=NOW)  # the office may send someone off the roster
    session.commit()
    session.refresh(booking)
    assert booking.staff_id == spare.id

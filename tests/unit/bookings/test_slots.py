"""Slots and their capacity from the roster; the refusals of a booking (full, past, cancelled, too soon)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from estate_pwa.models import Booking, SlotClosure
from estate_pwa.services import bookings
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.bookings.conftest import TOMORROW, on_duty, slot
from tests.unit.conftest import NOW, at, expect_refused


def _slots(session, actor, service, day=TOMORROW):
    week = bookings.week(session, actor, service.id, now=NOW)
    return {s.label: s for d in week if d.day == day.isoformat() for s in d.slots}


def test_capacity_is_qualified_staff_on_duty_minus_those_held(session, factory, estate, boss, resident, neighbour,
                                                              technicians, service):
    slots = _slots(session, resident, service)
    assert list(slots)[0] == "08:00–09:00" and list(slots)[-1] == "19:00–20:00" and len(slots) == 12
    assert (slots["10:00–11:00"].free, slots["10:00–11:00"].state, slots["10:00–11:00"].actions) == (
        2, "open", ["book"])
    bookings.book(session, resident, service.id, slot(10), now=NOW)
    session.commit()
    assert _slots(session, resident, service)["10:00–11:00"].free == 1
    bookings.book(session, neighbour, service.id, slot(10), now=NOW)
    session.commit()
    full = _slots(session, resident, service)["10:00–11:00"]
    assert (full.free, full.state, full.actions) == (0, "full", [])
    # A technician put on the roster that day adds a place; a day nobody works has none.
    on_duty(session, factory, estate, factory.user(estate, *[r for r in ("technician",)], name="师傅3"), TOMORROW)
    assert _slots(session, resident, service)["10:00–11:00"].free == 1
    empty = _slots(session, resident, service, TOMORROW + timedelta(days=3))
    assert {s.state for s in empty.values()} == {"full"}
    # Today: past and inside the lead time (4 h from 12:00).
    today = _slots(session, resident, service, TOMORROW - timedelta(days=1))
    assert today["11:00–12:00"].state == "past" and today["15:00–16:00"].state == "too_soon"
    assert today["16:00–17:00"].state == "open"


def test_staff_held_by_another_service_are_not_free(session, boss, resident, neighbour, technicians, service):
    other = bookings.save_service(session, boss, {**_fields(), "name_zh": "家电维修", "duration_minutes": "120"})
    session.commit()
    bookings.book(session, resident, other.id, slot(10), now=NOW)  # 10:00–12:00 holds one technician
    session.commit()
    slots = _slots(session, neighbour, service)
    assert slots["10:00–11:00"].free == 1 and slots["11:00–12:00"].free == 1 and slots["12:00–13:00"].free == 2


def test_a_named_person_does_it_alone(session, boss, resident, technicians):
    item = bookings.save_service(session, boss, {**_fields(), "staff_id": str(technicians[1].id)})
    session.commit()
    assert _slots(session, resident, item)["09:00–10:00"].free == 1
    booking = bookings.book(session, resident, item.id, slot(9), now=NOW)
    assert booking.staff_id == technicians[1].id


def _fields():
    from tests.unit.bookings.conftest import SERVICE
    return dict(SERVICE)


def test_bad_slots_are_refused_and_audited(session, fresh_session, factory, estate, boss, resident, neighbour,
                                           technicians, service):
    count = lambda: len(session.exec(select(Booking)).all())  # noqa: E731
    for start, key in ((at(11, day=10).isoformat(), "error.slot_past"),
                       (at(15, day=10).isoformat(), "error.slot_too_soon"),
                       (at(10, 30, day=11).isoformat(), "error.slot_invalid"),
                       (at(21, day=11).isoformat(), "error.slot_invalid"),
                       (at(10, day=28).isoformat(), "error.slot_too_far"),
                       ("2026-03-11T10:00:00", "error.bad_time"),
                       ({"$gt": 1}, "error.bad_time")):
        expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, key,
                       lambda start=start: bookings.book(session, resident, service.id, start, now=NOW),
                       unchanged=count)
    bookings.close_slot(session, boss, service.id, slot(14), "师傅培训", now=NOW)
    session.commit()
    assert _slots(session, resident, service)["14:00–15:00"].state == "closed"
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.slot_cancelled",
                   lambda: bookings.book(session, resident, service.id, slot(14), now=NOW), unchanged=count)
    bookings.book(session, resident, service.id, slot(16), now=NOW)
    session.commit()
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.already_booked",
                   lambda: bookings.book(session, resident, service.id, slot(16), now=NOW), unchanged=count)
    bookings.book(session, neighbour, service.id, slot(16), now=NOW)
    session.commit()
    third = factory.actor(factory.user(estate, "resident", unit=factory.units(estate)[2], name="业主丙"))
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.slot_full",
                   lambda: bookings.book(session, third, service.id, slot(16), now=NOW), unchanged=count)
    bookings.set_active(session, boss, service.id, False)
    session.commit()
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.service_unavailable",
                   lambda: bookings.book(session, third, service.id, slot(17), now=NOW), unchanged=count)


def test_the_office_sees_a_days_slots_closes_one_with_a_reason_and_lists_it(session, fresh_session, estate, boss,
                                                                           resident, technicians, service):
    bookings.book(session, resident, service.id, slot(10), now=NOW)
    session.commit()
    day = bookings.office_day(session, boss, service.id, TOMORROW, now=NOW)
    slots = {s.label: s for s in day.slots}
    assert (slots["10:00–11:00"].free, slots["10:00–11:00"].actions) == (1, ["close"])
    today = {s.label: s for s in bookings.office_day(session, boss, service.id, TOMORROW - timedelta(days=1),
                                                     now=NOW).slots}
    assert today["11:00–12:00"].actions == [] and today["15:00–16:00"].actions == ["close"]  # past; too soon
    closures = lambda: len(fresh_session.exec(  # noqa: E731
        select(SlotClosure).where(SlotClosure.estate_id == estate.id)).all())
    for start, reason, key in ((slot(14), "", "error.reason_required"), (slot(14), "x" * 201, "error.text_too_long"),
                               (at(11, day=10).isoformat(), "培训", "error.slot_past"),
                               (at(10, 30, day=11).isoformat(), "培训", "error.slot_invalid")):
        expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, key,
                       lambda start=start, reason=reason: bookings.close_slot(session, boss, service.id, start,
                                                                              reason, now=NOW),
                       unchanged=closures)
        session.rollback()
    bookings.close_slot(session, boss, service.id, slot(10), "师傅培训", now=NOW)
    session.commit()
    closed = {s.label: s for s in bookings.office_day(session, boss, service.id, TOMORROW, now=NOW).slots}
    assert (closed["10:00–11:00"].state, closed["10:00–11:00"].reason, closed["10:00–11:00"].actions) == (
        "closed", "师傅培训", [])
    [row] = bookings.closed_slots(session, boss, now=NOW)
    assert (row.service_zh, row.when, row.reason, row.closed_by) == ("空调清洗", "03-11 10:00–11:00", "师傅培训",
                                                                     "经理")
    assert bookings.closed_slots(session, boss, now=at(11, day=11)) == []
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.slot_cancelled",
                   lambda: bookings.close_slot(session, boss, service.id, slot(10), "又一次", now=NOW),
                   unchanged=closures)
    for who in (None, resident, technicians[0]):
        with pytest.raises(NotAllowed):
            bookings.office_day(session, who, service.id, TOMORROW, now=NOW)
        with pytest.raises(NotAllowed):
            bookings.closed_slots(session, who, now=NOW)


def test_the_office_reopens_a_closed_slot_still_to_come_and_residents_can_book_it(session, fresh_session, factory,
                                                                                 estate, boss, resident,
                                                                                 technicians, service):
    closure = bookings.close_slot(session, boss, service.id, slot(14), "师傅培训", now=NOW)
    session.commit()
    closures = lambda: len(fresh_session.exec(  # noqa: E731
        select(SlotClosure).where(SlotClosure.estate_id == estate.id)).all())
    other_estate = factory.estate()
    other_boss = factory.actor(factory.user(other_estate, "manager", name="别处经理"))
    for hostile in (-1, "x", {"$gt": 0}, 10**30, None):
        expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.bad_request",
                       lambda hostile=hostile: bookings.reopen_slot(session, boss, hostile, now=NOW),
                       unchanged=closures)
        session.rollback()
    with pytest.raises(NotFound):
        bookings.reopen_slot(session, other_boss, closure.id, now=NOW)  # not theirs: as if it did not exist
    session.rollback()
    for who in (None, resident, technicians[0]):
        with pytest.raises(NotAllowed):
            bookings.reopen_slot(session, who, closure.id, now=NOW)
        session.rollback()
    expect_refused(fresh_session, estate.id, "booking_refused", InvalidInput, "error.slot_past",
                   lambda: bookings.reopen_slot(session, boss, closure.id, now=at(15, day=11)), unchanged=closures)
    session.rollback()
    assert closures() == 1

    bookings.reopen_slot(session, boss, closure.id, now=NOW)
    session.commit()
    assert closures() == 0 and bookings.closed_slots(session, boss, now=NOW) == []
    assert _slots(session, resident, service)["14:00–15:00"].state == "open"
    bookings.book(session, resident, service.id, slot(14), now=NOW)
    session.commit()

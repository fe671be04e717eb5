"""The service catalogue: managers edit it; the price list is public (明码标价)."""

from decimal import Decimal

import pytest

from estate_pwa.models import Role, ServiceItem
from estate_pwa.services import bookings
from estate_pwa.services.errors import InvalidInput, NotAllowed
from tests.unit.conftest import expect_refused

CLEANING = {"name_zh": "家政保洁", "name_en": "Home cleaning", "category": "housekeeping", "special": "on",
            "price": "50.00", "price_unit": "hour", "description_zh": "两小时起"}


def test_manager_keeps_the_catalogue(session, fresh_session, boss, estate):
    item = bookings.save_service(session, boss, CLEANING)
    session.commit()
    assert fresh_session.get(ServiceItem, item.id).price == Decimal("50.00")
    bookings.save_service(session, boss, {**CLEANING, "price": "55.5"}, item.id)
    bookings.save_service(session, boss, {"name_zh": "公共区域保洁", "category": "public"})
    session.commit()
    rows = bookings.catalogue(session, boss)
    assert [(r.name_zh, r.price, r.special, r.actions) for r in rows] == [
        ("家政保洁", "55.50", True, ["edit", "deactivate"]), ("公共区域保洁", "", False, ["edit", "deactivate"])]
    expect_refused(fresh_session, estate.id, "service_refused", InvalidInput, "error.money_zero",
                   lambda: bookings.save_service(session, boss, {**CLEANING, "price": "0"}))
    expect_refused(fresh_session, estate.id, "service_refused", InvalidInput, "error.service_name_required",
                   lambda: bookings.save_service(session, boss, {**CLEANING, "name_zh": " "}))


def test_public_price_list_shows_active_services_without_login(session, boss, estate):
    kept = bookings.save_service(session, boss, CLEANING)
    gone = bookings.save_service(session, boss, {**CLEANING, "name_zh": "旧服务"})
    bookings.set_active(session, boss, gone.id, False)
    session.commit()
    board = bookings.price_list(session, estate.code)
    assert board.estate == estate.name and [r.id for r in board.special] == [kept.id]
    assert board.special[0].actions == []
    assert bookings.price_list(session, "no-such-estate").special == []


def test_only_managers_edit(session, factory, estate, boss):
    resident = factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0]))
    for actor in (None, resident):
        with pytest.raises(NotAllowed):
            bookings.save_service(session, actor, CLEANING)
        with pytest.raises(NotAllowed):
            bookings.catalogue(session, actor)


def test_booking_fields_duration_lead_rule_and_who(session, fresh_session, factory, estate, boss):
    technician = factory.user(estate, Role.TECHNICIAN, name="师傅")
    cleaner = factory.user(estate, Role.CLEANER, name="保洁")
    item = bookings.save_service(session, boss, {
        **CLEANING, "price_unit": "m2", "duration_minutes": "90", "lead_hours": "6", "free_cancel_hours": "12",
        "cancel_fee": "20", "staff_role": "technician", "staff_id": str(technician.id)})
    session.commit()
    stored = fresh_session.get(ServiceItem, item.id)
    assert (stored.duration_minutes, stored.lead_hours, stored.free_cancel_hours, stored.cancel_fee,
            stored.staff_role, stored.staff_id, stored.price_unit) == (
        90, 6, 12, Decimal("20.00"), "technician", technician.id, "m2")
    row = bookings.catalogue(session, boss)[0]
    assert (row.bookable, row.staff_name, row.cancel_fee) == (True, "师傅", "20.00")
    for fields, key in (({"duration_minutes": "5"}, "error.service_duration"),
                        ({"lead_hours": "-1"}, "error.service_hours"),
                        ({"cancel_fee": "80", "price_unit": "visit"}, "error.cancel_fee_over_price"),
                        ({"staff_role": "accountant"}, "error.service_staff"),
                        ({"staff_role": "technician", "staff_id": str(cleaner.id)}, "error.service_staff")):
        expect_refused(fresh_session, estate.id, "service_refused", InvalidInput, key,
                       lambda fields=fields: bookings.save_service(session, boss, {**CLEANING, **fields}))
    nobody = bookings.save_service(session, boss, {**CLEANING, "name_zh": "无人做"})
    assert not bookings.bookable(nobody)


def test_price_board_pdf_is_public(session, boss, estate):
    from estate_pwa.services.files import build_download

    bookings.save_service(session, boss, CLEANING)
    session.commit()
    link = bookings.board_link(estate.code, "zh")
    assert link.startswith("/files/")
    file = build_download(session, link.removeprefix("/files/"))
    assert file.media_type == "application/pdf" and file.content.startswith(b"%PDF")
    with pytest.raises(Exception):
        build_download(session, link.removeprefix("/files/")[:-2] + "xx")

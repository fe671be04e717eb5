"""Adding and correcting one asset through the manager's form: the same rules as a spreadsheet row (each bad row of
the import's test is refused with the same reason, audited, nothing written), the form's lists, and its values
reading back unchanged."""

from datetime import date
from decimal import Decimal

import pytest

from estate_pwa.models import Role
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.facilities import add_asset, form_choices, record, update_asset
from tests.unit.conftest import audit_entries, expect_refused
from tests.unit.facilities.test_spreadsheets import BAD, GOOD, HEADER, REASONS, assets

FORM_CASES = [(row, reason) for row, reason in zip(BAD, REASONS, strict=True)
              if reason != "error.import_duplicate_code"]  # a file's own duplicate: the form's is a taken code


def form(row) -> dict:
    return {name: "" if cell is None else str(cell) for name, cell in zip(HEADER, row, strict=True)}


@pytest.mark.parametrize(("row", "reason"), FORM_CASES, ids=[r[0] for r, _ in FORM_CASES])
def test_the_form_refuses_what_the_import_refuses(session, fresh_session, estate, boss, row, reason):
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, reason,
                   lambda: add_asset(session, boss, form(row)), unchanged=lambda: assets(fresh_session, estate))


def test_add_then_correct_an_asset(session, fresh_session, estate, boss):
    extinguisher = add_asset(session, boss, form(GOOD[2]))
    session.commit()
    shown = record(session, boss, extinguisher.id)
    assert shown.values == {"code": "F-1", "category": "fire_equipment", "subkind": "extinguisher",
                            "name": "1栋1层灭火器", "location": "1栋大堂", "building": "1栋", "quantity": "1",
                            "grade": "", "expires_on": "2027-05-31", "contractor": "", "note": ""}
    update_asset(session, boss, extinguisher.id, shown.values)  # the form sent back as it was changes nothing
    corrected = update_asset(session, boss, extinguisher.id, {**shown.values, "name": "1栋大堂灭火器",
                                                              "expires_on": "2027-11-30", "building": ""})
    session.commit()
    assert (corrected.name, corrected.expires_on, corrected.building_id, corrected.quantity) == (
        "1栋大堂灭火器", date(2027, 11, 30), None, Decimal("1.00"))
    assert [e.detail["before"]["code"] for e in audit_entries(fresh_session, estate.id, "asset_updated")] == [
        "F-1", "F-1"]
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_code_taken",
                   lambda: add_asset(session, boss, {**shown.values, "name": "另一个"}))
    road = add_asset(session, boss, form(GOOD[1]))
    session.commit()
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_code_taken",
                   lambda: update_asset(session, boss, road.id, {**form(GOOD[1]), "code": "F-1"}))
    expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_expiry_fire_only",
                   lambda: update_asset(session, boss, road.id, {**form(GOOD[1]), "expires_on": "2027-01-01"}))
    assert record(session, boss, road.id).values["quantity"] == "1250.5"


def test_the_form_lists_and_who_may_use_the_form(session, fresh_session, estate, boss, factory):
    choices = form_choices(session, boss, "well")
    assert (choices.category, choices.kinds, choices.buildings) == (
        "well", ["septic_tank", "rain_well", "sewage_well", "sand_well"], ["1栋"])
    assert form_choices(session, boss).kinds == []
    for bad in ("spaceship", ["well"], None, 7):
        expect_refused(fresh_session, estate.id, "facilities_refused", InvalidInput, "error.asset_category_invalid",
                       lambda bad=bad: form_choices(session, boss, bad))
    tech = factory.actor(factory.user(estate, Role.TECHNICIAN))
    lamp = add_asset(session, boss, form(["L-1", "street_light", "street_light", "路灯", "", None, 1, None, None,
                                          None, None]))
    session.commit()
    for call in (lambda: form_choices(session, tech, "well"), lambda: add_asset(session, tech, form(GOOD[0])),
                 lambda: update_asset(session, tech, lamp.id, {**form(GOOD[0]), "code": "L-1"})):
        expect_refused(fresh_session, estate.id, "facilities_refused", NotAllowed, "error.not_allowed", call,
                       unchanged=lambda: assets(fresh_session, estate))
    assert record(session, tech, lamp.id).values == {}  # staff read the record, only managers get the form

"""Posted codes: one live code per place, resolved from the token or the printed URL, refused when forged or
revoked; a reprint after revoking issues a new code; the cleaner's presence scan reads the same code."""

import pytest
from sqlmodel import select

from estate_pwa.core import tokens
from estate_pwa.models import PlaceKind, PostedCode, Role
from estate_pwa.services import cleaning
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from estate_pwa.services.reports import codes, sheet
from tests.unit.conftest import NOW, audit_entries, expect_refused
from tests.unit.reports.conftest import token_of


def test_a_place_has_one_live_code_that_resolves_from_its_token_or_url(session, lobby, car_park):
    first = codes.current_code(session, PlaceKind.AREA, lobby.id, lobby.estate_id)
    again = codes.current_code(session, PlaceKind.AREA, lobby.id, lobby.estate_id)
    other = codes.current_code(session, PlaceKind.AREA, car_park.id, car_park.estate_id)
    assert first.id == again.id != other.id
    token = codes.token_for(first)
    url = codes.code_url("https://wy.example.cn/", first)
    assert url == f"https://wy.example.cn/report/{token}"
    expected = codes.Place("area", lobby.id, lobby.estate_id, first.id)
    assert codes.resolve(session, token) == expected
    assert codes.resolve(session, url + "?from=poster#x") == expected
    assert cleaning.rules.area_of_code(session, url) == (lobby.estate_id, lobby.id)


@pytest.mark.parametrize("forged", ["", "abc", "forged.code", None, 42, "x" * 700,
                                    tokens.sign("patrol-point", "1:1:1"), tokens.sign("posted-code", "c999999"),
                                    tokens.sign("posted-code", "1")])
def test_forged_malformed_and_foreign_codes_are_refused(session, lobby, forged):
    with pytest.raises(InvalidInput) as refused:
        codes.resolve(session, forged)
    assert refused.value.key == "error.code_invalid"


def test_a_revoked_code_is_refused_and_a_reprint_issues_a_new_one(session, boss, lobby, fresh_session, estate):
    old = token_of(session, PlaceKind.AREA, lobby)
    revoked = codes.revoke(session, boss, "area", lobby.id, now=NOW)
    session.commit()
    assert revoked.revoked_by_id == boss.id and revoked.revoked_at == NOW
    with pytest.raises(InvalidInput) as refused:
        codes.resolve(session, old)
    assert refused.value.key == "error.code_revoked"
    with pytest.raises(InvalidInput) as refused:  # the cleaner's scan of the old code is no presence
        cleaning.rules.area_of_code(session, old)
    assert refused.value.key == "error.qr_invalid"
    new = token_of(session, PlaceKind.AREA, lobby)
    assert new != old and codes.resolve(session, new).id == lobby.id
    assert len(fresh_session.exec(select(PostedCode).where(PostedCode.place_id == lobby.id)).all()) == 2
    assert len(audit_entries(fresh_session, estate.id, "posted_code_revoked")) == 1
    assert codes.revoke(session, boss, "area", lobby.id) is not None  # the reprinted one can be revoked too


def test_only_a_manager_of_the_estate_revokes(session, factory, estate, lobby, lobby_code, fresh_session):
    cleaner = factory.actor(factory.user(estate, Role.CLEANER))
    other = factory.actor(factory.user(factory.estate(), Role.MANAGER))
    manager = factory.actor(factory.user(estate, Role.MANAGER))
    expect_refused(fresh_session, estate.id, "report_refused", NotAllowed, "error.not_allowed",
                   lambda: codes.revoke(session, cleaner, "area", lobby.id))
    with pytest.raises(NotAllowed):
        codes.revoke(session, None, "area", lobby.id)
    with pytest.raises(NotFound):
        codes.revoke(session, other, "area", lobby.id)
    for kind, place in (("unit", lobby.id), ("area", "1; drop"), ("area", -1), ({"k": 1}, lobby.id)):
        with pytest.raises(InvalidInput):
            codes.revoke(session, manager, kind, place)
    assert codes.resolve(session, lobby_code).id == lobby.id


def test_asset_codes_resolve_to_the_asset(session, extinguisher):
    token = token_of(session, PlaceKind.ASSET, extinguisher)
    place = codes.resolve(session, token)
    assert (place.kind, place.id) == ("asset", extinguisher.id)
    with pytest.raises(InvalidInput):  # an asset's code is no presence in an area
        cleaning.rules.area_of_code(session, token)


def test_the_code_sheets_are_pdfs_for_managers_only(session, boss, lobby, car_park, extinguisher, cleaner):
    pdf = sheet.area_sheet_pdf(session, boss, "https://wy.example.cn")
    assert pdf.startswith(b"%PDF-")
    assert sheet.asset_sheet_pdf(session, boss, "https://wy.example.cn").startswith(b"%PDF-")
    assert codes.current_code(session, PlaceKind.AREA, car_park.id, car_park.estate_id).id  # issued by printing
    with pytest.raises(NotAllowed):
        sheet.area_sheet_pdf(session, cleaner, "https://wy.example.cn")
    with pytest.raises(InvalidInput):
        sheet.area_sheet_pdf(session, boss, "javascript:alert(1)")

"""An estate with two areas, a responsible cleaner for the lobby, and an asset of the register."""

from decimal import Decimal

import pytest

from estate_pwa.models import Asset, PlaceKind
from estate_pwa.services import cleaning
from estate_pwa.services.reports import codes
from tests.unit.conftest import NOW


@pytest.fixture
def responsible(session, boss, lobby, cleaner):
    """The cleaner is responsible for the lobby since before NOW."""
    cleaning.assign(session, boss, lobby.id, cleaner.id, now=NOW.replace(hour=0))
    session.commit()
    return cleaner


@pytest.fixture
def extinguisher(session, estate):
    asset = Asset(estate_id=estate.id, code="XF-001", category="fire_equipment", subkind="extinguisher",
                  name="灭火器", location="1栋大堂", measure="count", quantity=Decimal(1),
                  created_at=NOW.replace(hour=0))
    session.add(asset)
    session.commit()
    return asset


def token_of(session, kind, place) -> str:
    token = codes.token_for(codes.current_code(session, kind, place.id, place.estate_id))
    session.commit()
    return token


@pytest.fixture
def lobby_code(session, lobby):
    return token_of(session, PlaceKind.AREA, lobby)

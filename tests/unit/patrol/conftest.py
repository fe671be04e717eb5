"""Helpers and fixtures of the patrol tests: a signing secret, checkpoints A, B, C about 111 m apart, a day route,
its rounds with the guard on duty, scans committed like a handler's, and the refusal check for scans and starts."""

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from estate_pwa.core import tokens
from estate_pwa.models import Area, PatrolRound, PatrolScan, ScanOutcome
from estate_pwa.services import patrol, roster
from tests.unit.conftest import at, expect_refused

DAY = date(2026, 3, 10)  # NOW is 12:00 local on this day: inside the day shift (08–20)
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
# Three checkpoints about 111 m apart in a line (0.001° of latitude): walking needs 44.5 s between neighbours.
A_POS, B_POS, C_POS = (31.2300, 121.4700), (31.2310, 121.4700), (31.2320, 121.4700)
SECRET = "patrol-tests-secret-0123456789"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv(tokens.SECRET_ENV, SECRET)


# Helpers

def uid() -> str:
    return uuid.uuid4().hex


_OWN_CODE = object()


def scan(session, guard, point, now, scan_uid=None, client_time=None, token=_OWN_CODE):
    """One scan sent at server time `now` (the phone's clock agreeing unless told), committed like a handler."""
    token = patrol.point_token(point) if token is _OWN_CODE else token
    result = patrol.record_scan(session, guard, token, scan_uid or uid(),
                                now if client_time is None else client_time, now=now)
    session.commit()
    return result


def scans(fresh, estate_id, outcome=None) -> list[PatrolScan]:
    fresh.expire_all()
    query = select(PatrolScan).where(PatrolScan.estate_id == estate_id)
    if outcome is not None:
        query = query.where(PatrolScan.outcome == outcome)
    return list(fresh.exec(query.order_by(PatrolScan.id)))


def stored_round(fresh, round_id) -> PatrolRound:
    fresh.expire_all()
    return fresh.get(PatrolRound, round_id)


def refused(fresh, estate_id, error_type, key, call, action="scan_refused"):
    """Run `call`, expect `error_type(key)`, one new audit entry `action` with the reason, and no new counted scan."""
    return expect_refused(fresh, estate_id, action, error_type, key, call,
                          unchanged=lambda: len(scans(fresh, estate_id, ScanOutcome.COUNTED)))


def put_on_duty(session, boss, factory, estate, user, shift="白班", day=DAY, role="guard"):
    roster.assign(session, boss, user.id, factory.shifts(estate)[shift].id, day, role)
    session.commit()


def make_area(session, estate, name="小区大门", building_id=None) -> Area:
    area = Area(estate_id=estate.id, name=name, kind="gate", building_id=building_id)
    session.add(area)
    session.commit()
    return area


def make_points(session, boss, area, *positions, prefix="点", names=None, location="路边"):
    """Checkpoints in `area`: one per position ((lat, lon) or None), named prefix1, prefix2 …; or one per name."""
    made = []
    for i, pos in enumerate(positions):
        lat, lon = pos if pos else (None, None)
        made.append(patrol.create_point(session, boss, area.id, f"{prefix}{i + 1}", location, lat, lon))
    made += [patrol.create_point(session, boss, area.id, name, location) for name in names or ()]
    session.commit()
    return made


def make_route(session, boss, points, name="日巡", starts="08:00", ends="20:00", every=60, expected=30, grace=10,
               strict=False):
    route = patrol.create_route(session, boss, name, [p.id for p in points], starts, ends, every, expected, grace,
                                strict)
    session.commit()
    return route


def round_at(session, route, start) -> PatrolRound:
    return session.exec(select(PatrolRound).where(PatrolRound.route_id == route.id,
                                                  PatrolRound.window_start == start)).one()


# Fixtures

@pytest.fixture
def area(session, estate):
    return make_area(session, estate)


@pytest.fixture
def abc(session, boss, area):
    """Checkpoints A, B, C with coordinates, about 111 m apart in a line."""
    return make_points(session, boss, area, A_POS, B_POS, C_POS)


@pytest.fixture
def route(session, boss, abc):
    """08:00–20:00 every hour; a round takes 30 minutes plus 10 minutes' grace."""
    return make_route(session, boss, abc)


@pytest.fixture
def day_rounds(session, factory, estate, boss, guard_user, route):
    """The guard is on the day shift and the day's rounds exist; returns the 12:00 round."""
    put_on_duty(session, boss, factory, estate, guard_user)
    patrol.generate_rounds(session, estate.id, at(0), at(0, day=11), now=at(7))
    session.commit()
    return round_at(session, route, at(12))


@pytest.fixture
def started(session, guard, day_rounds):
    """The 12:00 round, started by its guard at 12:00."""
    patrol.start_round(session, guard, day_rounds.id, now=at(12))
    session.commit()
    return day_rounds

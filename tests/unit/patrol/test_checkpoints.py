"""Checkpoints and routes (managers): creating them, their codes and URLs, and what is refused."""

from datetime import time

import pytest
from sqlmodel import select

from estate_pwa.models import Estate, PatrolPoint, PatrolRoute, Role, RouteStop
from estate_pwa.services import patrol
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.conftest import at, audit_entries
from tests.unit.patrol.conftest import DAY, make_area, make_points


# Manager: checkpoints and routes

def test_create_point_and_its_url(session, fresh_session, estate, boss, area):
    point = patrol.create_point(session, boss, area.id, "  东门岗亭 ", "东门外侧", "31.23", 121.47)
    session.commit()
    stored = fresh_session.get(PatrolPoint, point.id)
    assert (stored.name, stored.location_text, stored.latitude, stored.longitude, stored.code_version,
            stored.active) == ("东门岗亭", "东门外侧", 31.23, 121.47, 1, True)
    url = patrol.point_url("https://estate.example/", point)
    assert url == f"https://estate.example/p/{patrol.point_token(point)}"
    assert patrol.resolve_point(session, url.rsplit("/", 1)[1]).id == point.id
    assert [e.target_id for e in audit_entries(fresh_session, estate.id, "patrol_point_created")] == [point.id]
    assert [p.id for p in patrol.points(session, boss)] == [point.id]


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (31.2, None), (None, 121.4), ("north", 1), (True, 1),
                                      (float("nan"), 1), (float("inf"), 1), ({}, 1)])
def test_create_point_refuses_bad_coordinates(session, boss, area, lat, lon):
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "岗亭", "", lat, lon)
    assert info.value.key == "error.bad_coordinates"
    session.rollback()


def test_create_point_refuses_bad_names_and_other_estates_areas(session, factory, boss, area):
    for bad in ("", "   ", None, 3):
        with pytest.raises(InvalidInput) as info:
            patrol.create_point(session, boss, area.id, bad)
        assert info.value.key == "error.point_name_required"
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "x" * 101)
    assert info.value.key == "error.text_too_long"
    with pytest.raises(InvalidInput) as info:
        patrol.create_point(session, boss, area.id, "岗亭", "y" * 201)
    assert info.value.key == "error.text_too_long"
    with pytest.raises(InvalidInput):
        patrol.create_point(session, boss, area.id, "岗\u0000亭")
    for no_area in (None, ""):
        with pytest.raises(InvalidInput) as info:
            patrol.create_point(session, boss, no_area, "岗亭")
        assert info.value.key == "error.area_required"
    other = factory.estate()
    with pytest.raises(NotFound):
        patrol.create_point(session, boss, make_area(session, other).id, "岗亭")
    session.rollback()


def test_only_managers_manage_patrols(session, factory, estate, guard, area, abc, route):
    for call in (lambda: patrol.create_point(session, guard, area.id, "岗亭"),
                 lambda: patrol.create_route(session, guard, "新线", [abc[0].id], "08:00", "09:00", 60, 30),
                 lambda: patrol.reissue_code(session, guard, abc[0].id),
                 lambda: patrol.board(session, guard, DAY, now=NOW),
                 lambda: patrol.history(session, guard, at(0), at(0, day=11), now=NOW),
                 lambda: patrol.csv_export(session, guard, at(0), at(0, day=11), now=NOW),
                 lambda: patrol.points(session, guard), lambda: patrol.routes(session, guard)):
        with pytest.raises(NotAllowed) as info:
            call()
        assert info.value.key == "error.not_allowed"


def test_create_route_keeps_the_order(session, fresh_session, estate, boss, abc):
    a, b, c = abc
    route = patrol.create_route(session, boss, "反向", [c.id, str(a.id), b.id], "20:00", time(6), "120", 30, 15, True)
    session.commit()
    stored = fresh_session.get(PatrolRoute, route.id)
    assert (stored.starts, stored.ends, stored.every_minutes, stored.expected_minutes, stored.grace_minutes,
            stored.strict_order) == (time(20), time(6), 120, 30, 15, True)
    assert [p.id for p in patrol.route_points(fresh_session, route.id)] == [c.id, a.id, b.id]
    assert [s.position for s in fresh_session.exec(select(RouteStop).where(RouteStop.route_id == route.id)
                                                   .order_by(RouteStop.position))] == [0, 1, 2]
    assert [r.name for r in patrol.routes(session, boss)] == ["反向"]


def test_create_route_refusals(session, factory, boss, abc, route):
    a, b, _ = abc
    other = factory.estate()
    other_boss = factory.actor(factory.user(other, Role.MANAGER))
    (foreign,) = make_points(session, other_boss, make_area(session, other), None)
    retired = make_points(session, boss, make_area(session, session.get(Estate, abc[0].estate_id)),
                          None, prefix="旧")[0]
    retired.active = False
    session.add(retired)
    session.commit()
    cases = [
        ((route.name, [a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_name_taken"),
        (("", [a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_name_required"),
        (("新线", [], "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", a.id, "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", [a.id] * 51, "08:00", "20:00", 60, 30), InvalidInput, "error.route_points_required"),
        (("新线", [a.id, b.id, a.id], "08:00", "20:00", 60, 30), InvalidInput, "error.route_point_repeated"),
        (("新线", [a.id, foreign.id], "08:00", "20:00", 60, 30), NotFound, "error.not_found"),
        (("新线", [a.id, retired.id], "08:00", "20:00", 60, 30), InvalidInput, "error.point_inactive"),
        (("新线", [a.id], "8点", "20:00", 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "24:00", "20:00", 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", None, 60, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 4, 4), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 60, 61), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", 60, 0), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", True, 30), InvalidInput, "error.bad_schedule"),
        (("新线", [a.id], "08:00", "20:00", "sixty", 30), InvalidInput, "error.bad_schedule"),
    ]
    for args, error_type, key in cases:
        with pytest.raises(error_type) as info:
            patrol.create_route(session, boss, *args)
        assert info.value.key == key, args
        session.rollback()
    with pytest.raises(InvalidInput) as info:
        patrol.create_route(session, boss, "新线", [a.id], "08:00", "20:00", 60, 30, 241)
    assert info.value.key == "error.bad_schedule"
    with pytest.raises(InvalidInput) as info:
        patrol.create_route(session, boss, "新线", [a.id], "08:00", "20:00", 60, 30, 10, "yes")
    assert info.value.key == "error.bad_request"
    session.rollback()

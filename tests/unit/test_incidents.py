"""Incidents and SOS alerts: reporting (category, text, checkpoint, photos, round), the manager's list and closing,
the guard's own list, raising SOS (duplicate window), acknowledging, the polling tallies, refusals and estate
isolation."""

from datetime import time, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from estate_pwa.models import (
    Area, Incident, IncidentPhoto, IncidentStatus, PatrolPoint, PatrolRound, PatrolRoute, Role, RoundStatus, SosAlert,
)
from estate_pwa.services import incidents
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW, audit_entries, expect_refused

SEC = timedelta(seconds=1)
PHOTO = "incidents/" + "a" * 32 + ".jpg"


# Helpers

entries = audit_entries


def stored(fresh, estate_id) -> dict:
    """Every incident, photo and SOS alert of an estate as committed."""
    fresh.expire_all()
    return {model.__name__: [r.model_dump() for r in fresh.exec(
        select(model).where(model.estate_id == estate_id).order_by(model.id))]
        for model in (Incident, IncidentPhoto, SosAlert)}


def refused(fresh, estate_id, action, error_type, key, call, target_id=None):
    """Run `call`: expect `error_type(key)`, nothing stored changed and one new `action` audit entry."""
    return expect_refused(fresh, estate_id, action, error_type, key, call, target_id=target_id,
                          unchanged=lambda: stored(fresh, estate_id))


def report(session, actor, category="security", text="北门有人翻墙", point=None, photos=(), now=NOW):
    incident = incidents.report_incident(session, actor, category, text, point.id if point else None, photos,
                                         now=now)
    session.commit()
    return incident


def sos(session, guard, now=NOW, point=None):
    alert = incidents.raise_sos(session, guard, point.id if point else None, now=now)
    session.commit()
    return alert


def make_point(session, estate, name="北门", active=True) -> PatrolPoint:
    area = Area(estate_id=estate.id, name=f"{name}区域", kind="gate")
    session.add(area)
    session.flush()
    point = PatrolPoint(estate_id=estate.id, area_id=area.id, name=name, active=active)
    session.add(point)
    session.commit()
    return point


def round_in_progress(session, estate, guard) -> PatrolRound:
    route = PatrolRoute(estate_id=estate.id, name=f"夜巡{guard.id}", expected_minutes=30, grace_minutes=10,
                        starts=time(8), ends=time(20), every_minutes=60)
    session.add(route)
    session.flush()
    patrol_round = PatrolRound(estate_id=estate.id, route_id=route.id, guard_id=guard.id, window_start=NOW,
                               window_end=NOW + timedelta(minutes=30), grace_end=NOW + timedelta(minutes=40),
                               status=RoundStatus.IN_PROGRESS, started_at=NOW)
    session.add(patrol_round)
    session.commit()
    return patrol_round


# Fixtures

@pytest.fixture
def point(session, estate):
    return make_point(session, estate)


@pytest.fixture
def other_estate(factory):
    return factory.estate()


@pytest.fixture
def other_boss(factory, other_estate):
    return factory.actor(factory.user(other_estate, Role.MANAGER, name="别家经理"))


@pytest.fixture
def other_guard(factory, other_estate):
    return factory.actor(factory.user(other_estate, Role.GUARD, name="别家保安"))


@pytest.fixture
def outsider(request, factory, estate):
    """Someone of the estate who is not a guard or manager (a cleaner, technician or resident)."""
    unit = factory.units(estate)[0] if request.param == Role.RESIDENT else None
    return factory.actor(factory.user(estate, request.param, unit=unit))


OUTSIDERS = [Role.CLEANER, Role.TECHNICIAN, Role.RESIDENT]


# Reporting

def test_a_guard_reports_at_a_checkpoint_with_photos_during_their_round(session, fresh_session, estate, guard,
                                                                        point):
    patrol_round = round_in_progress(session, estate, guard)
    incident = report(session, guard, "fire_alarm", "  3栋地下车库烟感报警  ", point, [PHOTO])
    saved = stored(fresh_session, estate.id)
    [row] = saved["Incident"]
    assert row | {"id": None} == {
        "id": None, "estate_id": estate.id, "created_at": NOW, "reporter_id": guard.id, "category": "fire_alarm",
        "text": "3栋地下车库烟感报警", "point_id": point.id, "round_id": patrol_round.id, "status": "open",
        "closed_by_id": None, "closed_at": None, "closing_note": None, "actual_fire": False, "major_crime": False,
    }
    assert [(p["incident_id"], p["file"], p["uploaded_by_id"]) for p in saved["IncidentPhoto"]] == [
        (incident.id, PHOTO, guard.id)]
    [logged] = entries(fresh_session, estate.id, "incident_reported")
    assert (logged.actor_id, logged.target_type, logged.target_id) == (guard.id, "incident", incident.id)
    assert logged.detail == {"category": "fire_alarm", "point": point.id, "photos": 1}


@pytest.mark.parametrize("category", ["security", "fire_alarm", "violation", "facility_damage", "other"])
def test_every_category_can_be_reported_without_a_checkpoint(session, guard, category):
    incident = report(session, guard, category, point=None)
    assert (incident.category, incident.point_id, incident.round_id) == (category, None, None)


def test_a_manager_may_record_an_incident(session, boss, point):
    incident = report(session, boss, "violation", "2栋楼道堆放杂物", point)
    assert (incident.reporter_id, incident.point_id, incident.round_id) == (boss.id, point.id, None)


def test_text_of_exactly_1000_characters_is_kept(session, guard):
    assert len(report(session, guard, text="字" * 1000).text) == 1000


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_only_guards_and_managers_report(session, fresh_session, estate, outsider):
    refused(fresh_session, estate.id, "incident_refused", NotAllowed, "error.not_allowed",
            lambda: report(session, outsider))


def test_reporting_needs_a_login(session, fresh_session, estate):
    logged = len(entries(fresh_session, estate.id, "incident_refused"))
    with pytest.raises(NotAllowed) as info:
        report(session, None)
    assert info.value.key == "error.login_required"
    assert len(entries(fresh_session, estate.id, "incident_refused")) == logged


@pytest.mark.parametrize("category", ["fire", "", None, 5, ["security"], "SECURITY", "security "])
def test_bad_categories_are_refused(session, fresh_session, estate, guard, category):
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.incident_category",
            lambda: report(session, guard, category))


@pytest.mark.parametrize("text", ["", "   \n", None, 12, ["x"], {"$ne": ""}])
def test_empty_or_non_text_descriptions_are_refused(session, fresh_session, estate, guard, text):
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.description_required",
            lambda: report(session, guard, text=text))


def test_oversized_text_is_refused(session, fresh_session, estate, guard):
    error = refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.text_too_long",
                    lambda: report(session, guard, text="字" * 1001))
    assert error.params == {"limit": 1000}


def test_a_checkpoint_of_another_estate_or_retired_is_refused(session, fresh_session, estate, other_estate, guard):
    foreign = make_point(session, other_estate, "别家大门")
    retired = make_point(session, estate, "旧岗亭", active=False)
    for point in (foreign, retired):
        refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.point_unknown",
                lambda: report(session, guard, point=point))


@pytest.mark.parametrize("point_id, key", [(2**31 - 2, "error.point_unknown"), ("abc", "error.bad_request"),
                                           (-1, "error.bad_request"), (True, "error.bad_request"),
                                           ({"id": 1}, "error.bad_request")])
def test_bad_checkpoint_ids_are_refused(session, fresh_session, estate, guard, point_id, key):
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, key,
            lambda: incidents.report_incident(session, guard, "security", "翻墙", point_id, now=NOW))


@pytest.mark.parametrize("photos", [["../../etc/passwd"], [PHOTO + "x"], ["requests/" + "a" * 32 + ".jpg"],
                                    PHOTO, [5], [None], {"a": PHOTO}])
def test_photo_names_not_made_by_the_media_store_are_refused(session, fresh_session, estate, guard, photos):
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.bad_request",
            lambda: report(session, guard, photos=photos))


def test_at_most_three_photos(session, fresh_session, estate, guard):
    names = [f"incidents/{i:032x}.jpg" for i in range(incidents.MAX_PHOTOS + 1)]
    error = refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.too_many_photos",
                    lambda: report(session, guard, photos=names))
    assert error.params == {"limit": 3}
    report(session, guard, photos=names[:3])
    assert len(stored(fresh_session, estate.id)["IncidentPhoto"]) == 3


# Lists

def test_managers_see_their_estates_open_incidents_newest_first(session, estate, boss, guard, point, other_guard):
    first = report(session, guard, "security", "翻墙", point, [PHOTO])
    second = report(session, guard, "other", "路灯不亮", now=NOW + SEC)
    closed = report(session, guard, "violation", "乱停车", now=NOW + 2 * SEC)
    incidents.close_incident(session, boss, closed.id, "已贴条", now=NOW + 3 * SEC)
    report(session, other_guard, "security", "别家的事")
    views = incidents.open_incidents(session, boss)
    assert [(v.incident.id, v.reporter_name, v.point_name, v.photos) for v in views] == [
        (second.id, "保安甲", "", []), (first.id, "保安甲", "北门", [PHOTO])]


def test_guards_see_only_their_own_reports_of_the_last_seven_days(session, guard, guard2):
    report(session, guard, text="上周的事", now=NOW - timedelta(days=8))
    recent = report(session, guard, text="今天的事")
    report(session, guard2, text="别人的事")
    assert [v.incident.id for v in incidents.my_recent_incidents(session, guard, now=NOW)] == [recent.id]


def test_lists_are_for_their_roles(session, boss, guard):
    with pytest.raises(NotAllowed):
        incidents.open_incidents(session, guard)
    with pytest.raises(NotAllowed):
        incidents.my_recent_incidents(session, boss)
    with pytest.raises(NotAllowed):
        incidents.waiting_alerts(session, guard)


# Closing

def test_a_manager_closes_an_incident_with_a_note(session, fresh_session, estate, boss, guard):
    incident = report(session, guard)
    incidents.close_incident(session, boss, str(incident.id), "  已报警,派出所处理  ", now=NOW + SEC)
    session.commit()
    [row] = stored(fresh_session, estate.id)["Incident"]
    assert (row["status"], row["closed_by_id"], row["closed_at"], row["closing_note"]) == (
        IncidentStatus.CLOSED, boss.id, NOW + SEC, "已报警,派出所处理")
    [logged] = entries(fresh_session, estate.id, "incident_closed")
    assert (logged.actor_id, logged.target_id, logged.detail) == (boss.id, incident.id,
                                                                  {"note": "已报警,派出所处理"})


def test_closing_twice_is_refused(session, fresh_session, estate, boss, guard):
    incident = report(session, guard)
    incidents.close_incident(session, boss, incident.id, "处理完毕", now=NOW)
    session.commit()
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.incident_closed",
            lambda: incidents.close_incident(session, boss, incident.id, "再关一次"), incident.id)


@pytest.mark.parametrize("note, key", [("", "error.note_required"), ("  ", "error.note_required"),
                                       (None, "error.note_required"), (["ok"], "error.note_required"),
                                       ("字" * 501, "error.text_too_long")])
def test_closing_needs_a_note_of_at_most_500_characters(session, fresh_session, estate, boss, guard, note, key):
    incident = report(session, guard)
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, key,
            lambda: incidents.close_incident(session, boss, incident.id, note), incident.id)


def test_only_managers_close(session, fresh_session, estate, guard):
    incident = report(session, guard)
    refused(fresh_session, estate.id, "incident_refused", NotAllowed, "error.not_allowed",
            lambda: incidents.close_incident(session, guard, incident.id, "我自己关"))


def test_another_estates_manager_cannot_close(session, fresh_session, estate, other_estate, guard, other_boss):
    incident = report(session, guard)
    before = stored(fresh_session, estate.id)
    refused(fresh_session, other_estate.id, "incident_refused", NotFound, "error.not_found",
            lambda: incidents.close_incident(session, other_boss, incident.id, "越权"))
    assert stored(fresh_session, estate.id) == before


@pytest.mark.parametrize("incident_id", ["abc", -1, 0, None, 2**40, ["1"]])
def test_bad_incident_ids_are_refused(session, fresh_session, estate, boss, incident_id):
    refused(fresh_session, estate.id, "incident_refused", InvalidInput, "error.bad_request",
            lambda: incidents.close_incident(session, boss, incident_id, "处理完毕"))


def test_the_open_incident_tally_changes_with_every_report_and_closing(session, estate, boss, guard):
    assert incidents.open_incident_tally(session, estate.id) == (0, None)
    first = report(session, guard)
    second = report(session, guard)
    assert incidents.open_incident_tally(session, estate.id) == (2, second.id)
    incidents.close_incident(session, boss, second.id, "处理完毕", now=NOW)
    session.commit()
    assert incidents.open_incident_tally(session, estate.id) == (1, first.id)


# SOS

def test_a_guard_raises_an_sos_at_a_checkpoint(session, fresh_session, estate, guard, point):
    alert = sos(session, guard, point=point)
    [row] = stored(fresh_session, estate.id)["SosAlert"]
    assert row == {"id": alert.id, "estate_id": estate.id, "guard_id": guard.id, "raised_at": NOW,
                   "point_id": point.id, "acknowledged_by_id": None, "acknowledged_at": None}
    [logged] = entries(fresh_session, estate.id, "sos_raised")
    assert (logged.actor_id, logged.target_type, logged.target_id, logged.detail) == (
        guard.id, "sos", alert.id, {"point": point.id})
    assert incidents.open_alerts(session, estate.id) == (1, alert.id)


def test_a_second_sos_within_a_minute_is_a_duplicate_and_the_first_stays(session, fresh_session, estate, guard):
    first = sos(session, guard)
    refused(fresh_session, estate.id, "sos_refused", InvalidInput, "error.sos_duplicate",
            lambda: sos(session, guard, now=NOW + 59 * SEC), first.id)
    assert incidents.open_alerts(session, estate.id) == (1, first.id)


def test_an_sos_still_waiting_after_a_minute_is_raised_again(session, estate, guard):
    sos(session, guard)
    second = sos(session, guard, now=NOW + 61 * SEC)
    assert incidents.open_alerts(session, estate.id) == (2, second.id)


def test_an_sos_right_after_an_acknowledged_one_is_never_lost(session, estate, boss, guard):
    first = sos(session, guard)
    incidents.acknowledge_sos(session, boss, first.id, now=NOW + SEC)
    session.commit()
    second = sos(session, guard, now=NOW + 2 * SEC)
    assert incidents.open_alerts(session, estate.id) == (1, second.id)


def test_the_duplicate_window_is_per_guard(session, estate, guard, guard2):
    sos(session, guard)
    second = sos(session, guard2, now=NOW + SEC)
    assert incidents.open_alerts(session, estate.id) == (2, second.id)


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_only_guards_raise_an_sos(session, fresh_session, estate, outsider):
    refused(fresh_session, estate.id, "sos_refused", NotAllowed, "error.not_allowed", lambda: sos(session, outsider))


def test_a_manager_who_is_not_a_guard_cannot_raise_an_sos(session, fresh_session, estate, boss):
    refused(fresh_session, estate.id, "sos_refused", NotAllowed, "error.not_allowed", lambda: sos(session, boss))


def test_an_sos_at_another_estates_checkpoint_is_refused(session, fresh_session, estate, other_estate, guard):
    foreign = make_point(session, other_estate, "别家大门")
    refused(fresh_session, estate.id, "sos_refused", InvalidInput, "error.point_unknown",
            lambda: sos(session, guard, point=foreign))


def test_managers_see_waiting_alerts_newest_first_and_acknowledge_them(session, fresh_session, estate, boss, guard,
                                                                      guard2, point, other_guard):
    first = sos(session, guard, point=point)
    second = sos(session, guard2, now=NOW + SEC)
    sos(session, other_guard)
    assert [(a.alert_id, a.guard_name, a.point_name, a.raised_at) for a in incidents.waiting_alerts(session, boss)] \
        == [(second.id, "保安乙", "", NOW + SEC), (first.id, "保安甲", "北门", NOW)]
    incidents.acknowledge_sos(session, boss, str(second.id), now=NOW + 5 * SEC)
    session.commit()
    row = next(r for r in stored(fresh_session, estate.id)["SosAlert"] if r["id"] == second.id)
    assert (row["acknowledged_by_id"], row["acknowledged_at"]) == (boss.id, NOW + 5 * SEC)
    [logged] = entries(fresh_session, estate.id, "sos_acknowledged")
    assert (logged.actor_id, logged.target_id) == (boss.id, second.id)
    assert [a.alert_id for a in incidents.waiting_alerts(session, boss)] == [first.id]
    assert incidents.open_alerts(session, estate.id) == (1, first.id)


def test_acknowledging_twice_is_refused(session, fresh_session, estate, boss, guard):
    alert = sos(session, guard)
    incidents.acknowledge_sos(session, boss, alert.id, now=NOW)
    session.commit()
    refused(fresh_session, estate.id, "sos_refused", InvalidInput, "error.sos_acknowledged",
            lambda: incidents.acknowledge_sos(session, boss, alert.id), alert.id)


def test_only_managers_of_the_estate_acknowledge(session, fresh_session, estate, other_estate, guard, guard2,
                                                 other_boss):
    alert = sos(session, guard)
    refused(fresh_session, estate.id, "sos_refused", NotAllowed, "error.not_allowed",
            lambda: incidents.acknowledge_sos(session, guard2, alert.id))
    before = stored(fresh_session, estate.id)
    refused(fresh_session, other_estate.id, "sos_refused", NotFound, "error.not_found",
            lambda: incidents.acknowledge_sos(session, other_boss, alert.id))
    assert stored(fresh_session, estate.id) == before
    assert [a.alert_id for a in incidents.waiting_alerts(session, other_boss)] == []


@pytest.mark.parametrize("alert_id", ["abc", -1, None, 2**40, {"id": 1}])
def test_bad_alert_ids_are_refused(session, fresh_session, estate, boss, alert_id):
    refused(fresh_session, estate.id, "sos_refused", InvalidInput, "error.bad_request",
            lambda: incidents.acknowledge_sos(session, boss, alert_id))


def test_each_polling_tally_is_one_query_on_its_index(session, db_url, estate, guard):
    sos(session, guard)
    report(session, guard)
    engine = session.get_bind()
    for tally, index in ((incidents.open_alerts, "ix_sosalert_estate_acknowledged"),
                         (incidents.open_incident_tally, "ix_incident_estate_status")):
        statements = []
        listener = lambda _c, _cursor, sql, params, *_: statements.append((sql, params))  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert tally(session, estate.id).count == 1
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(statements) == 1
        if db_url.startswith("sqlite"):
            sql, params = statements[0]
            plan = " ".join(str(r) for r in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
            assert index in plan, plan


def test_closing_classes_a_security_incident_as_major_crime_and_a_fire_alarm_as_fire(session, factory, estate, boss):
    guard = factory.actor(factory.user(estate, Role.GUARD))
    crime = incidents.report_incident(session, guard, "security", "车辆被盗")
    alarm = incidents.report_incident(session, guard, "fire_alarm", "烟感报警")
    other = incidents.report_incident(session, guard, "violation", "违章搭建")
    session.commit()
    incidents.close_incident(session, boss, crime.id, "已报警", "on")
    incidents.close_incident(session, boss, alarm.id, "确认起火,已扑灭", True)
    session.commit()
    assert (crime.major_crime, crime.actual_fire, alarm.actual_fire, alarm.major_crime) == (True, False, True, False)
    for serious in ("on", "yes", ["on"]):
        with pytest.raises(InvalidInput):
            incidents.close_incident(session, boss, other.id, "已处理", serious)
    incidents.close_incident(session, boss, other.id, "已处理", "")
    session.commit()
    assert other.status == "closed"

"""Where a public report goes: dirty → the area's responsible cleaner (a task on their home until handled),
damaged / unsafe → a repair request with the jobs flow's clocks, other (or nobody responsible) → the managers; the
reporter's follow link shows it until handled."""

import pytest
from sqlmodel import select

from estate_pwa.models import (
    PlaceKind,
    PublicReport,
    RequestStatus,
    Role,
    ServiceRequest,
    Urgency,
)
from estate_pwa.services import jobs, reports
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.reports import intake
from tests.unit.conftest import NOW, audit_entries, expect_refused
from tests.unit.reports.conftest import token_of

LATER = NOW.replace(minute=25)


def _follow(session, report):
    return reports.follow_view(session, intake.report_of_follow(session, intake.follow_url(report).rsplit("/", 1)[1]))


def test_dirty_goes_to_the_responsible_cleaner_who_handles_it(session, responsible, lobby, lobby_code, boss,
                                                              fresh_session, estate):
    report = reports.submit(session, lobby_code, "dirty", "地上有垃圾", "138-0000", "reports/" + "b" * 32 + ".jpg",
                            device="dev-1", now=NOW)
    session.commit()
    assert (report.route, report.assignee_id, report.request_id) == ("cleaner", responsible.id, None)
    assert _follow(session, report).state == "with_cleaner"
    rows = reports.cleaner_reports(session, responsible)
    assert [(r.place, r.category, r.description, r.actions, r.contact) for r in rows] == [
        ("1栋大堂", "dirty", "地上有垃圾", ["handle"], "")]
    assert len(rows[0].photos) == 1 and rows[0].photos[0].thumb.startswith("/media/")
    reports.handle(session, responsible, report.id, now=LATER)
    session.commit()
    assert reports.cleaner_reports(session, responsible) == []
    view = _follow(session, report)
    assert (view.state, view.place, view.handled) == ("handled", "1栋大堂", "03-10 12:25")
    summary, rows = reports.manager_reports(session, boss, now=LATER)
    assert (summary.total, summary.open, summary.median_minutes) == (1, 0, "25")
    assert rows[0].contact == "138-0000" and rows[0].minutes == "25"
    expect_refused(fresh_session, estate.id, "report_refused", InvalidInput, "error.report_already_handled",
                   lambda: reports.handle(session, responsible, report.id))
    assert [e.detail["route"] for e in audit_entries(fresh_session, estate.id, "public_report_received")] == ["cleaner"]


def test_dirty_without_a_responsible_cleaner_and_other_go_to_the_managers(session, lobby, lobby_code, boss,
                                                                          factory, estate, fresh_session):
    dirty = reports.submit(session, lobby_code, "dirty", now=NOW)
    other = reports.submit(session, lobby_code, "other", "灯太暗", now=NOW)
    session.commit()
    assert (dirty.route, other.route) == ("manager", "manager")
    assert _follow(session, other).state == "with_office"
    stranger = factory.actor(factory.user(estate, Role.CLEANER))
    expect_refused(fresh_session, estate.id, "report_refused", NotAllowed, "error.not_allowed",
                   lambda: reports.handle(session, stranger, other.id))
    with pytest.raises(NotAllowed):
        reports.handle(session, None, other.id)
    reports.handle(session, boss, other.id, now=LATER)
    session.commit()
    assert _follow(session, other).state == "handled"


@pytest.mark.parametrize(("category", "urgency"), [("damaged", Urgency.ROUTINE), ("unsafe", Urgency.EMERGENCY)])
def test_damaged_and_unsafe_become_repair_requests(session, lobby, lobby_code, boss, category, urgency):
    report = reports.submit(session, lobby_code, category, "门禁坏了", now=NOW)
    session.commit()
    request = session.get(ServiceRequest, report.request_id)
    assert (report.route, request.kind, request.category, request.urgency, request.area_id) == (
        "repair", "repair", "public_area", urgency, lobby.id)
    assert request.received_at == NOW and request.reporter_id is None and "门禁坏了" in request.description
    assert jobs.clocks(request, NOW).dispatch_deadline == NOW + jobs.DISPATCH_PROMISE
    assert _follow(session, report).state == "repair_waiting"
    with pytest.raises(NotAllowed):  # the job closes it, not a tap
        reports.handle(session, boss, report.id)
    session.rollback()
    request = session.get(ServiceRequest, report.request_id)
    request.status, request.completed_at = RequestStatus.COMPLETED, LATER
    session.commit()
    assert _follow(session, report).state == "handled"
    summary, _ = reports.manager_reports(session, boss, now=LATER)
    assert summary.median_minutes == "25"


def test_asset_codes_route_repairs_without_an_area(session, extinguisher, boss):
    token = token_of(session, PlaceKind.ASSET, extinguisher)
    report = reports.submit(session, token, "unsafe", "压力不足", now=NOW)
    dirty = reports.submit(session, token, "dirty", now=NOW)
    session.commit()
    request = session.get(ServiceRequest, report.request_id)
    assert (report.kind, report.place_id, request.area_id, request.urgency) == (
        "asset", extinguisher.id, None, "emergency")
    assert "灭火器" in request.description and dirty.route == "manager"
    assert _follow(session, report).place == "灭火器 · 1栋大堂 · XF-001"


@pytest.mark.parametrize(("fields", "key"), [
    ({"category": "dirtyy"}, "error.report_category"),
    ({"category": None}, "error.report_category"),
    ({"category": "dirty", "description": "x" * 501}, "error.text_too_long"),
    ({"category": "dirty", "description": ["x"]}, "error.report_text"),
    ({"category": "dirty", "contact": "a\nb"}, "error.bad_request"),
    ({"category": "dirty", "contact": "1" * 61}, "error.text_too_long"),
    ({"category": "dirty", "contact": 5}, "error.report_contact"),
])
def test_bad_fields_are_refused_and_nothing_is_stored(session, lobby, lobby_code, fields, key):
    fields = dict(fields)
    with pytest.raises(InvalidInput) as refused:
        reports.submit(session, lobby_code, fields.pop("category"), **fields, now=NOW)
    assert refused.value.key == key
    session.rollback()
    assert session.exec(select(PublicReport).where(PublicReport.place_id == lobby.id)).all() == []


def test_a_forged_follow_link_is_refused(session):
    for token in ("", "x.y", intake.FOLLOW_PURPOSE):
        with pytest.raises(InvalidInput):
            intake.report_of_follow(session, token)

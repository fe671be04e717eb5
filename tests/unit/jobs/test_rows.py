"""The rows the job screens show: keys, names, places, the deadline that applies, photos as signed links, and the
actions each viewer may take — the same table (rules.STEPS) that refuses the actions."""

from datetime import timedelta

import pytest

from estate_pwa.models import Area, RequestStatus, Role
from estate_pwa.services import jobs
from estate_pwa.services.errors import NotAllowed, NotFound
from estate_pwa.services.files import MEDIA_PREFIX
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import GOOD_PHOTO, HOUR, MIN, accepted, completed, dispatched, repair

ROLES = ("boss", "tech", "tech2", "guard", "resident", "housemate", "stranger")
STAGES = ("received", "dispatched", "accepted", "paused", "postponed", "completed", "closed")


def _at_stage(session, boss, resident, tech, stage, kind="repair"):
    """A request of `kind` brought to `stage` (tech is its technician once dispatched)."""
    if kind != "repair":
        request = repair(session, resident, kind=kind)
        if stage == "completed":
            jobs.reply(session, boss, request.id, "已处理", now=NOW + HOUR)
            session.commit()
        return request
    if stage == "received":
        return repair(session, resident)
    if stage == "dispatched":
        return dispatched(session, boss, resident, tech)
    if stage in ("completed", "closed"):
        request = completed(session, boss, resident, tech)
        if stage == "closed":
            jobs.rate(session, resident, request.id, True, now=NOW + 2 * HOUR)
            session.commit()
        return request
    request = accepted(session, boss, resident, tech)
    if stage == "paused":
        jobs.pause(session, tech, request.id, "resident_not_home", now=NOW + HOUR)
    if stage == "postponed":
        jobs.postpone(session, tech, request.id, NOW + timedelta(days=2), "等配件", now=NOW + HOUR)
    session.commit()
    return request


EXPECTED = {  # (stage, viewer) → actions; anyone not listed may take none
    ("received", "boss"): ["dispatch", "excuse"],
    ("received", "tech"): ["claim"],
    ("received", "tech2"): ["claim"],
    ("dispatched", "boss"): ["dispatch", "excuse"],
    ("dispatched", "tech"): ["excuse", "accept"],
    ("accepted", "boss"): ["reassign", "reschedule"],
    ("accepted", "tech"): ["pause", "postpone", "finish"],
    ("paused", "boss"): ["reassign", "reschedule"],
    ("paused", "tech"): ["resume", "postpone"],
    ("postponed", "boss"): ["reassign", "reschedule"],
    ("postponed", "tech"): ["pause", "finish"],
    ("completed", "boss"): ["mark_quality"],
    ("completed", "resident"): ["rate"],
    ("completed", "housemate"): ["rate"],
    ("closed", "boss"): ["mark_quality"],
}


@pytest.mark.parametrize("stage", STAGES)
def test_a_repair_row_lists_the_actions_each_viewer_may_take(session, request, boss, resident, tech, stage):
    job = _at_stage(session, boss, resident, tech, stage)
    for viewer in ROLES:
        actor = request.getfixturevalue(viewer)
        [shown] = jobs.request_rows(session, actor, [session.get(type(job), job.id)], NOW + 2 * HOUR)
        assert shown.actions == EXPECTED.get((stage, viewer), []), (stage, viewer)


@pytest.mark.parametrize("kind", ["complaint", "suggestion"])
def test_a_complaint_row_offers_the_reply_to_the_office_and_its_first_receiver(
        session, factory, estate, units, boss, guard, tech, resident, kind):
    job = _at_stage(session, boss, resident, tech, "received", kind)
    receiver = factory.actor(factory.user(estate, Role.CLEANER, name="保洁员"))
    recorded = jobs.record_on_behalf(session, receiver, units[0].id, kind, "楼道太吵", now=NOW)
    session.commit()
    confirm = ["confirm_effective"] if kind == "complaint" else []  # managers confirm complaints at any stage
    assert jobs.request_rows(session, boss, [job])[0].actions == ["reply", *confirm]
    assert jobs.request_rows(session, guard, [job])[0].actions == []
    assert jobs.request_rows(session, receiver, [recorded])[0].actions == ["reply"]
    assert jobs.request_rows(session, guard, [recorded])[0].actions == []
    done = _at_stage(session, boss, resident, tech, "completed", kind)
    assert jobs.request_rows(session, boss, [done])[0].actions == confirm
    assert jobs.request_rows(session, resident, [done])[0].actions == ["rate"]


def test_every_listed_action_goes_through_and_every_other_is_refused(session, boss, resident, tech, tech2):
    """The table that lists actions is the one that refuses them: check each action against `refusal`."""
    job = _at_stage(session, boss, resident, tech, "accepted")
    for action in jobs.STEPS:
        for actor in (boss, tech, tech2, resident):
            listed = action in jobs.allowed(actor, job)
            assert listed == (jobs.refusal(actor, job, action) is None), (action, actor.name)
    with pytest.raises(NotAllowed):  # a listed action for one viewer is refused to another, through the service
        jobs.pause(session, boss, job.id, "resident_not_home", now=NOW + HOUR)
    session.rollback()
    jobs.pause(session, tech, job.id, "resident_not_home", now=NOW + HOUR)
    session.commit()
    assert "resume" in jobs.request_rows(session, tech, [job])[0].actions


def test_an_excused_late_arrival_is_not_offered_again(session, boss, resident, tech):
    job = dispatched(session, boss, resident, tech)
    assert "excuse" in jobs.request_rows(session, tech, [job])[0].actions
    jobs.excuse_late_arrival(session, tech, job.id, "在另一栋抢修", True, now=NOW + 2 * MIN)
    session.commit()
    shown = jobs.request_rows(session, tech, [job])[0]
    assert "excuse" not in shown.actions and shown.late_excused


def test_a_row_carries_keys_names_place_and_the_clock_that_applies(session, estate, boss, resident, tech):
    job = jobs.submit(session, resident, "repair", "漏水", "plumbing", "emergency", now=NOW, photos=[GOOD_PHOTO])
    session.commit()
    [waiting] = jobs.request_rows(session, boss, [job], NOW + MIN, contact=True)
    assert (waiting.kind, waiting.category, waiting.urgency, waiting.status) == (
        "repair", "plumbing", "emergency", RequestStatus.RECEIVED)
    assert (waiting.place, waiting.received, waiting.clock) == ("1栋 101", "03-10 12:00", "dispatch")
    assert waiting.deadline == (NOW + 3 * MIN).isoformat()
    assert waiting.contact.startswith("业主 ") and not waiting.overdue and not waiting.dispatch_missed
    assert [(p.thumb.startswith(MEDIA_PREFIX), p.full.startswith(MEDIA_PREFIX)) for p in waiting.photos] == [
        (True, True)]
    assert waiting.photos[0].thumb != waiting.photos[0].full
    assert jobs.request_rows(session, resident, [job], NOW + MIN, contact=True)[0].contact == ""  # staff only

    jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN)
    jobs.accept(session, tech, job.id, now=NOW + 2 * MIN)
    session.commit()
    [working] = jobs.request_rows(session, boss, [job], NOW + HOUR)
    assert (working.clock, working.technician, working.first_receiver) == ("finish", "师傅甲", "经理")
    assert working.deadline == (NOW + 2 * MIN + timedelta(hours=4)).isoformat()
    assert working.promised == "03-10 16:02" and working.dispatch_met
    jobs.pause(session, tech, job.id, "resident_not_home", now=NOW + HOUR)
    session.commit()
    paused = [jobs.request_rows(session, boss, [job], NOW + HOUR + n * MIN)[0] for n in (1, 2)]
    assert paused[0] == paused[1] and (paused[0].clock, paused[0].deadline) == ("paused", "")  # nothing to resend
    jobs.resume(session, tech, job.id, now=NOW + 2 * HOUR)
    jobs.complete(session, tech, job.id, "修好了", now=NOW + 2 * HOUR)
    session.commit()
    [done] = jobs.request_rows(session, boss, [job], NOW + 2 * HOUR)
    assert (done.deadline, done.on_time, done.late) == ("", True, False)


def test_a_common_area_row_and_the_places_to_report(session, estate, resident):
    garage = Area(estate_id=estate.id, name="地下车库", kind="car_park")
    session.add(garage)
    session.commit()
    job = jobs.submit(session, resident, "repair", "灯不亮", "public_area", area_id=garage.id, now=NOW)
    session.commit()
    assert jobs.resident_rows(session, resident, NOW)[0].place == "地下车库"
    assert [(p.value, p.name) for p in jobs.report_places(session, resident)] == [
        (jobs.HOME, "1栋 101"), (str(garage.id), "地下车库")]
    assert job.id == jobs.resident_rows(session, resident, NOW)[0].id


def test_board_filters_technician_choices_and_follow_ups(session, estate, boss, resident, tech, tech2):
    late = repair(session, resident)
    postponed = accepted(session, boss, resident, tech)
    jobs.postpone(session, tech, postponed.id, NOW + timedelta(days=2), "等配件", now=NOW + HOUR)
    session.commit()
    by_filter = {show: {r.id for r in jobs.office_rows(session, boss, show, NOW + HOUR)}
                 for show in jobs.BOARD_FILTERS}
    assert by_filter == {"all": {late.id, postponed.id}, "overdue": {late.id}, "breaches": set(),
                         "postponed": {postponed.id}}
    assert {c.id: (c.name, c.open) for c in jobs.technician_choices(session, boss)} == {
        tech.id: ("师傅甲", 1), tech2.id: ("师傅乙", 0)}
    estate.followup_percent = 100
    session.add(estate)
    session.commit()
    done = completed(session, boss, resident, tech)
    assert [(f.request_id, f.reason, f.place) for f in jobs.follow_up_rows(session, boss)] == [
        (done.id, "sample", "1栋 101")]
    with pytest.raises(NotAllowed):
        jobs.office_rows(session, tech)


def test_the_history_names_only_its_people_and_shows_the_signature_to_managers(
        session, boss, resident, housemate, stranger, tech):
    job = accepted(session, boss, resident, tech)
    jobs.complete(session, tech, job.id, "修好了", None, "signatures/" + "b" * 32 + ".png", now=NOW + HOUR)
    session.commit()
    opened = jobs.history_view(session, boss, job.id)
    assert opened.title == f"#{job.id} 厨房水管漏水"
    assert [(e.who, e.action) for e in opened.entries] == [
        ("业主", "request_submitted"), ("经理", "request_dispatched"), ("师傅甲", "request_accepted"),
        ("师傅甲", "request_completed")]
    assert opened.signature.startswith(MEDIA_PREFIX)
    assert jobs.history_view(session, housemate, job.id).signature == ""
    with pytest.raises(NotFound):
        jobs.history_view(session, stranger, job.id)

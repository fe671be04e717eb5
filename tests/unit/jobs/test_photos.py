"""A request's photos: attached in order, at most six a step, only names made by the media store, and shown only
to those who may see the request."""

import pytest

from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed, NotFound
from tests.unit.conftest import NOW
from tests.unit.jobs.helpers import GOOD_PHOTO, HOUR, MIN, accepted, refused


def test_report_and_work_photos_are_attached_in_order(session, fresh_session, boss, resident, tech):
    job = jobs.submit(session, resident, "repair", "漏水", "plumbing", now=NOW,
                      photos=["requests/" + c * 32 + ".jpg" for c in "ab"])
    jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN)
    jobs.accept(session, tech, job.id, now=NOW + 2 * MIN)
    jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR, photos=["work/" + "c" * 32 + ".jpg"])
    session.commit()
    assert {i: [p.file for p in found] for i, found in jobs.photo_files(fresh_session, [job]).items()} == {
        job.id: ["requests/" + "a" * 32 + ".jpg", "requests/" + "b" * 32 + ".jpg", "work/" + "c" * 32 + ".jpg"]}


def test_a_full_size_photo_is_for_those_who_may_see_the_request(
        session, fresh_session, factory, estate, boss, resident, housemate, stranger, tech, tech2, guard, other):
    job = jobs.submit(session, resident, "repair", "漏水", "plumbing", now=NOW, photos=[GOOD_PHOTO])
    session.commit()
    photo_id = jobs.photo_files(fresh_session, [job])[job.id][0].id
    for viewer in (resident, housemate, boss, tech, tech2):  # technicians: the job waits in their pool
        assert jobs.photo_file(fresh_session, viewer, str(photo_id)) == GOOD_PHOTO
    jobs.dispatch(session, boss, job.id, tech.id, now=NOW + MIN)
    session.commit()
    assert jobs.photo_file(fresh_session, tech, photo_id) == GOOD_PHOTO
    for outsider in (tech2, stranger, guard, other["boss"], other["tech"]):
        with pytest.raises(NotFound) as refusal:
            jobs.photo_file(fresh_session, outsider, photo_id)
        assert refusal.value.key == "error.not_found"
    with pytest.raises(NotAllowed):
        jobs.photo_file(fresh_session, None, photo_id)


@pytest.mark.parametrize("photo_id", ["", "abc", "-1", 0, 10**12, True, None, [1], {"id": 1}, "1 OR 1=1"])
def test_a_full_size_photo_needs_a_real_photo_id(session, resident, photo_id):
    with pytest.raises((InvalidInput, NotFound)) as refusal:
        jobs.photo_file(session, resident, photo_id)
    assert refusal.value.key in ("error.bad_request", "error.not_found")


@pytest.mark.parametrize("photos", [["../../etc/passwd"], [GOOD_PHOTO + "x"], "requests/a.jpg", [5], [None]])
def test_photo_names_not_made_by_the_media_store_are_refused(session, resident, photos):
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, resident, "repair", "漏水", now=NOW, photos=photos)
    assert refusal.value.key == "error.bad_request"


def test_at_most_six_photos_per_step(session, fresh_session, boss, resident, tech):
    too_many = [f"requests/{i:032x}.jpg" for i in range(jobs.MAX_PHOTOS + 1)]
    with pytest.raises(InvalidInput) as refusal:
        jobs.submit(session, resident, "repair", "漏水", now=NOW, photos=too_many)
    assert refusal.value.key == "error.too_many_photos"
    job = accepted(session, boss, resident, tech)
    refused(fresh_session, job.id, InvalidInput, "error.too_many_photos",
            lambda: jobs.complete(session, tech, job.id, "修好了", now=NOW + HOUR,
                                  photos=[f"work/{i:032x}.jpg" for i in range(jobs.MAX_PHOTOS + 1)]))

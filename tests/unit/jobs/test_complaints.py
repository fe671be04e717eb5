"""A manager confirms whether a complaint was the service's fault (有效投诉); only managers, only complaints."""

import pytest

from estate_pwa.models import RequestKind, Role
from estate_pwa.services import jobs
from estate_pwa.services.errors import InvalidInput, NotAllowed


@pytest.fixture
def resident(factory, estate):
    return factory.actor(factory.user(estate, Role.RESIDENT, unit=factory.units(estate)[0]))


def test_a_manager_confirms_a_complaint_effective_and_may_correct_it(session, boss, resident):
    complaint = jobs.submit(session, resident, RequestKind.COMPLAINT, "夜间施工噪音")
    session.commit()
    assert "confirm_effective" in jobs.allowed(boss, complaint)
    jobs.confirm_complaint(session, boss, complaint.id, True)
    session.commit()
    assert complaint.effective is True
    jobs.confirm_complaint(session, boss, str(complaint.id), False)
    session.commit()
    assert complaint.effective is False


def test_only_managers_confirm_and_only_complaints(session, factory, estate, boss, resident):
    repair = jobs.submit(session, resident, RequestKind.REPAIR, "水管漏水")
    complaint = jobs.submit(session, resident, RequestKind.COMPLAINT, "保安态度差")
    session.commit()
    with pytest.raises(InvalidInput) as wrong_kind:
        jobs.confirm_complaint(session, boss, repair.id, True)
    assert wrong_kind.value.key == "error.only_complaints_confirmed"
    technician = factory.actor(factory.user(estate, Role.TECHNICIAN))
    for actor in (technician, resident):
        with pytest.raises(NotAllowed):
            jobs.confirm_complaint(session, actor, complaint.id, True)
        assert "confirm_effective" not in jobs.allowed(actor, complaint)
    for hostile in ("true", 1, None, [True]):
        with pytest.raises(InvalidInput):
            jobs.confirm_complaint(session, boss, complaint.id, hostile)
    assert complaint.effective is None

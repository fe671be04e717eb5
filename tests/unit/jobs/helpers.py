"""Building requests at each step of the workflow and checking refusals, for the repair jobs tests."""

from datetime import date, timedelta

from sqlmodel import select

from estate_pwa.models import AuditEntry, FollowUp, ServiceRequest
from estate_pwa.services import jobs, roster
from tests.unit.conftest import NOW, audit_entries, expect_refused

DAY = date(2026, 3, 10)  # NOW is 12:00 on this local day, inside the day shift (08–20)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
GOOD_PHOTO = "requests/" + "a" * 32 + ".jpg"


def row(fresh, request_id) -> dict:
    """The request as committed, read on the other connection."""
    fresh.expire_all()
    return fresh.get(ServiceRequest, request_id).model_dump()


def refusals(fresh, estate_id) -> list[AuditEntry]:
    return audit_entries(fresh, estate_id, "request_refused")


def refused(fresh, request_id, error_type, key, call, *, estate_id=None, target="request"):
    """Run `call`, expect `error_type(key)`, the request unchanged and one new `request_refused` entry."""
    estate_id = estate_id or row(fresh, request_id)["estate_id"]
    error = expect_refused(fresh, estate_id, "request_refused", error_type, key, call,
                           unchanged=lambda: row(fresh, request_id),
                           target_id=request_id if target == "request" else target)
    assert refusals(fresh, estate_id)[-1].target_type == "request"
    return error


def repair(session, resident, category="plumbing", urgency="routine", at=NOW, kind="repair"):
    request = jobs.submit(session, resident, kind, "厨房水管漏水", category, urgency, now=at)
    session.commit()
    return request


def dispatched(session, boss, resident, tech, at=NOW, **kw):
    request = repair(session, resident, at=at, **kw)
    jobs.dispatch(session, boss, request.id, tech.id, now=at + MIN)
    session.commit()
    return request


def accepted(session, boss, resident, tech, at=NOW, promised_at=None, **kw):
    request = dispatched(session, boss, resident, tech, at=at, **kw)
    jobs.accept(session, tech, request.id, promised_at, now=at + 2 * MIN)
    session.commit()
    return request


def completed(session, boss, resident, tech, at=NOW, **kw):
    request = accepted(session, boss, resident, tech, at=at, **kw)
    jobs.complete(session, tech, request.id, "换了阀门", now=at + HOUR)
    session.commit()
    return request


def follow_ups(fresh, estate_id) -> list[FollowUp]:
    fresh.expire_all()
    return list(fresh.exec(select(FollowUp).where(FollowUp.estate_id == estate_id).order_by(FollowUp.id)))


def on_duty(session, boss, factory, estate, staff, shift="白班", day=DAY):
    roster.assign(session, boss, staff.id, factory.shifts(estate)[shift].id, day, "technician")
    session.commit()


def configure(session, estate, **values):
    for name, value in values.items():
        setattr(estate, name, value)
    session.add(estate)
    session.commit()

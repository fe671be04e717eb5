"""A public report comes in from a posted code and goes where it can be dealt with:

* dirty (an area) → the area's responsible cleaner at that moment, as a task on their home screen;
* damaged / unsafe → a repair request in the jobs flow (unsafe as an emergency: 4 hours; damaged routine), with
  its clocks (3-minute dispatch, the finish promise) and automatic dispatch; for an asset the register's defect is
  opened too (by the system, linked to the request), so the asset counts as defective in its intact rate;
* other, or dirty where nobody is responsible (or at an asset) → the estate's managers.

Nothing here trusts the reporter: the code is resolved (forged and revoked codes refused), every field is parsed,
the photo has been checked and stored by the caller (uploads.py, the photos kit).
"""

import hashlib
from datetime import datetime

from sqlmodel import Session

from estate_pwa.core import tokens
from estate_pwa.core.clock import utcnow
from estate_pwa.models import (
    PlaceKind,
    PublicReport,
    ReportCategory,
    ReportRoute,
    Urgency,
)
from estate_pwa.services import audit
from estate_pwa.services.cleaning import (
    rules as cleaning_rules,  # a module: cleaning.rules imports codes
)
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.facilities import defects
from estate_pwa.services.jobs.intake import receive_public
from estate_pwa.services.reports.codes import place_model, resolve
from estate_pwa.services.validation import choice, text

FOLLOW_PURPOSE = "report-follow"
STATUS_PREFIX = "/report/status/"
DESCRIPTION_MAX = 500
CONTACT_MAX = 60
PHOTO_FOLDER = "reports"
URGENCY = {ReportCategory.DAMAGED: Urgency.ROUTINE, ReportCategory.UNSAFE: Urgency.EMERGENCY}


def follow_token(report: PublicReport) -> str:
    """The reporter's link to follow their report without an account."""
    return tokens.sign(FOLLOW_PURPOSE, f"r{report.id}")


def follow_url(report: PublicReport) -> str:
    return STATUS_PREFIX + follow_token(report)


def report_of_follow(session: Session, token: object) -> PublicReport:
    """The report a follow link names; refuses anything forged."""
    try:
        payload = tokens.verify(FOLLOW_PURPOSE, token)
        report_id = int(payload[1:]) if payload.startswith("r") and payload[1:].isdigit() else 0
    except tokens.TokenInvalid:
        report_id = 0
    report = session.get(PublicReport, report_id) if report_id else None
    if report is None:
        raise InvalidInput("error.code_invalid")
    return report


def place_name(session: Session, kind: str, place_id: int) -> str:
    """How the place is called on the page and in the records ("" when it is gone)."""
    model = place_model(kind)
    place = session.get(model, place_id) if model is not None else None
    if place is None:
        return ""
    if kind == PlaceKind.ASSET:
        return " · ".join(filter(None, (place.name, getattr(place, "location", ""), place.code)))
    return place.name


def device_tag(device: str) -> str:
    """A short opaque name of a device id, for the records (the id itself stays in the reporter's cookie)."""
    return hashlib.sha256(device.encode("utf-8")).hexdigest()[:32] if device else ""


def submit(session: Session, token: object, category: object, description: object = "", contact: object = "",
           photo: str | None = None, device: str = "", now: datetime | None = None) -> PublicReport:
    """Record a report sent from a posted code and route it (module doc). Raises InvalidInput with a clear key."""
    now = now or utcnow()
    place = resolve(session, token, now)
    category = choice(category, [c.value for c in ReportCategory], "error.report_category")
    description = text(description, "error.report_text", DESCRIPTION_MAX, required=False, multiline=True)
    contact = text(contact, "error.report_contact", CONTACT_MAX, required=False)
    name = place_name(session, place.kind, place.id)
    area_id = place.id if place.kind == PlaceKind.AREA else None
    report = PublicReport(estate_id=place.estate_id, code_id=place.code_id, kind=place.kind, place_id=place.id,
                          area_id=area_id, category=category, description=description, photo=photo,
                          contact=contact, received_at=now, route=ReportRoute.MANAGER, device=device_tag(device))
    if category == ReportCategory.DIRTY and area_id is not None:
        cleaner = cleaning_rules.responsible_for(session, area_id, now)
        if cleaner is not None:
            report.route, report.assignee_id = ReportRoute.CLEANER, cleaner
    elif category in URGENCY:
        summary = f"{name}: {description}" if description else name
        request = receive_public(session, place.estate_id, summary or category, URGENCY[category], area_id, now)
        report.route, report.request_id = ReportRoute.REPAIR, request.id
        if place.kind == PlaceKind.ASSET:
            defects.open_reported_defect(session, place.estate_id, place.id, description, request.id, now)
    session.add(report)
    session.flush()
    audit.record(session, place.estate_id, None, "public_report_received", "public_report", report.id,
                 category=category, route=report.route, place=f"{place.kind}:{place.id}",
                 request=report.request_id)
    return report


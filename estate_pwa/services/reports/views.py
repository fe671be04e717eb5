"""What is shown of public reports: the reporter's follow page (no account), the cleaner's open reports on their
home (a task each, handled in one tap), and the managers' list with how fast each report was handled.

A report is handled when its cleaner or a manager marks it so; one that became a repair request is handled when
the job is completed (the jobs flow owns it from then on)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from estate_pwa.core.clock import format_local, utcnow
from estate_pwa.models import (
    Estate,
    PublicReport,
    ReportRoute,
    RequestStatus,
    Role,
    ServiceRequest,
    User,
)
from estate_pwa.services import audit
from estate_pwa.services import photos as photo_links
from estate_pwa.services.errors import InvalidInput, NotAllowed
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.photos import PhotoLink
from estate_pwa.services.refusals import refuse, refusing, require
from estate_pwa.services.reports.codes import REPORTS
from estate_pwa.services.reports.intake import place_name
from estate_pwa.services.validation import positive_id

SHORT = "%m-%d %H:%M"
MANAGER_DAYS = 30
MANAGER_ROWS = 100
STATES = ("received", "with_cleaner", "with_office", "repair_waiting", "repair_working", "handled")
"""Where a report stands, as the follow page and the lists say it (reports.state_<…>)."""


@dataclass(frozen=True)
class FollowView:
    """The reporter's view of one report (plain data for the public HTML page)."""

    place: str
    category: str
    received: str
    state: str
    handled: str


@dataclass
class ReportRow:
    """One public report as a staff screen shows it; `actions` are what the viewer may do ("handle")."""

    id: int = 0
    place: str = ""
    category: str = ""
    description: str = ""
    contact: str = ""
    received: str = ""
    route: str = ""
    state: str = ""
    minutes: str = ""
    """Minutes from report to handled ("" while open)."""
    photos: list[PhotoLink] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class ReportSummary:
    """The managers' figures over the last MANAGER_DAYS days."""

    total: int = 0
    open: int = 0
    handled: int = 0
    median_minutes: str = ""
    slowest_minutes: str = ""


def _handled_at(report: PublicReport, request: ServiceRequest | None) -> datetime | None:
    if report.handled_at is not None:
        return report.handled_at
    if request is not None and request.status in (RequestStatus.COMPLETED, RequestStatus.CLOSED):
        return request.completed_at or request.closed_at
    return None


def state_of(report: PublicReport, request: ServiceRequest | None) -> str:
    """One of STATES."""
    if _handled_at(report, request) is not None:
        return "handled"
    if report.route == ReportRoute.CLEANER:
        return "with_cleaner"
    if report.route == ReportRoute.REPAIR:
        return "repair_waiting" if request is None or request.status == RequestStatus.RECEIVED else "repair_working"
    return "with_office"


def follow_view(session: Session, report: PublicReport) -> FollowView:
    """What the reporter's follow link shows."""
    timezone = session.get(Estate, report.estate_id).timezone
    request = session.get(ServiceRequest, report.request_id) if report.request_id else None
    return FollowView(place=place_name(session, report.kind, report.place_id), category=report.category,
                      received=format_local(report.received_at, timezone, SHORT), state=state_of(report, request),
                      handled=format_local(_handled_at(report, request), timezone, SHORT))


def _requests(session: Session, reports: list[PublicReport]) -> dict[int, ServiceRequest]:
    ids = {r.request_id for r in reports if r.request_id}
    if not ids:
        return {}
    return {r.id: r for r in session.exec(select(ServiceRequest).where(col(ServiceRequest.id).in_(ids)))}


def _may_handle(actor: Actor, report: PublicReport, request: ServiceRequest | None) -> bool:
    """Cleaner reports by their cleaner or a manager, office reports by a manager; repairs close in the jobs flow."""
    if report.estate_id != actor.estate_id or _handled_at(report, request) is not None:
        return False
    if report.route == ReportRoute.REPAIR:
        return False
    return actor.has(Role.MANAGER) or (report.route == ReportRoute.CLEANER and report.assignee_id == actor.id
                                       and actor.has(Role.CLEANER))


def _rows(session: Session, actor: Actor, reports: list[PublicReport], *, contact: bool) -> list[ReportRow]:
    timezone = session.get(Estate, actor.estate_id).timezone
    requests = _requests(session, reports)
    now = utcnow()
    rows = []
    for report in reports:
        request = requests.get(report.request_id)
        handled = _handled_at(report, request)
        rows.append(ReportRow(
            id=report.id, place=place_name(session, report.kind, report.place_id), category=report.category,
            description=report.description, contact=report.contact if contact else "",
            received=format_local(report.received_at, timezone, SHORT), route=report.route,
            state=state_of(report, request),
            minutes=str(max(0, round((handled - report.received_at).total_seconds() / 60))) if handled else "",
            photos=photo_links.links([report.photo] if report.photo else [], now),
            actions=["handle"] if _may_handle(actor, report, request) else []))
    return rows


def cleaner_reports(session: Session, actor: Actor | None) -> list[ReportRow]:
    """The cleaner's open public reports (dirty areas they are responsible for), oldest first."""
    actor = require(session, actor, REPORTS, Role.CLEANER)
    reports = list(session.exec(select(PublicReport).where(
        PublicReport.estate_id == actor.estate_id, PublicReport.assignee_id == actor.id,
        col(PublicReport.handled_at).is_(None)).order_by(col(PublicReport.received_at))))
    return _rows(session, actor, reports, contact=False)


def manager_reports(session: Session, actor: Actor | None,
                    now: datetime | None = None) -> tuple[ReportSummary, list[ReportRow]]:
    """The managers' list of the last MANAGER_DAYS days' public reports (open ones first, then newest) and the
    summary of how fast they were handled."""
    actor = require(session, actor, REPORTS, Role.MANAGER)
    since = (now or utcnow()) - timedelta(days=MANAGER_DAYS)
    reports = list(session.exec(select(PublicReport).where(
        PublicReport.estate_id == actor.estate_id, col(PublicReport.received_at) >= since)
        .order_by(col(PublicReport.received_at).desc())))
    rows = _rows(session, actor, reports, contact=True)
    minutes = sorted(int(r.minutes) for r in rows if r.minutes)
    summary = ReportSummary(total=len(rows), open=len(rows) - len(minutes), handled=len(minutes),
                            median_minutes=str(minutes[len(minutes) // 2]) if minutes else "",
                            slowest_minutes=str(minutes[-1]) if minutes else "")
    rows.sort(key=lambda r: r.state == "handled")
    return summary, rows[:MANAGER_ROWS]


def handle(session: Session, actor: Actor | None, report_id: object, now: datetime | None = None) -> PublicReport:
    """Mark a report handled: its cleaner (a dirty area) or a manager; a repair is handled by its job."""
    actor = require(session, actor, REPORTS, Role.CLEANER, Role.MANAGER)
    with refusing(session, actor, REPORTS):
        report = in_estate(session, actor, PublicReport, positive_id(report_id))
    report = session.exec(select(PublicReport).where(PublicReport.id == report.id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    request = session.get(ServiceRequest, report.request_id) if report.request_id else None
    if not _may_handle(actor, report, request):
        error = InvalidInput("error.report_already_handled") if _handled_at(report, request) else \
            NotAllowed("error.not_allowed")
        refuse(session, actor, REPORTS, error, report.id)
    report.handled_at = now or utcnow()
    report.handled_by_id = actor.id
    session.add(report)
    audit.record(session, actor.estate_id, session.get(User, actor.id), "public_report_handled", "public_report",
                 report.id)
    return report


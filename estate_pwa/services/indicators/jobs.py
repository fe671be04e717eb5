"""Indicators measured from repairs and complaints: timeliness (急修/零修 apart too), quality, follow-up visits,
effective complaints and their handling."""

from collections.abc import Sequence

from sqlalchemy import and_, exists, func
from sqlmodel import Session, col, select

from estate_pwa.models import FollowUp, RequestKind, RequestStatus, ServiceRequest, Urgency
from estate_pwa.services.indicators.registry import Context, DrillRow, Reading, Window, measured_by
from estate_pwa.services.indicators.sql import inside, per_window, population

REPAIR = ServiceRequest.kind == RequestKind.REPAIR
COMPLAINT = ServiceRequest.kind == RequestKind.COMPLAINT
ON_TIME = col(ServiceRequest.on_time).is_(True)
NO_REPAIRS = "indicator.why.no_repairs_due"


def _mine(context: Context):
    return ServiceRequest.estate_id == context.estate_id


def _readings(pairs: list[tuple[int, int]], why: str) -> list[Reading]:
    return [Reading(n, d, "" if d else why) for n, d in pairs]


def _timeliness(urgency: str | None):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        where = [_mine(context), REPAIR, col(ServiceRequest.promised_at) <= context.now]
        if urgency:
            where.append(ServiceRequest.urgency == urgency)
        return _readings(per_window(session, ServiceRequest, where, col(ServiceRequest.promised_at), windows,
                                    ON_TIME), NO_REPAIRS)
    return measure


def _due_repairs(urgency: str | None):
    def drill(session: Session, context: Context, window: Window, offset: int, limit: int):
        where = [_mine(context), REPAIR, col(ServiceRequest.promised_at) <= context.now,
                 inside(col(ServiceRequest.promised_at), window)]
        if urgency:
            where.append(ServiceRequest.urgency == urgency)
        return _page(session, where, offset, limit)
    return drill


def _page(session: Session, where: list, offset: int, limit: int):
    """Repairs due, late ones first."""
    total = session.exec(select(func.count()).select_from(ServiceRequest).where(*where)).one()
    rows = session.exec(select(ServiceRequest).where(*where).order_by(
        col(ServiceRequest.on_time).is_(True), col(ServiceRequest.promised_at), col(ServiceRequest.id))
        .offset(offset).limit(limit)).all()
    return [DrillRow(r.id, r.description, r.promised_at, bool(r.on_time), note_key=f"urgency.{r.urgency}",
                     link=f"/manager/jobs?request={r.id}") for r in rows], int(total)


def _quality(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    return _readings(per_window(session, ServiceRequest,
                                [_mine(context), REPAIR, col(ServiceRequest.quality_pass).is_not(None)],
                                col(ServiceRequest.completed_at), windows, col(ServiceRequest.quality_pass).is_(True)),
                     "indicator.why.no_quality_marks")


VISITED = exists().where(FollowUp.request_id == ServiceRequest.id, col(FollowUp.done_at).is_not(None))
"""The repair's follow-up visit was made (a correlated EXISTS, served by the follow-up's request index)."""


def _follow_up(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    return _readings(per_window(session, ServiceRequest, [_mine(context), REPAIR], col(ServiceRequest.completed_at),
                                windows, VISITED), "indicator.why.no_repairs_done")


def _completed_repairs(session: Session, context: Context, window: Window, offset: int, limit: int):
    where = [_mine(context), REPAIR, inside(col(ServiceRequest.completed_at), window)]
    total = session.exec(select(func.count()).select_from(ServiceRequest).where(*where)).one()
    rows = session.exec(select(ServiceRequest, VISITED.label("visited")).where(*where).order_by(
        VISITED, col(ServiceRequest.completed_at)).offset(offset).limit(limit)).all()
    return [DrillRow(r.id, r.description, r.completed_at, bool(visited), "",
                     f"/manager/jobs?request={r.id}") for r, visited in rows], int(total)


def _complaint_rate(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    households = population(session, context)
    counts = per_window(session, ServiceRequest, [_mine(context), COMPLAINT, col(ServiceRequest.effective).is_(True)],
                        col(ServiceRequest.received_at), windows)
    return [Reading(n, households, "" if households else "indicator.why.no_households") for n, _ in counts]


def _complaint_handling(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    handled = and_(ServiceRequest.status == RequestStatus.CLOSED, col(ServiceRequest.reply).is_not(None))
    return _readings(per_window(session, ServiceRequest,
                                [_mine(context), COMPLAINT, col(ServiceRequest.effective).is_(True)],
                                col(ServiceRequest.received_at), windows, handled),
                     "indicator.why.no_effective_complaints")


def _effective_complaints(session: Session, context: Context, window: Window, offset: int, limit: int):
    where = [_mine(context), COMPLAINT, col(ServiceRequest.effective).is_(True),
             inside(col(ServiceRequest.received_at), window)]
    total = session.exec(select(func.count()).select_from(ServiceRequest).where(*where)).one()
    rows = session.exec(select(ServiceRequest).where(*where).order_by(
        ServiceRequest.status == RequestStatus.CLOSED, col(ServiceRequest.received_at)).offset(offset).limit(limit))
    return [DrillRow(r.id, r.description, r.received_at,
                     r.status == RequestStatus.CLOSED and r.reply is not None, note_key=f"status.{r.status}",
                     link=f"/manager/jobs?request={r.id}") for r in rows], int(total)


measured_by("repair_timeliness", _timeliness(None), _due_repairs(None))
measured_by("repair_timeliness_emergency", _timeliness(Urgency.EMERGENCY), _due_repairs(Urgency.EMERGENCY))
measured_by("repair_timeliness_routine", _timeliness(Urgency.ROUTINE), _due_repairs(Urgency.ROUTINE))
measured_by("repair_quality", _quality, _completed_repairs)
measured_by("repair_follow_up", _follow_up, _completed_repairs)
measured_by("effective_complaint_rate", _complaint_rate, _effective_complaints)
measured_by("effective_complaint_handling", _complaint_handling, _effective_complaints)

"""Indicators measured from incidents: major criminal cases, public-order cases, fire alarms and fires, violations
found and handled."""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.models import Incident, IncidentCategory, IncidentStatus
from estate_pwa.services.indicators.registry import Context, DrillRow, Reading, Window, measured_by
from estate_pwa.services.indicators.sql import inside, per_window, population

SECURITY = Incident.category == IncidentCategory.SECURITY
FIRE_ALARM = Incident.category == IncidentCategory.FIRE_ALARM
VIOLATION = Incident.category == IncidentCategory.VIOLATION
CLOSED = Incident.status == IncidentStatus.CLOSED


def _counts(*where):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        pairs = per_window(session, Incident, [Incident.estate_id == context.estate_id, *where],
                           col(Incident.created_at), windows)
        return [Reading(n) for n, _ in pairs]
    return measure


def _per_population(*where):
    def measure(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
        people = population(session, context)
        pairs = per_window(session, Incident, [Incident.estate_id == context.estate_id, *where],
                           col(Incident.created_at), windows)
        return [Reading(n, people, "" if people else "indicator.why.no_households") for n, _ in pairs]
    return measure


def _handling(session: Session, context: Context, windows: Sequence[Window]) -> list[Reading]:
    pairs = per_window(session, Incident, [Incident.estate_id == context.estate_id, VIOLATION],
                       col(Incident.created_at), windows, CLOSED)
    return [Reading(n, d, "" if d else "indicator.why.no_violations") for n, d in pairs]


def _incidents(*where, counts=None):
    def drill(session: Session, context: Context, window: Window, offset: int, limit: int):
        found = [Incident.estate_id == context.estate_id, *where, inside(col(Incident.created_at), window)]
        total = session.exec(select(func.count()).select_from(Incident).where(*found)).one()
        rows = session.exec(select(Incident).where(*found).order_by(col(Incident.created_at).desc(),
                                                                    col(Incident.id)).offset(offset).limit(limit))
        return [DrillRow(i.id, i.text, i.created_at, bool(counts(i)) if counts else True,
                         note_key=f"incident.status_{i.status}", link="/manager/patrol") for i in rows], int(total)
    return drill


measured_by("major_crimes", _counts(SECURITY, col(Incident.major_crime).is_(True)),
            _incidents(SECURITY, col(Incident.major_crime).is_(True)))
measured_by("public_order_cases", _counts(SECURITY, col(Incident.major_crime).is_(False)),
            _incidents(SECURITY, col(Incident.major_crime).is_(False)))
measured_by("fire_alarm_rate", _per_population(FIRE_ALARM), _incidents(FIRE_ALARM))
measured_by("fire_rate", _per_population(FIRE_ALARM, col(Incident.actual_fire).is_(True)),
            _incidents(FIRE_ALARM, col(Incident.actual_fire).is_(True)))
measured_by("violation_rate", _per_population(VIOLATION), _incidents(VIOLATION))
measured_by("violation_handling", _handling, _incidents(VIOLATION, counts=lambda i: i.status == IncidentStatus.CLOSED))

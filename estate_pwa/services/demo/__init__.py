"""Demo data: the estate 翠湖花园 (estate.py) with its staff, residents and roster, and 90 days of its life
generated through the services (history.py: requests, patrols, incidents, the survey), so that a newcomer's
`make run` opens on full boards, histories and indicators.

`load` is idempotent: the estate and the history are made once; later calls only top up the roster."""

from datetime import datetime, timedelta

from sqlmodel import Session

from estate_pwa.core.clock import utcnow
from estate_pwa.models import Estate
from estate_pwa.services.demo import estate as demo_estate
from estate_pwa.services.demo import history
from estate_pwa.services.demo import inspections as demo_inspections
from estate_pwa.services.demo.estate import DEMO_ACCOUNTS, DEMO_CODE, DEMO_RESIDENT, ROSTER_DAYS
from estate_pwa.services.demo.history import Summary
from estate_pwa.services.demo.world import HISTORY_DAYS
from estate_pwa.services.roster import local_today

__all__ = ["DEMO_ACCOUNTS", "DEMO_CODE", "DEMO_RESIDENT", "HISTORY_DAYS", "ROSTER_DAYS", "Summary", "load",
           "load_with_summary"]


def load(session: Session, now: datetime | None = None, with_history: bool = True) -> Estate:
    """Create the demo estate and its history once; on every later call only extend the roster. Returns it."""
    return load_with_summary(session, now, with_history)[0]


def load_with_summary(session: Session, now: datetime | None = None,
                      with_history: bool = True) -> tuple[Estate, Summary]:
    """`load`, also saying what the history generated and how long it took."""
    now = now or utcnow()
    estate = demo_estate.find(session) or demo_estate.create(session)
    demo_estate.ensure_accounts(session, estate)
    demo_estate.ensure_patrols(session, estate)
    today = local_today(session, estate.id, now)
    first = today - timedelta(days=HISTORY_DAYS + 1 if with_history else 1)
    demo_estate.fill_roster(session, estate, first, today + timedelta(days=ROSTER_DAYS - 1))
    demo_inspections.ensure_on_call(session, estate, today)
    session.commit()
    summary = history.generate(session, estate, now) if with_history else Summary(False, 0.0, 0, {})
    return estate, summary

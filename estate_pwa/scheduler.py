"""Work the app does on its own while it runs: the patrol clock, which creates every estate's coming rounds and
closes the overdue ones, and makes today's cleaning tasks from the checklists, so boards and indicators are right
even when nobody has a patrol or cleaning screen open.

Every worker runs it; the work is idempotent and the database settles races (see patrol.generate_rounds).
"""

import asyncio
import logging
from datetime import datetime

from sqlmodel import select

from estate_pwa.core.config import settings
from estate_pwa.core.db import session_scope
from estate_pwa.models import Estate
from estate_pwa.services import cleaning, inspections, patrol

logger = logging.getLogger(__name__)


def patrol_tick(now: datetime | None = None, db_url: str | None = None) -> int:
    """Bring every estate's rounds up to date, each estate in its own transaction, so one estate's failure
    (logged) never holds up the others; returns how many estates are up to date."""
    with session_scope(db_url) as session:
        estate_ids = session.exec(select(Estate.id)).all()
    done = 0
    for estate_id in estate_ids:
        try:
            with session_scope(db_url) as session:
                patrol.keep_rounds_current(session, estate_id, now)
            done += 1
        except Exception:
            logger.exception("patrol clock: estate %s not brought up to date", estate_id)
        try:
            with session_scope(db_url) as session:
                cleaning.keep_tasks_current(session, estate_id, now)
        except Exception:
            logger.exception("patrol clock: estate %s has not got today's cleaning tasks", estate_id)
        try:
            with session_scope(db_url) as session:
                inspections.keep_tasks_current(session, estate_id, now)
        except Exception:
            logger.exception("patrol clock: estate %s has not got today's inspections", estate_id)
    return done


async def patrol_clock() -> None:
    """Run `patrol_tick` now and then every `settings.patrol_clock`; a failed tick is logged, never fatal."""
    while True:
        try:
            await asyncio.to_thread(patrol_tick)
        except Exception:
            logger.exception("patrol clock: the estates could not be read; trying again at the next tick")
        await asyncio.sleep(settings.patrol_clock.total_seconds())

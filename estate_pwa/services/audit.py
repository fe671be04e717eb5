"""Writing to the append-only audit log; later features call `record` for every change."""

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from estate_pwa.core.clock import utcnow
from estate_pwa.models import AuditEntry, User

REFUSAL_SUFFIX = "_refused"
REFUSALS_PER_WINDOW = 20
REFUSAL_WINDOW = timedelta(minutes=1)
_suppressed: Counter[tuple[str, int]] = Counter()
_suppressed_lock = threading.Lock()


def record(
    session: Session,
    estate_id: int,
    actor: User | None,
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Append one entry: who (`actor`, None for the system) did `action` to which target."""
    entry = AuditEntry(
        estate_id=estate_id,
        actor_id=actor.id if actor else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )
    session.add(entry)
    return entry


def record_refusal(
    session: Session,
    estate_id: int,
    actor: User,
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    now: datetime | None = None,
    **detail: Any,
) -> AuditEntry | None:
    """Append a refused action (`action` ends in "_refused"), at most REFUSALS_PER_WINDOW per actor per minute.

    The decision is read from the log itself, so it holds across worker processes (on PostgreSQL the actor's
    row is locked while deciding). Refusals over the limit are not written but counted in this process; the
    next refusal it writes for the actor carries `suppressed` (how many were left out). Returns None when left out.
    """
    if not action.endswith(REFUSAL_SUFFIX):
        raise ValueError(f"not a refusal: {action}")
    now = now or utcnow()
    key = (session.get_bind().url.render_as_string(), actor.id)
    session.exec(select(User.id).where(User.id == actor.id).with_for_update())
    written = session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.actor_id == actor.id, col(AuditEntry.created_at) > now - REFUSAL_WINDOW,
        col(AuditEntry.created_at) <= now, col(AuditEntry.action).endswith(REFUSAL_SUFFIX, autoescape=True))).one()
    with _suppressed_lock:
        if written >= REFUSALS_PER_WINDOW:
            _suppressed[key] += 1
            return None
        left_out = _suppressed.pop(key, 0)
    if left_out:
        detail["suppressed"] = left_out
    entry = record(session, estate_id, actor, action, target_type, target_id, **detail)
    entry.created_at = now
    return entry


def recent(session: Session, estate_id: int, limit: int = 20) -> list[AuditEntry]:
    """The newest entries of one estate."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.estate_id == estate_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))

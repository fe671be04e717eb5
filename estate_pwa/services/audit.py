"""Writing to the append-only audit log; later features call `record` for every change."""

from typing import Any

from sqlmodel import Session, col, select

from estate_pwa.models import AuditEntry, User


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


def recent(session: Session, estate_id: int, limit: int = 20) -> list[AuditEntry]:
    """The newest entries of one estate."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.estate_id == estate_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))

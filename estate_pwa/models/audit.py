"""The append-only audit log: who did what, to what, and when."""

from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from estate_pwa.models.base import EstateOwned, Timestamped


class AuditEntry(EstateOwned, Timestamped, table=True):
    """One recorded action; rows are only ever inserted."""

    __table_args__ = (Index("ix_auditentry_actor_created", "actor_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=50, index=True)
    target_type: str = Field(default="", max_length=30)
    target_id: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

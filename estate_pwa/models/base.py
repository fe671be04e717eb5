"""Shared column shapes: the estate every record belongs to, and creation time."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from estate_pwa.core.clock import utcnow


class EstateOwned(SQLModel):
    """Mixin for every record that belongs to one estate (the tenant boundary)."""

    estate_id: int = Field(foreign_key="estate.id", index=True)


class Timestamped(SQLModel):
    """Mixin for records that remember when they were created (UTC)."""

    created_at: datetime = Field(default_factory=utcnow)

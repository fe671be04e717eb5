"""The phone's offline outbox, server side: one receipt per action a person's phone queued (its own uid), so an
action sent again — a resend after a lost answer, two tabs, two workers — is recorded exactly once and answered
as it was the first time."""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned


class OutboxReceipt(EstateOwned, table=True):
    """One action received from a phone's outbox: who sent it, its uid and kind, when it arrived, the phone's claimed
    time, and the answer given ("ok" or a refusal's key, with the feature's answer fields)."""

    __table_args__ = (UniqueConstraint("user_id", "uid", name="uq_outboxreceipt_user_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    uid: str = Field(max_length=64)
    kind: str = Field(max_length=30)
    received_at: datetime
    phone_time: datetime | None = None
    outcome: str = Field(max_length=60)
    answer: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

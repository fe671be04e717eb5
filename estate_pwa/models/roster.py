"""The duty roster: named shifts and who works which shift on which day."""

from datetime import date, time

from sqlmodel import Field, UniqueConstraint

from estate_pwa.models.base import EstateOwned


class Shift(EstateOwned, table=True):
    """A daily shift in estate-local time; a shift may end after midnight (night shift)."""

    __table_args__ = (UniqueConstraint("estate_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=20)
    starts: time
    ends: time
    on_call: bool = False
    """An on-call shift (值班): whoever is on it answers calls from home, and counts for 24-hour cover, but is not
    on site (routine repairs are not dispatched to them; emergencies at night are, see services.oncall)."""


class DutyAssignment(EstateOwned, table=True):
    """One staff member on one shift, in one role, starting on one local date."""

    __table_args__ = (UniqueConstraint("user_id", "shift_id", "day", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    shift_id: int = Field(foreign_key="shift.id")
    role: str = Field(max_length=20)
    day: date = Field(index=True)

"""Accounts, their roles, login sessions and resident invitations."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from estate_pwa.models.base import EstateOwned, Timestamped


class Role(StrEnum):
    """What a person does on the estate; staff may hold several roles."""

    MANAGER = "manager"
    GUARD = "guard"
    CLEANER = "cleaner"
    TECHNICIAN = "technician"
    RESIDENT = "resident"
    INSPECTOR = "inspector"
    """A right, not a job: staff a manager lets inspect cleaning (held beside their staff role)."""


STAFF_ROLES = (Role.MANAGER, Role.GUARD, Role.CLEANER, Role.TECHNICIAN)


class User(EstateOwned, Timestamped, table=True):
    """A person who logs in with a phone number and password."""

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=50)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    failed_logins: int = 0
    locked_until: datetime | None = None


class UserRole(SQLModel, table=True):
    """One role held by one user."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)


class AuthSession(Timestamped, table=True):
    """A logged-in device: only the token's hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    revoked_at: datetime | None = None


class InviteCode(EstateOwned, Timestamped, table=True):
    """A one-time code that lets a resident of one unit create their account."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    code: str = Field(max_length=16, unique=True)
    expires_at: datetime
    created_by_id: int = Field(foreign_key="user.id")
    used_at: datetime | None = None
    used_by_id: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = None

"""Test data builders: every estate, phone number and code is unique, so tests can share a database."""

import itertools
import uuid
from datetime import time
from functools import cache

from sqlmodel import Session, select

from estate_pwa.core.security import hash_password
from estate_pwa.models import Building, Estate, Role, Shift, Unit, User, UserRole
from estate_pwa.services.permissions import Actor, actor_for

PASSWORD = "Passw0rd!"
_phones = itertools.count(int(uuid.uuid4().int % 10**6) * 1000)


@cache
def password_hash(password: str = PASSWORD) -> str:
    """An argon2id hash of `password`, computed once per process and shared by every user made with it (argon2 is
    deliberately slow: ~0.1 s a hash; tests of hashing itself call `hash_password` directly)."""
    return hash_password(password)


def unique_phone() -> str:
    """A valid mainland mobile number not used before in this process."""
    return f"166{next(_phones) % 10**8:08d}"


class Factory:
    """Creates one estate's worth of records in the given session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def estate(self, timezone: str = "Asia/Shanghai") -> Estate:
        """A new estate with one building of four units and a day (08–20) and night (20–08) shift."""
        estate = Estate(name=f"测试小区 {uuid.uuid4().hex[:6]}", code=uuid.uuid4().hex[:16], timezone=timezone)
        self.session.add(estate)
        self.session.flush()
        building = Building(estate_id=estate.id, name="1栋", floors=2)
        self.session.add(building)
        self.session.flush()
        for number in ("101", "102", "201", "202"):
            self.session.add(Unit(estate_id=estate.id, building_id=building.id, number=number,
                                  floor=int(number[0]), area_m2=88.0))
        self.session.add(Shift(estate_id=estate.id, name="白班", starts=time(8), ends=time(20)))
        self.session.add(Shift(estate_id=estate.id, name="夜班", starts=time(20), ends=time(8)))
        self.session.commit()
        return estate

    def units(self, estate: Estate) -> list[Unit]:
        """The estate's units."""
        return list(self.session.exec(select(Unit).where(Unit.estate_id == estate.id).order_by(Unit.id)))

    def shifts(self, estate: Estate) -> dict[str, Shift]:
        """The estate's shifts by name."""
        return {s.name: s for s in self.session.exec(select(Shift).where(Shift.estate_id == estate.id))}

    def user(self, estate: Estate, *roles: Role, unit: Unit | None = None, password: str = PASSWORD,
             name: str = "测试用户") -> User:
        """A user holding `roles` (a resident needs `unit`), with a known password."""
        user = User(estate_id=estate.id, phone=unique_phone(), name=name, password_hash=password_hash(password),
                    unit_id=unit.id if unit else None)
        self.session.add(user)
        self.session.flush()
        for role in roles:
            self.session.add(UserRole(user_id=user.id, role=role))
        self.session.commit()
        return user

    def actor(self, user: User) -> Actor:
        """The actor for a user, as the session layer would resolve it."""
        return actor_for(self.session, user)

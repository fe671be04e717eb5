"""The service menu (菜单式服务): services included in the fee and special services (特约服务) at clearly marked
prices (明码标价). Managers keep the catalogue: names, price and its unit, typical duration, lead time, the
cancellation rule and who does it; the price list of active services is public (no login)."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, func, select

from estate_pwa.models import (
    Estate, PriceUnit, Role, ServiceCategory, ServiceItem, User, UserRole,
)
from estate_pwa.services import audit
from estate_pwa.services.bookings.common import MENU, yuan
from estate_pwa.services.errors import InvalidInput
from estate_pwa.services.jobs.rules import WORKERS
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.validation import choice, money, positive_id, text, whole

NAME_ZH_MAX = 50
NAME_EN_MAX = 80
DURATION = (15, 8 * 60)
"""A booking lasts 15 minutes to 8 hours."""
LEAD = (0, 7 * 24)
FREE_CANCEL = (0, 7 * 24)


@dataclass
class ServiceRow:
    """A service as the menu shows it; names in both languages (the page picks one on the device). `bookable`:
    someone does it, so residents can book a slot."""

    id: int = 0
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    category: str = ""
    price: str = ""
    price_unit: str = ""
    special: bool = True
    active: bool = True
    duration: int = 60
    lead_hours: int = 2
    free_cancel_hours: int = 24
    cancel_fee: str = ""
    staff_role: str = ""
    staff_id: int = 0
    staff_name: str = ""
    bookable: bool = False
    actions: list[str] = field(default_factory=list)


@dataclass
class PriceList:
    """The public price board of one estate."""

    estate: str = ""
    code: str = ""
    special: list[ServiceRow] = field(default_factory=list)
    included: list[ServiceRow] = field(default_factory=list)


def bookable(item: ServiceItem) -> bool:
    """Whether residents can book it: an active special service with someone to do it."""
    return item.active and item.special and bool(item.staff_role or item.staff_id)


def _row(item: ServiceItem, manager: bool, names: dict[int, str] | None = None) -> ServiceRow:
    return ServiceRow(
        item.id, item.name_zh, item.name_en, item.description_zh, item.description_en, item.category,
        yuan(item.price) if item.special else "", item.price_unit, item.special, item.active,
        item.duration_minutes, item.lead_hours, item.free_cancel_hours,
        yuan(item.cancel_fee) if item.special else "", item.staff_role or "", item.staff_id or 0,
        (names or {}).get(item.staff_id, ""), bookable(item),
        (["edit", "deactivate" if item.active else "activate"]) if manager else [])


def ordered(estate_id: int):
    """The estate's services: special first, in the manager's order."""
    return (select(ServiceItem).where(ServiceItem.estate_id == estate_id)
            .order_by(col(ServiceItem.special).desc(), col(ServiceItem.sort), col(ServiceItem.id)))


def catalogue(session: Session, actor: Actor | None) -> list[ServiceRow]:
    """Every service of the estate, active or not, for the manager who keeps them."""
    actor = require(session, actor, MENU, Role.MANAGER)
    items = list(session.exec(ordered(actor.estate_id)))
    ids = {i.staff_id for i in items if i.staff_id}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()) if ids else {}
    return [_row(i, True, names) for i in items]


def estate_for(session: Session, estate_code: object) -> Estate | None:
    """The estate named by `estate_code`, or the only one when no code is given."""
    code = estate_code if isinstance(estate_code, str) and 0 < len(estate_code) <= 32 else ""
    estate = session.exec(select(Estate).where(Estate.code == code)).first() if code else None
    if estate is None and not code and session.exec(select(func.count()).select_from(Estate)).one() == 1:
        estate = session.exec(select(Estate)).first()
    return estate


def price_list(session: Session, estate_code: object = "") -> PriceList:
    """The public price list: active services of the estate named by `estate_code` (or the only estate)."""
    estate = estate_for(session, estate_code)
    if estate is None:
        return PriceList()
    items = [_row(i, False) for i in session.exec(ordered(estate.id).where(col(ServiceItem.active).is_(True)))]
    return PriceList(estate.name, estate.code, [i for i in items if i.special], [i for i in items if not i.special])


def _hours(raw: object, bounds: tuple[int, int], default: int) -> int:
    return default if raw in (None, "") else whole(raw, bounds, "error.service_hours")


def _doer(session: Session, actor: Actor, fields: dict) -> tuple[str | None, int | None]:
    """Who does the service: a role whose staff have a job list, and/or one person holding it."""
    role = fields.get("staff_role") or None
    role = choice(role, WORKERS, "error.service_staff") if role is not None else None
    person = fields.get("staff_id") or None
    if person is None:
        return role, None
    user = in_estate(session, actor, User, positive_id(person))
    held = set(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)))
    if not user.is_active or not held.intersection({role} if role else set(WORKERS)):
        raise InvalidInput("error.service_staff")
    return role, user.id


def save_service(session: Session, actor: Actor | None, fields: dict, service_id: object = None) -> ServiceItem:
    """A manager adds a service or changes one: names (zh required, en optional), description, category; for a
    special service its price and unit (a positive amount), typical duration, lead time, cancellation rule (free
    until N hours before, a fee after) and who does it (a role and/or one person); an included one has no price."""
    actor = require(session, actor, MENU, Role.MANAGER)
    fields = fields if isinstance(fields, dict) else {}
    with refusing(session, actor, MENU):
        item = in_estate(session, actor, ServiceItem, positive_id(service_id)) if service_id else None
        name_zh = text(fields.get("name_zh"), "error.service_name_required", NAME_ZH_MAX)
        name_en = text(fields.get("name_en"), "error.bad_request", NAME_EN_MAX, required=False) or name_zh
        description_zh = text(fields.get("description_zh"), "error.bad_request", 300, required=False)
        description_en = text(fields.get("description_en"), "error.bad_request", 500, required=False)
        category = choice(fields.get("category"), ServiceCategory, "error.bad_request")
        special = fields.get("special") in (True, "on", "true", "1")
        price = money(fields.get("price")) if special else Decimal("0.00")
        unit = choice(fields.get("price_unit") or PriceUnit.VISIT, PriceUnit, "error.bad_request")
        duration = whole(fields.get("duration_minutes") or 60, DURATION, "error.service_duration")
        lead = _hours(fields.get("lead_hours"), LEAD, 2)
        free = _hours(fields.get("free_cancel_hours"), FREE_CANCEL, 24)
        fee = money(fields.get("cancel_fee") or "0", zero=True) if special else Decimal("0.00")
        if fee > price and unit == PriceUnit.VISIT:  # per hour, item or m²: capped by the booking's amount
            raise InvalidInput("error.cancel_fee_over_price")
        role, person = _doer(session, actor, fields) if special else (None, None)
    if item is None:
        item = ServiceItem(estate_id=actor.estate_id, name_zh=name_zh, name_en=name_en, category=category)
        session.add(item)
    item.name_zh, item.name_en, item.category = name_zh, name_en, category
    item.description_zh, item.description_en = description_zh, description_en
    item.special, item.price, item.price_unit = special, price, unit
    item.duration_minutes, item.lead_hours, item.free_cancel_hours, item.cancel_fee = duration, lead, free, fee
    item.staff_role, item.staff_id = role, person
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "service_saved", "serviceitem", item.id,
                 name=name_zh, price=str(price))
    return item


def set_active(session: Session, actor: Actor | None, service_id: object, active: bool) -> ServiceItem:
    """A manager takes a service off the menu, or puts it back."""
    actor = require(session, actor, MENU, Role.MANAGER)
    with refusing(session, actor, MENU):
        item = in_estate(session, actor, ServiceItem, positive_id(service_id))
    item.active = active is True
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "service_activated" if item.active else "service_deactivated", "serviceitem", item.id)
    return item


def special_count(session: Session, estate_id: int) -> int:
    """Active special services at a marked price (the plan's ≥ 10)."""
    return int(session.exec(select(func.count()).select_from(ServiceItem).where(
        ServiceItem.estate_id == estate_id, col(ServiceItem.special).is_(True), col(ServiceItem.active).is_(True),
        col(ServiceItem.price) > 0)).one())


def staff_choices(session: Session, actor: Actor | None) -> list[tuple[int, str]]:
    """Active staff who can do bookable services (id, name), for the catalogue's form."""
    actor = require(session, actor, MENU, Role.MANAGER)
    return [(uid, name) for uid, name in session.exec(
        select(User.id, User.name).join(UserRole, col(UserRole.user_id) == User.id)
        .where(User.estate_id == actor.estate_id, col(User.is_active).is_(True),
               col(UserRole.role).in_([str(w) for w in WORKERS]))
        .distinct().order_by(col(User.id)))]


def doers(session: Session, item: ServiceItem) -> list[tuple[int, str]]:
    """Active staff of the estate who may do the service (id, name): holders of its role, or of any role with a
    job list when it names a person only — whom the office may send instead."""
    roles = [item.staff_role] if item.staff_role else [str(w) for w in WORKERS]
    return [(uid, name) for uid, name in session.exec(
        select(User.id, User.name).join(UserRole, col(UserRole.user_id) == User.id)
        .where(User.estate_id == item.estate_id, col(User.is_active).is_(True), col(UserRole.role).in_(roles))
        .distinct().order_by(col(User.id)))]

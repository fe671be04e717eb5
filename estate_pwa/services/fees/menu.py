"""The service menu (菜单式服务): services included in the fee and special services (特约服务) at clearly marked
prices (明码标价). Managers keep the catalogue; the price list of active services is public (no login)."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, func, select

from estate_pwa.models import Estate, PriceUnit, Role, ServiceCategory, ServiceItem, User
from estate_pwa.services import audit
from estate_pwa.services.fees.common import MENU, yuan
from estate_pwa.services.permissions import Actor, in_estate
from estate_pwa.services.refusals import refusing, require
from estate_pwa.services.validation import choice, money, positive_id, text

NAME_ZH_MAX = 50
NAME_EN_MAX = 80


@dataclass
class ServiceRow:
    """A service as the menu shows it; names in both languages (the page picks one on the device)."""

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
    actions: list[str] = field(default_factory=list)


@dataclass
class PriceList:
    """The public price board of one estate."""

    estate: str = ""
    special: list[ServiceRow] = field(default_factory=list)
    included: list[ServiceRow] = field(default_factory=list)


def _row(item: ServiceItem, manager: bool) -> ServiceRow:
    return ServiceRow(item.id, item.name_zh, item.name_en, item.description_zh, item.description_en, item.category,
                      yuan(item.price) if item.special else "", item.price_unit, item.special, item.active,
                      (["edit", "deactivate" if item.active else "activate"]) if manager else [])


def _ordered(estate_id: int):
    return (select(ServiceItem).where(ServiceItem.estate_id == estate_id)
            .order_by(col(ServiceItem.special).desc(), col(ServiceItem.sort), col(ServiceItem.id)))


def catalogue(session: Session, actor: Actor | None) -> list[ServiceRow]:
    """Every service of the estate, active or not, for the manager who keeps them."""
    actor = require(session, actor, MENU, Role.MANAGER)
    return [_row(i, True) for i in session.exec(_ordered(actor.estate_id))]


def price_list(session: Session, estate_code: object = "") -> PriceList:
    """The public price list: active services of the estate named by `estate_code` (or the only estate)."""
    code = estate_code if isinstance(estate_code, str) and 0 < len(estate_code) <= 32 else ""
    estate = session.exec(select(Estate).where(Estate.code == code)).first() if code else None
    if estate is None and not code and session.exec(select(func.count()).select_from(Estate)).one() == 1:
        estate = session.exec(select(Estate)).first()
    if estate is None:
        return PriceList()
    items = [_row(i, False) for i in session.exec(_ordered(estate.id).where(col(ServiceItem.active).is_(True)))]
    return PriceList(estate.name, [i for i in items if i.special], [i for i in items if not i.special])


def save_service(session: Session, actor: Actor | None, fields: dict, service_id: object = None) -> ServiceItem:
    """A manager adds a service or changes one: names (zh required, en optional), description, category, and for
    a special service its price and unit (a positive amount); an included one has no price."""
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
    if item is None:
        item = ServiceItem(estate_id=actor.estate_id, name_zh=name_zh, name_en=name_en, category=category)
        session.add(item)
    item.name_zh, item.name_en, item.category = name_zh, name_en, category
    item.description_zh, item.description_en = description_zh, description_en
    item.special, item.price, item.price_unit = special, price, unit
    session.flush()
    audit.record(session, actor.estate_id, session.get(User, actor.id), "service_saved", "serviceitem", item.id,
                 name=name_zh, price=str(price))
    return item


def set_active(session: Session, actor: Actor | None, service_id: object, active: bool) -> ServiceItem:
    """A manager takes a service off the menu, or puts it back."""
    actor = require(session, actor, MENU, Role.MANAGER)
    with refusing(session, actor, MENU):
        item = in_estate(session, actor, ServiceItem, positive_id(service_id))
    item.active = bool(active)
    audit.record(session, actor.estate_id, session.get(User, actor.id),
                 "service_activated" if item.active else "service_deactivated", "serviceitem", item.id)
    return item


def special_count(session: Session, estate_id: int) -> int:
    """Active special services at a marked price (the plan's ≥ 10)."""
    return int(session.exec(select(func.count()).select_from(ServiceItem).where(
        ServiceItem.estate_id == estate_id, col(ServiceItem.special).is_(True), col(ServiceItem.active).is_(True),
        col(ServiceItem.price) > 0)).one())

"""What a campaign run works with: the portal's settings and pipeline, a fixed moment, and the customers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.messaging import templates
from bitrix_app.robots.context import items_of
from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.shops.settings import ShopSettings, get_settings
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, Customer, OrderRecord, Shop

from bitrix_app.scope import ScopedContext

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

SOURCE = "campaigns"  # ORIGINATOR_ID of campaign deals, `source` of campaign messages


@dataclass
class CampaignContext(ScopedContext):
    """A run on one portal's scope (bulk lane) at a fixed moment; also a `messaging.MessagingContext`."""

    scope: "PortalScope"
    clock: FrozenClock
    settings: ShopSettings
    responsible_id: int | None
    category_id: int | None  # the repeat-sales pipeline
    language: str
    shop_name: str

    @property
    def now(self) -> datetime:
        return self.clock.now()


@dataclass
class Target:
    """One entry's customer: profile, CRM contact, last purchase and the cart they left after it (for the
    templates)."""

    entry_id: int
    customer_id: int
    contact_id: int | None
    profile: dict = field(default_factory=dict)
    order: dict | None = None
    cart: dict | None = None  # their newest abandoned cart, when left after their last purchase

    @property
    def name(self) -> str:
        parts = (self.profile.get("first_name"), self.profile.get("last_name"))
        return " ".join(p for p in parts if p) or f"customer {self.customer_id}"


def build(scope: "PortalScope", now: datetime) -> CampaignContext | None:
    """None when the portal is unknown."""
    member_id = scope.member_id
    with transaction(scope.sessions) as s:
        portal = s.scalar(select(PortalRecord).where(PortalRecord.member_id == member_id))
        if portal is None:
            return None
        settings = get_settings(s, member_id)
        shop = s.scalar(select(Shop.name).where(Shop.member_id == member_id).order_by(Shop.id).limit(1))
        language = templates.language_of(s, member_id)
        category, installer = portal.repeat_category_id, portal.installed_by
    return CampaignContext(scope, FrozenClock(now), settings, settings.responsible_id or installer, category, language,
                           shop or "our shop")


def targets(session, member_id: str, entries: list) -> list[Target]:
    """The customers of these entries with their newest profile (consent may have changed since entry)."""
    ids = sorted({e.customer_id for e in entries})
    customers = {c.id: c for c in session.scalars(select(Customer).where(
        Customer.member_id == member_id, Customer.id.in_(ids)))}
    contacts = dict(session.execute(select(CustomerFigures.customer_id, CustomerFigures.contact_id).where(
        CustomerFigures.member_id == member_id, CustomerFigures.customer_id.in_(ids))).all())
    last: dict[int, OrderRecord] = {}
    for order in session.scalars(select(OrderRecord).where(
            OrderRecord.member_id == member_id, OrderRecord.customer_id.in_(ids),
            OrderRecord.status.not_in(NOT_PURCHASES)).order_by(OrderRecord.ordered_at)):
        last[order.customer_id] = order
    carts: dict[int, Cart] = {}
    for cart in session.scalars(select(Cart).where(Cart.member_id == member_id, Cart.customer_id.in_(ids),
                                                   Cart.state == "abandoned").order_by(Cart.version)):
        carts[cart.customer_id] = cart
    out = []
    for e in entries:
        row = customers.get(e.customer_id)
        profile = dict(row.profile or {}) if row is not None else {}
        contact = (row.contact_id if row is not None else None) or contacts.get(e.customer_id)
        order = last.get(e.customer_id)
        out.append(Target(e.id, e.customer_id, contact, profile, _order_data(order),
                          _cart_data(carts.get(e.customer_id), order)))
    return out


def _cart_data(cart: Cart | None, order: OrderRecord | None) -> dict | None:
    """The cart as templates read it (items, total, currency), when it was left after the last purchase."""
    if cart is None or (order is not None and utc(order.ordered_at) >= utc(cart.version)):
        return None
    data = cart.data or {}
    return {"total": data.get("total"), "currency": data.get("currency"), "items": items_of(data.get("items"))}


def _order_data(order: OrderRecord | None) -> dict | None:
    if order is None:
        return None
    return {"number": order.number or order.order_id, "total": order.total, "currency": order.currency,
            "items": items_of(order.items)}

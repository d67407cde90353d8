"""Helpers of the CRM-side segment tests: contacts in the sandbox, hand-made customer figures, app context."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from bitrix_app.scope import portal_scope
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Customer

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def add_contact(shop, **fields) -> int:
    """A contact made by staff (through the portal's webhook)."""
    return int(shop.env.rest("crm.contact.add", {"fields": {"NAME": "Ann", **fields}}))


def contact(shop, contact_id: int) -> dict:
    return shop.env.rest("crm.contact.get", {"id": contact_id})


def add_figures(shop, contact_id: int | None, **figures) -> int:
    """A customer and their customer_stats row, as the engine would leave it (dirty unless told)."""
    with shop.session() as s:
        customer = Customer(member_id=shop.member_id, contact_id=contact_id, profile={})
        s.add(customer)
        s.flush()
        row = {"orders": 1, "revenue": 100.0, "paid_revenue": 100.0, "ltv": 100.0, "segments": "|NEW_ACTIVE|",
               "lifecycle": "NEW_ACTIVE", "r": 5, "f": 1, "m": 2, "last_order_at": NOW, "first_order_at": NOW,
               "dirty": True, **figures}
        s.add(CustomerFigures(customer_id=customer.id, member_id=shop.member_id, contact_id=contact_id, **row))
        return customer.id


def figures(shop, customer_id: int) -> CustomerFigures:
    with shop.session() as s:
        return s.scalar(select(CustomerFigures).where(CustomerFigures.customer_id == customer_id))


def change(shop, customer_id: int, **values) -> None:
    """The engine moved a customer: new figures, dirty again."""
    with shop.session() as s:
        row = s.get(CustomerFigures, customer_id)
        for key, value in {**values, "dirty": True}.items():
            setattr(row, key, value)


def written(shop, customer_id: int) -> dict:
    raw = figures(shop, customer_id).written
    return raw or {}


def app_batches(shop) -> list[dict]:
    return [c for c in shop.env.calls("batch") if c.get("auth") == "oauth"]


def in_app(shop, func, *args, **kwargs):
    with shop.env.app.app_context():
        return func(*args, **kwargs)


def in_scope(shop, func, member_id: str, *args, **kwargs):
    """`func(scope, ...)` on the portal's scope, inside the app."""
    with shop.env.app.app_context():
        return func(portal_scope(member_id), *args, **kwargs)

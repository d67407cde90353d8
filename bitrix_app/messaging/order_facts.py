"""What a message about an order says of it and of its shop: the facts a template's placeholders read."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.shop_models import OrderRecord, Shop


def shop_of(session: Session, member_id: str, order: OrderRecord | None,
            fallback: tuple[str, str]) -> tuple[str, str]:
    """The shop the order came from, else the portal's first shop, else `fallback`: (id for the records, name
    for the text)."""
    q = select(Shop).where(Shop.member_id == member_id)
    if order is not None:
        q = q.where(Shop.shop_id == order.shop_id)
    shop = session.scalar(q.order_by(Shop.id).limit(1))
    return (shop.shop_id, shop.name) if shop else fallback


def order_facts(order: OrderRecord | None) -> dict | None:
    """The order as templates read it: number, total, currency and its items (objects only)."""
    if order is None:
        return None
    items = order.items if isinstance(order.items, list) else []
    return {"number": order.number or order.order_id, "total": order.total, "currency": order.currency,
            "items": [i for i in items if isinstance(i, dict)]}

"""Recommended products for a customer, rendered as the `{products}` block: what other customers bought together
with the customer's products, else the shop's best sellers; never what the customer already bought."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.shop_models import OrderRecord

HISTORY_WINDOW = 5000  # newest orders of the portal read for co-purchases


def _items(raw) -> list[dict]:
    return [i for i in raw if isinstance(i, dict) and (i.get("sku") or i.get("name"))] if isinstance(raw, list) else []


def _key(item: dict) -> str:
    return str(item.get("sku") or item.get("name"))


def recommended(session: Session, member_id: str, customer_id: int | None, limit: int = 3) -> list[dict]:
    """Up to `limit` products {name, price, currency}: co-purchases first, then best sellers."""
    rows = session.execute(select(OrderRecord.items, OrderRecord.customer_id, OrderRecord.currency).where(
        OrderRecord.member_id == member_id, OrderRecord.status.not_in(NOT_PURCHASES))
        .order_by(OrderRecord.ordered_at.desc()).limit(HISTORY_WINDOW)).all()
    own = {_key(i) for items, cid, _ in rows if customer_id is not None and cid == customer_id for i in _items(items)}
    together, sold, seen = Counter(), Counter(), {}
    for items, cid, currency in rows:
        basket = _items(items)
        for item in basket:
            seen.setdefault(_key(item), {"name": str(item.get("name") or item.get("sku")),
                                         "price": item.get("price"), "currency": currency})
        if customer_id is not None and cid == customer_id:
            continue
        keys = {_key(i) for i in basket}
        sold.update(keys)
        if keys & own:
            together.update(keys - own)
    order = [k for k, _ in sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))]
    order += [k for k, _ in sorted(sold.items(), key=lambda kv: (-kv[1], kv[0])) if k not in own and k not in order]
    return [seen[k] for k in order[:limit]]


def block(products: list[dict]) -> str:
    """The product block as text: one product a line with its price and currency."""
    return "\n".join(f"- {p['name']}: {p['price']} {p.get('currency') or ''}".rstrip() if p.get("price") is not None
                     else f"- {p['name']}" for p in products)

"""Recommended products for a customer, rendered as the `{products}` block: what other customers bought together
with the customer's products, else the shop's best sellers; never what the customer already bought.

`Recommender` reads the portal's newest orders once and answers for any number of customers (a campaign's run);
`recommended` answers for one. A sender fills the block only when its template uses it (`uses`)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.shop_models import OrderRecord

HISTORY_WINDOW = 5000  # newest orders of the portal read for co-purchases
TOKEN = "{products}"


def _items(raw) -> list[dict]:
    return [i for i in raw if isinstance(i, dict) and (i.get("sku") or i.get("name"))] if isinstance(raw, list) else []


def _key(item: dict) -> str:
    return str(item.get("sku") or item.get("name"))


def _ranked(counts: Counter) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


class Recommender:
    """The portal's newest purchases, read once: baskets by customer, which baskets hold each product, the best
    sellers and each product's newest name, price and currency."""

    def __init__(self, session: Session, member_id: str):
        rows = session.execute(select(OrderRecord.items, OrderRecord.customer_id, OrderRecord.currency).where(
            OrderRecord.member_id == member_id, OrderRecord.status.not_in(NOT_PURCHASES))
            .order_by(OrderRecord.ordered_at.desc()).limit(HISTORY_WINDOW)).all()
        self.seen: dict[str, dict] = {}
        self.baskets: list[tuple[int | None, frozenset[str]]] = []
        self.holding: dict[str, list[int]] = {}  # product -> indexes of the baskets with it
        self.owned: dict[int, set[str]] = {}  # customer -> the products of their baskets
        sold: Counter = Counter()
        for items, cid, currency in rows:
            basket = _items(items)
            for item in basket:
                self.seen.setdefault(_key(item), {"name": str(item.get("name") or item.get("sku")),
                                                  "price": item.get("price"), "currency": currency})
            keys = frozenset(_key(i) for i in basket)
            for k in keys:
                self.holding.setdefault(k, []).append(len(self.baskets))
            self.baskets.append((cid, keys))
            if cid is not None:
                self.owned.setdefault(cid, set()).update(keys)
            sold.update(keys)
        # a customer's own baskets only count products they own, which are never recommended to them: the
        # portal-wide ranking, less their products, is their best-seller ranking
        self.best = _ranked(sold)

    def products(self, customer_id: int | None, limit: int = 3) -> list[dict]:
        """Up to `limit` products {name, price, currency}: co-purchases first, then best sellers."""
        own = frozenset(self.owned.get(customer_id, ())) if customer_id is not None else frozenset()
        others = {i for k in own for i in self.holding.get(k, ()) if self.baskets[i][0] != customer_id}
        together: Counter = Counter()
        for i in others:
            together.update(self.baskets[i][1] - own)
        order = _ranked(together)
        picked = set(order)
        order += [k for k in self.best if k not in own and k not in picked]
        return [self.seen[k] for k in order[:limit]]

    def block(self, customer_id: int | None, limit: int = 3) -> str | None:
        """The customer's product block, None when there is nothing to recommend."""
        return block(self.products(customer_id, limit)) or None


def recommended(session: Session, member_id: str, customer_id: int | None, limit: int = 3) -> list[dict]:
    """Up to `limit` products {name, price, currency}: co-purchases first, then best sellers."""
    return Recommender(session, member_id).products(customer_id, limit)


def block(products: list[dict]) -> str:
    """The product block as text: one product a line with its price and currency."""
    return "\n".join(f"- {p['name']}: {p['price']} {p.get('currency') or ''}".rstrip() if p.get("price") is not None
                     else f"- {p['name']}" for p in products)


def uses(template) -> bool:
    """The template (subject, text or SMS) asks for the product block."""
    return any(TOKEN in (part or "") for part in (template.subject, template.text, template.sms))


def block_for(session: Session, member_id: str, template, customer_id: int | None) -> str | None:
    """One customer's product block when the template uses it (None otherwise, or when nothing is recommended)."""
    return Recommender(session, member_id).block(customer_id) if uses(template) else None

"""recommend_products: configured rules first, then what other customers bought together with these products."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import OrderRecord

from .context import Outcome, RobotContext, items_of
from .rules import get_rules

HISTORY_WINDOW = 5000  # newest orders of the portal read for co-purchases


def pick(bought: list[dict], rules: list[dict], baskets: list[list[dict]], limit: int) -> list[str]:
    """Up to `limit` SKUs: rule offers in rule order, then co-purchases of SKUs not bought yet, most frequent first."""
    skus = {str(i.get("sku")) for i in bought if i.get("sku")}
    categories = {str(i.get("category")) for i in bought if i.get("category")}
    chosen: list[str] = []
    for rule in rules:
        if rule.get("if_sku") in skus or rule.get("if_category") in categories:
            chosen.extend(s for s in rule["offer"] if s not in chosen)
    together: Counter = Counter()
    for basket in baskets:
        inside = {str(i.get("sku")) for i in basket if i.get("sku")}
        if inside & skus:
            together.update(inside - skus)
    chosen.extend(s for s, _ in sorted(together.items(), key=lambda kv: (-kv[1], kv[0])) if s not in chosen)
    return chosen[:limit]


def recommend_products(ctx: RobotContext) -> Outcome:
    limit = ctx.int_prop("limit", 3, 1, 20)
    customer = ctx.customer_id()
    own = [o for o in ctx.orders(customer) if o.status not in NOT_PURCHASES]
    bought = [item for order in own for item in items_of(order.items)]
    with transaction(ctx.sessions) as s:
        rules = get_rules(s, ctx.member_id)
        query = select(OrderRecord.items, OrderRecord.customer_id).where(
            OrderRecord.member_id == ctx.member_id, OrderRecord.status.not_in(NOT_PURCHASES)) \
            .order_by(OrderRecord.ordered_at.desc()).limit(HISTORY_WINDOW)
        others = [items for items, cid in s.execute(query) if customer is None or cid != customer]
    baskets = [items_of(items) for items in others]
    skus = pick(bought, rules, baskets, limit)
    names = {str(i.get("sku")): str(i.get("name") or i.get("sku")) for b in [bought, *baskets] for i in b}
    text = ", ".join(names.get(s, s) for s in skus)
    values = {"text": text, "skus": ",".join(skus), "count": len(skus)}
    if not skus:
        return Outcome(values, "No products to recommend for this customer")
    return Outcome(values, f"Recommended: {text}")

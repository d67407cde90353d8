"""Products and categories a portal's customers bought, for the cross-sell and replenishment pickers: read from the
shop's order lines (codes and buyers) and the newest orders' items (the products' names)."""
from __future__ import annotations

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from bitrix_app.store.segment_models import OrderLine
from bitrix_app.store.shop_models import OrderRecord

LINES, ORDERS = OrderLine.__table__, OrderRecord.__table__
NAMED_ORDERS = 500  # the newest orders whose items name the products
MAX_NAMED = 200  # skus found by name per search


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _names(session: Session, member_id: str) -> dict[str, str]:
    """sku -> the product's name in the newest orders that list it."""
    found: dict[str, str] = {}
    items = session.execute(select(ORDERS.c["items"]).where(ORDERS.c.member_id == member_id)
                            .order_by(ORDERS.c.id.desc()).limit(NAMED_ORDERS)).scalars()
    for listed in items:
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and item.get("sku") and item.get("name"):
                found.setdefault(str(item["sku"]), str(item["name"]))
    return found


def _top(session: Session, member_id: str, column, q: str, limit: int, also=None) -> list[tuple[str, int]]:
    """The column's values with their buyers, most bought first, matching q (in the value or `also`)."""
    query = (select(column, func.count(func.distinct(LINES.c.customer_id)).label("buyers"))
             .where(LINES.c.member_id == member_id, LINES.c.counted == true(), column.is_not(None)))
    if q:
        terms = [column.ilike(_like(q), escape="\\")] + ([also] if also is not None else [])
        query = query.where(or_(*terms))
    rows = session.execute(query.group_by(column).order_by(func.count(func.distinct(LINES.c.customer_id)).desc(),
                                                           column).limit(limit))
    return [(value, buyers) for value, buyers in rows]


def pickable(session: Session, member_id: str, q: str = "", limit: int = 20) -> dict:
    """Products (sku, name, buyers) and categories (name, buyers) whose code or name contains q."""
    q = (q or "").strip()
    names = _names(session, member_id)
    named = [sku for sku, name in names.items() if q and q.lower() in name.lower()][:MAX_NAMED]
    also = LINES.c.sku.in_(named) if named else None
    products = [{"sku": sku, "name": names.get(sku) or sku, "buyers": buyers}
                for sku, buyers in _top(session, member_id, LINES.c.sku, q, limit, also)]
    categories = [{"category": cat, "buyers": buyers} for cat, buyers in _top(session, member_id, LINES.c.category, q,
                                                                             limit)]
    return {"products": products, "categories": categories}



def product_names(session: Session, member_id: str) -> dict[str, str]:
    """sku -> the product's name, as the newest orders list it (for wording explanations)."""
    return _names(session, member_id)

"""Keep shop_order_lines in step with an order's newest version (one row per item, flagged if it is a purchase)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, insert

from bitrix_app.store.segment_models import OrderLine
from bitrix_app.store.shop_models import OrderRecord

from .lifecycle import NOT_PURCHASES


def record_lines(session, rec: OrderRecord, items: list[dict]) -> None:
    """Replace the order's lines; `rec` must be flushed (it needs its id)."""
    session.execute(delete(OrderLine).where(OrderLine.order_ref == rec.id))
    counted = rec.status not in NOT_PURCHASES
    rows = [{
        "member_id": rec.member_id, "order_ref": rec.id, "customer_id": rec.customer_id, "sku": str(item["sku"])[:100],
        "category": (item.get("category") or None) and str(item["category"])[:255],
        "quantity": float(Decimal(str(item.get("quantity", 1)))),
        "amount": float(Decimal(str(item.get("price", 0))) * Decimal(str(item.get("quantity", 1)))),
        "ordered_at": rec.ordered_at, "counted": counted,
    } for item in items]
    if rows:
        session.execute(insert(OrderLine), rows)

"""Keep shop_order_lines in step with an order's newest version (one row per item, flagged if it is a purchase)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert

from bitrix_app.orders.shapes import LineItem
from bitrix_app.store.segment_models import OrderLine
from bitrix_app.store.shop_models import OrderRecord

from .lifecycle import NOT_PURCHASES


def record_lines(session, rec: OrderRecord, items: Sequence[LineItem]) -> None:
    """Replace the order's lines; `rec` must be flushed (it needs its id)."""
    session.execute(delete(OrderLine).where(OrderLine.order_ref == rec.id))
    counted = rec.status not in NOT_PURCHASES
    rows = [{
        "member_id": rec.member_id, "order_ref": rec.id, "customer_id": rec.customer_id, "sku": item.sku[:100],
        "category": (item.category or None) and item.category[:255], "quantity": float(item.quantity),
        "amount": float(item.amount), "ordered_at": rec.ordered_at, "counted": counted,
    } for item in items]
    if rows:
        session.execute(insert(OrderLine), rows)

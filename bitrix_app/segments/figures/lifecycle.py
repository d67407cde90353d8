"""A customer's purchase figures, lifecycle cell and RFM code from their orders: pure, no I/O.

Purchases are orders not cancelled or refunded; lifetime value counts only orders that were paid
(paid, shipped, ready for pickup, delivered, completed). Cells come from
`bitrix_app.portals.desired.LIFECYCLE_CELLS`: purchases 1 / 2-3 / 4+ (NEW / PROMISING / LOYAL) ×
days since the last purchase <= 60 / <= 180 / more (ACTIVE / SLEEPING / LOST), the defaults of the
segment settings (bitrix_app.segments.settings). The RFM code here uses fixed thresholds: it is the fallback
of a customer the segment engine has not scored yet (the engine scores by quintiles within the portal).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

NOT_PURCHASES = frozenset({"cancelled", "refunded"})
PAID = frozenset({"paid", "shipped", "ready_for_pickup", "delivered", "completed"})


@dataclass(frozen=True)
class Thresholds:
    promising_from: int = 2  # purchases
    loyal_from: int = 4
    active_days: int = 60
    sleeping_days: int = 180
    recency_days: tuple = (30, 60, 90, 180)  # RFM R: 5 if within the first, ... 1 beyond the last
    frequency: tuple = (2, 3, 4, 6)  # RFM F: 1 below the first, ... 5 at or above the last
    monetary: tuple = (Decimal(100), Decimal(500), Decimal(1000), Decimal(5000))  # RFM M, like F


@dataclass(frozen=True)
class OrderFact:
    status: str
    total: Decimal
    ordered_at: datetime
    currency: str = ""


@dataclass(frozen=True)
class CustomerStats:
    orders: int
    total_spent: Decimal
    average_order: Decimal
    lifetime_value: Decimal
    last_order_date: date | None
    days_since_last_order: int | None
    repeat_buyer: bool
    segment: str | None  # a LIFECYCLE_CELLS code; None without purchases
    rfm: str | None  # e.g. "534"; None without purchases
    currency: str


def lifecycle_cell(purchases: int, days_since: int, t: Thresholds = Thresholds()) -> str | None:
    if purchases < 1:
        return None
    band = "LOYAL" if purchases >= t.loyal_from else "PROMISING" if purchases >= t.promising_from else "NEW"
    recency = "ACTIVE" if days_since <= t.active_days else "SLEEPING" if days_since <= t.sleeping_days else "LOST"
    return f"{band}_{recency}"


def rfm_code(days_since: int, purchases: int, monetary: Decimal, t: Thresholds = Thresholds()) -> str:
    recency = 5 - sum(days_since > limit for limit in t.recency_days)
    frequency = 1 + sum(purchases >= limit for limit in t.frequency)
    money = 1 + sum(monetary >= limit for limit in t.monetary)
    return f"{recency}{frequency}{money}"


def customer_stats(orders: list[OrderFact], now: datetime, t: Thresholds = Thresholds()) -> CustomerStats:
    """The figures a manager sees for one customer at `now`."""
    bought = sorted((o for o in orders if o.status not in NOT_PURCHASES), key=lambda o: o.ordered_at)
    total = sum((o.total for o in bought), Decimal(0))
    ltv = sum((o.total for o in bought if o.status in PAID), Decimal(0))
    if not bought:
        return CustomerStats(0, Decimal(0), Decimal(0), Decimal(0), None, None, False, None, None, "")
    last = bought[-1]
    days = max(0, (now - last.ordered_at).days)
    average = (total / len(bought)).quantize(Decimal("0.01"))
    return CustomerStats(
        orders=len(bought), total_spent=total, average_order=average, lifetime_value=ltv,
        last_order_date=last.ordered_at.date(), days_since_last_order=days, repeat_buyer=len(bought) > 1,
        segment=lifecycle_cell(len(bought), days, t), rfm=rfm_code(days, len(bought), total, t),
        currency=last.currency,
    )

"""customer_profile: the deal customer's purchase figures, lifecycle segment and RFM code."""
from __future__ import annotations

from decimal import Decimal

from bitrix_app.segments.lifecycle import CustomerStats, customer_stats

from .context import Outcome, RobotContext, facts


def stats_for_deal(ctx: RobotContext) -> CustomerStats:
    return customer_stats(facts(ctx.orders(ctx.customer_id())), ctx.now)


def customer_profile(ctx: RobotContext) -> Outcome:
    stats = stats_for_deal(ctx)
    values = {
        "segment": stats.segment or "", "rfm": stats.rfm or "", "orders": stats.orders,
        "total_spent": _num(stats.total_spent), "average_order": _num(stats.average_order),
        "last_order_date": stats.last_order_date.isoformat() if stats.last_order_date else "",
        "days_since_last_order": "" if stats.days_since_last_order is None else stats.days_since_last_order,
        "lifetime_value": _num(stats.lifetime_value), "repeat_buyer": "Y" if stats.repeat_buyer else "N",
        "currency": stats.currency,
    }
    if not stats.orders:
        return Outcome(values, "No shop purchases for this deal's customer yet")
    return Outcome(values, f"Customer: {stats.segment}, RFM {stats.rfm}, {stats.orders} orders, "
                           f"{values['total_spent']} {stats.currency} spent, last {stats.last_order_date}")


def _num(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"

"""customer_profile: the deal customer's purchase figures, lifecycle segment, RFM code and lifetime value.

Segment, RFM code and LTV are the segment engine's (customer_stats: the same values the contact fields get)
when it has figures for the customer; otherwise they are computed here from the orders (fixed RFM thresholds,
LTV = the paid value).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from bitrix_app.segments import CustomerStats, customer_stats, rfm_code
from bitrix_app.store.db import transaction
from bitrix_app.store.segment_models import CustomerFigures

from .context import Outcome, RobotContext, facts


def stats_for_deal(ctx: RobotContext) -> CustomerStats:
    return customer_stats(facts(ctx.orders(ctx.customer_id())), ctx.now)


def engine_figures(ctx: RobotContext, customer_id: int | None) -> dict | None:
    """The engine's lifecycle cell, RFM code and LTV of a customer with purchases (None when it has none)."""
    if customer_id is None:
        return None
    cf = CustomerFigures
    with transaction(ctx.sessions) as s:
        row = s.execute(select(cf.lifecycle, cf.r, cf.f, cf.m, cf.ltv, cf.orders).where(
            cf.member_id == ctx.member_id, cf.customer_id == customer_id)).first()
    if row is None or not row.orders:
        return None
    return {"segment": row.lifecycle, "rfm": rfm_code(row.r, row.f, row.m), "ltv": Decimal(str(row.ltv or 0))}


def customer_profile(ctx: RobotContext) -> Outcome:
    customer_id = ctx.customer_id()
    stats = customer_stats(facts(ctx.orders(customer_id)), ctx.now)
    engine = engine_figures(ctx, customer_id) or {}
    segment = engine.get("segment") or stats.segment or ""
    rfm = engine.get("rfm") or stats.rfm or ""
    values = {
        "segment": segment, "rfm": rfm, "orders": stats.orders,
        "total_spent": _num(stats.total_spent), "average_order": _num(stats.average_order),
        "last_order_date": stats.last_order_date.isoformat() if stats.last_order_date else "",
        "days_since_last_order": "" if stats.days_since_last_order is None else stats.days_since_last_order,
        "lifetime_value": _num(engine.get("ltv", stats.lifetime_value)),
        "repeat_buyer": "Y" if stats.repeat_buyer else "N", "currency": stats.currency,
    }
    if not stats.orders:
        return Outcome(values, "No shop purchases for this deal's customer yet")
    return Outcome(values, f"Customer: {segment}, RFM {rfm}, {stats.orders} orders, "
                           f"{values['total_spent']} {stats.currency} spent, last {stats.last_order_date}")


def _num(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"

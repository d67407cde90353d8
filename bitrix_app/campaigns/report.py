"""Per campaign: entered, holdout, reached, converted, revenue, and the uplift of the treated over the holdout.

An entry converted when its customer made a purchase (an order neither cancelled nor refunded) after the entry
and at most `attribution_days` later (entered_at < ordered_at <= window end, the window fixed at entry). An order
counts for one entry of a campaign only: the customer's latest entry before it. So the treated and holdout parts
add up to the totals: entered = treated + holdout, converted and revenue likewise.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Float, and_, case, cast, distinct, func, literal, select
from sqlalchemy.orm import Session

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.campaign_models import Campaign, CampaignEntry
from bitrix_app.store.shop_models import OrderRecord

from . import definitions
from .report_weeks import revenue_by_currency, uplift_interval, weekly

CENT = Decimal("0.01")


def report(session: Session, member_id: str, now: datetime, code: str | None = None,
           over_time: bool = False) -> list[dict]:
    """One report per campaign of the portal (or the one named); `over_time` adds its weeks (report_weeks)."""
    rows = [definitions.get(session, member_id, code)] if code else definitions.list_campaigns(session, member_id)
    return [figures(session, c, now, over_time) for c in rows]


def figures(session: Session, campaign: Campaign, now: datetime, over_time: bool = False) -> dict:
    groups = {False: _group(), True: _group()}
    e = CampaignEntry.__table__
    for held, entered, reached, open_windows in session.execute(
            select(e.c.holdout, func.count(), func.sum(case((e.c.reached.is_(True), 1), else_=0)),
                   func.sum(case((e.c.window_ends_at > now, 1), else_=0)))
            .where(e.c.campaign_id == campaign.id).group_by(e.c.holdout)):
        groups[bool(held)].update(entered=entered, reached=int(reached or 0), open_windows=int(open_windows or 0))
    for held, converted, orders, revenue in session.execute(_conversions(campaign.id)):
        groups[bool(held)].update(converted=converted, orders=orders, revenue=_money(revenue))
    statuses = dict(session.execute(select(e.c.status, func.count()).where(e.c.campaign_id == campaign.id)
                                    .group_by(e.c.status)).all())
    treated, holdout = (_finish(groups[False]), _finish(groups[True]))
    holdout.pop("reached")
    by_currency = revenue_by_currency(session, campaign.id)
    extra = weekly(session, campaign.id, now) if over_time else {}
    return {**extra, "currency": by_currency[0]["currency"] if by_currency else extra.get("currency"),
            "revenue_by_currency": by_currency,"campaign": campaign.code, "name": {"en": campaign.name_en, "ru": campaign.name_ru},
            "segment": campaign.segment, "trigger": campaign.trigger, "enabled": campaign.enabled,
            "holdout_percent": campaign.holdout_percent, "attribution_days": campaign.attribution_days,
            "entered": treated["entered"] + holdout["entered"], "reached": treated["reached"],
            "converted": treated["converted"] + holdout["converted"], "orders": treated["orders"] + holdout["orders"],
            "revenue": float(_money(treated["revenue"]) + _money(holdout["revenue"])),
            "open_windows": treated.pop("open_windows") + holdout.pop("open_windows"),
            "treated": treated, "holdout": holdout, "uplift": _uplift(treated, holdout),
            "by_status": {k: statuses[k] for k in sorted(statuses)}}


def _conversions(campaign_id: int):
    """Per holdout flag: entries with a purchase in their window, those purchases, their revenue."""
    e = CampaignEntry.__table__.alias("e")
    later = CampaignEntry.__table__.alias("later")
    o = OrderRecord.__table__
    newer_entry = select(literal(1)).where(
        later.c.campaign_id == e.c.campaign_id, later.c.customer_id == e.c.customer_id,
        later.c.entered_at > e.c.entered_at, later.c.entered_at < o.c.ordered_at).exists()
    return (select(e.c.holdout, func.count(distinct(e.c.id)), func.count(o.c.id),
                   func.sum(cast(o.c.total, Float)))
            .select_from(e.join(o, and_(o.c.member_id == e.c.member_id, o.c.customer_id == e.c.customer_id)))
            .where(e.c.campaign_id == campaign_id, o.c.status.not_in(NOT_PURCHASES),
                   o.c.ordered_at > e.c.entered_at, o.c.ordered_at <= e.c.window_ends_at, ~newer_entry)
            .group_by(e.c.holdout))


def _group() -> dict:
    return {"entered": 0, "reached": 0, "open_windows": 0, "converted": 0, "orders": 0, "revenue": Decimal(0)}


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _finish(group: dict) -> dict:
    rate = round(group["converted"] / group["entered"], 4) if group["entered"] else None
    return {**group, "revenue": float(group["revenue"]), "conversion_rate": rate}


def _uplift(treated: dict, holdout: dict) -> dict:
    """Treated minus holdout conversion (absolute, with its 95% interval), relative to the holdout, and the
    conversions it implies."""
    if not treated["entered"] or not holdout["entered"]:
        return {"absolute": None, "relative": None, "incremental_conversions": None, "ci95": None}
    rt, rh = treated["converted"] / treated["entered"], holdout["converted"] / holdout["entered"]
    return {"absolute": round(rt - rh, 4), "relative": round((rt - rh) / rh, 4) if rh else None,
            "incremental_conversions": round((rt - rh) * treated["entered"], 2),
            "ci95": uplift_interval(treated, holdout)}

"""A campaign's report over time and its money: per week of entry (Monday to Sunday, UTC, the last WEEKS weeks, the
current one last) the treated and holdout entries, those reached and those converted, with the revenue of the
treated conversions; revenue per currency; and the uplift's 95% confidence interval.

A conversion is counted as in report.py (a purchase in the entry's attribution window, given to the customer's
latest entry of the campaign before it), so the weeks add up to the report's figures for the entries they hold.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, literal, select
from sqlalchemy.orm import Session

from bitrix_app.segments import NOT_PURCHASES
from bitrix_app.store.campaign_models import CampaignEntry
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import OrderRecord

WEEKS = 12
Z95 = 1.96


def _amount(text) -> Decimal:
    try:
        return Decimal(str(text or 0))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def converting_orders(campaign_id: int, since: datetime | None = None):
    """(entry id, entered_at, holdout, order total, order currency) of every purchase attributed to an entry."""
    e = CampaignEntry.__table__.alias("e")
    later = CampaignEntry.__table__.alias("later")
    o = OrderRecord.__table__
    newer_entry = select(literal(1)).where(
        later.c.campaign_id == e.c.campaign_id, later.c.customer_id == e.c.customer_id,
        later.c.entered_at > e.c.entered_at, later.c.entered_at < o.c.ordered_at).exists()
    query = (select(e.c.id, e.c.entered_at, e.c.holdout, o.c.total, o.c.currency)
             .select_from(e.join(o, and_(o.c.member_id == e.c.member_id, o.c.customer_id == e.c.customer_id)))
             .where(e.c.campaign_id == campaign_id, o.c.status.not_in(NOT_PURCHASES),
                    o.c.ordered_at > e.c.entered_at, o.c.ordered_at <= e.c.window_ends_at, ~newer_entry))
    return query.where(e.c.entered_at >= since) if since is not None else query


def revenue_by_currency(session: Session, campaign_id: int) -> list[dict]:
    """The conversions' revenue per currency, the largest first: [{"currency", "amount"}]."""
    sums: dict[str, Decimal] = {}
    for _id, _at, _held, total, currency in session.execute(converting_orders(campaign_id)):
        sums[currency or ""] = sums.get(currency or "", Decimal(0)) + _amount(total)
    return [{"currency": c or None, "amount": float(a.quantize(Decimal("0.01")))}
            for c, a in sorted(sums.items(), key=lambda kv: -kv[1])]


def first_week(now: datetime, weeks: int = WEEKS) -> date:
    today = utc(now).date()
    return today - timedelta(days=today.weekday(), weeks=weeks - 1)


def weekly(session: Session, campaign_id: int, now: datetime, weeks: int = WEEKS) -> dict:
    """{"weeks": [{"week": Monday ISO date, "entered", "holdout", "reached", "converted", "holdout_converted",
    "revenue"}], "currency": the currency most conversions are in}."""
    start = first_week(now, weeks)
    since = datetime.combine(start, datetime.min.time(), tzinfo=utc(now).tzinfo)
    rows = [{"week": (start + timedelta(weeks=n)).isoformat(), "entered": 0, "holdout": 0, "reached": 0,
             "converted": 0, "holdout_converted": 0, "revenue": Decimal(0)} for n in range(weeks)]

    def index(moment) -> int:
        return (utc(moment).date() - start).days // 7

    e = CampaignEntry.__table__
    for at, held, reached in session.execute(select(e.c.entered_at, e.c.holdout, e.c.reached).where(
            e.c.campaign_id == campaign_id, e.c.entered_at >= since)):
        row = rows[min(index(at), weeks - 1)]
        row["holdout" if held else "entered"] += 1
        row["reached"] += 1 if reached and not held else 0
    seen, currencies = set(), Counter()
    for entry_id, at, held, total, currency in session.execute(converting_orders(campaign_id, since)):
        row = rows[min(index(at), weeks - 1)]
        if entry_id not in seen:
            seen.add(entry_id)
            row["holdout_converted" if held else "converted"] += 1
        if not held:
            row["revenue"] += _amount(total)
            currencies[currency] += 1
    for row in rows:
        row["revenue"] = float(row["revenue"].quantize(Decimal("0.01")))
    return {"weeks": rows, "currency": currencies.most_common(1)[0][0] if currencies else None}


def uplift_interval(treated: dict, holdout: dict) -> list[float] | None:
    """The 95% confidence interval of the absolute uplift (treated minus holdout conversion rate), by the normal
    approximation of a difference of two proportions; None without entries on both sides."""
    nt, nh = treated["entered"], holdout["entered"]
    if not nt or not nh:
        return None
    pt, ph = treated["converted"] / nt, holdout["converted"] / nh
    margin = Z95 * math.sqrt(pt * (1 - pt) / nt + ph * (1 - ph) / nh)
    return [round(pt - ph - margin, 4), round(pt - ph + margin, 4)]

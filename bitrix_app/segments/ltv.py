"""Lifetime value report of a portal: overall, by first-purchase cohort, new vs repeat, by acquisition channel.

Set-based SQL over shop_orders (purchases: orders not cancelled or refunded, with a customer), the same on
SQLite and PostgreSQL. LTV = average order x orders per customer-year x lifespan factor L, as the per-customer
figure of the engine: orders per year = orders / max(tenure years, 1) with tenure = now - first purchase;
L = mean lifespan (last - first purchase) in years of customers with 2+ purchases, at least 1.0.
A month is 365.25 / 12 days: "value at 6 months" is the revenue of purchases made less than 182.625 days
after the customer's first purchase; a cohort shows it once its last possible member has had that long, a channel
over its customers whose first purchase is at least that old (null while none is).
Amounts are summed as stored; `currency` is the currency most purchases are in, `currencies` all of them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Float, and_, case, cast, extract, func, literal, select

from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import OrderRecord

from .figures.lifecycle import NOT_PURCHASES

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

MONTH_DAYS = 365.25 / 12
HORIZONS = (6, 12, 24)
YEAR_DAYS = 365.25


def ltv_report(scope: "PortalScope", now: datetime) -> dict:
    """The whole report as JSON-ready data; money rounded to 2 decimals."""
    member_id, now = scope.member_id, now.astimezone(timezone.utc)
    with scope.transaction() as s:
        dialect = s.get_bind().dialect.name
        q = _Queries(member_id, now, dialect)
        overall = s.execute(q.overall()).mappings().one()
        factor = max(1.0, float(overall["lifespan_days"] or 0) / YEAR_DAYS)
        cohorts = [dict(r) for r in s.execute(q.cohorts()).mappings()]
        split = [dict(r) for r in s.execute(q.new_vs_repeat()).mappings()]
        channels = [dict(r) for r in s.execute(q.channels()).mappings()]
        horizons = {r["channel"]: dict(r) for r in s.execute(q.channel_horizons()).mappings()}
        currencies = [c for c, in s.execute(q.currencies())]
        predicted = s.scalar(select(func.avg(CustomerFigures.ltv)).where(
            CustomerFigures.member_id == member_id, CustomerFigures.orders > 0))
    return {
        "member_id": member_id, "as_of": now.isoformat(),
        "currency": currencies[0] if currencies else None, "currencies": currencies,
        "overall": _overall(dict(overall), factor, predicted),
        "cohorts": [_cohort(r, now) for r in cohorts],
        "new_vs_repeat": _split(split, int(overall["customers"] or 0), float(overall["revenue"] or 0.0)),
        "channels": [_channel(r, factor, horizons.get(r["channel"], {})) for r in channels],
    }


class _Queries:
    """The report's statements over one portal's purchases."""

    def __init__(self, member_id: str, now: datetime, dialect: str):
        self.now, self.dialect = literal(now, DateTime(timezone=True)), dialect
        o = OrderRecord
        self.purchases = select(
            o.id, o.customer_id, o.ordered_at, o.utm_source, o.currency, cast(o.total, Float).label("amount"),
        ).where(o.member_id == member_id, o.customer_id.is_not(None), o.status.not_in(sorted(NOT_PURCHASES))
                ).subquery("p")
        p = self.purchases
        first_utm = select(p.c.customer_id, p.c.utm_source, func.row_number().over(
            partition_by=p.c.customer_id, order_by=(p.c.ordered_at, p.c.id)).label("rn")).subquery("fu")
        per = select(p.c.customer_id, func.count().label("orders"), func.sum(p.c.amount).label("revenue"),
                     func.min(p.c.ordered_at).label("first_at"), func.max(p.c.ordered_at).label("last_at"),
                     ).group_by(p.c.customer_id).subquery("pc")
        cs = CustomerFigures
        channel = func.coalesce(cs.channel, first_utm.c.utm_source)
        self.per = select(per, channel.label("channel")).select_from(
            per.join(first_utm, and_(first_utm.c.customer_id == per.c.customer_id, first_utm.c.rn == 1))
            .outerjoin(cs, cs.customer_id == per.c.customer_id)).subquery("pcc")

    def days(self, later, earlier):
        """Days between two moments, fractional, the same on both databases."""
        if self.dialect == "sqlite":
            return func.julianday(later) - func.julianday(earlier)
        return extract("epoch", later - earlier) / 86400.0

    def _figures(self, c):
        """Aggregates every breakdown shares, over per-customer rows `c`."""
        tenure_years = self.days(self.now, c.first_at) / YEAR_DAYS
        per_year = cast(c.orders, Float) / case((tenure_years < 1.0, 1.0), else_=tenure_years)
        return (func.count().label("customers"), func.coalesce(func.sum(c.orders), 0).label("purchases"),
                func.coalesce(func.sum(c.revenue), 0.0).label("revenue"),
                func.coalesce(func.sum(case((c.orders >= 2, 1), else_=0)), 0).label("repeat_customers"),
                func.avg(per_year).label("orders_per_year"))

    def overall(self):
        c = self.per.c
        lifespan = func.avg(case((c.orders >= 2, self.days(c.last_at, c.first_at)), else_=None))
        return select(*self._figures(c), lifespan.label("lifespan_days"))

    def new_vs_repeat(self):
        c = self.per.c
        group = case((c.orders >= 2, "repeat"), else_="new")
        return select(group.label("group"), *self._figures(c)).group_by(group)

    def channels(self):
        c = self.per.c
        return select(c.channel, *self._figures(c)).group_by(c.channel).order_by(
            func.sum(c.revenue).desc(), c.channel)

    def channel_horizons(self):
        """Per channel and horizon N: customers whose first purchase is N months old, their revenue within N."""
        p, c = self.purchases.c, self.per.c
        age, after = self.days(self.now, c.first_at), self.days(p.ordered_at, c.first_at)
        cols = []
        for n in HORIZONS:
            old = age >= n * MONTH_DAYS
            cols += [func.count(func.distinct(case((old, c.customer_id), else_=None))).label(f"customers_{n}m"),
                     func.sum(case((and_(old, after < n * MONTH_DAYS), p.amount), else_=0.0)).label(f"revenue_{n}m")]
        return select(c.channel, *cols).select_from(
            self.purchases.join(self.per, c.customer_id == p.customer_id)).group_by(c.channel)

    def currencies(self):
        """The purchases' currencies, the most used first."""
        p = self.purchases.c
        return select(p.currency).group_by(p.currency).order_by(func.count().desc(), p.currency)

    def cohorts(self):
        p, c = self.purchases.c, self.per.c
        month = self.month(c.first_at)
        after = self.days(p.ordered_at, c.first_at)
        within = [func.sum(case((after < n * MONTH_DAYS, p.amount), else_=0.0)).label(f"revenue_{n}m")
                  for n in HORIZONS]
        return select(month.label("cohort"), func.count(func.distinct(c.customer_id)).label("customers"),
                      func.sum(p.amount).label("revenue"), *within,
                      ).select_from(self.purchases.join(self.per, self.per.c.customer_id == p.customer_id)
                                    ).group_by(month).order_by(month)

    def month(self, moment):
        """"YYYY-MM" of a UTC moment."""
        if self.dialect == "sqlite":
            return func.strftime("%Y-%m", moment)
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM")


def _money(value) -> float:
    return round(float(value or 0), 2)


def _ratio(a, b) -> float | None:
    return float(a) / float(b) if b else None


def _ltv(aov: float | None, per_year, factor: float) -> float | None:
    return None if aov is None or per_year is None else round(aov * float(per_year) * factor, 2)


def _common(r: dict, factor: float) -> dict:
    aov = _ratio(r["revenue"], r["purchases"])
    return {
        "customers": int(r["customers"]), "purchases": int(r["purchases"]), "revenue": _money(r["revenue"]),
        "average_order": None if aov is None else round(aov, 2),
        "purchase_frequency": _round(_ratio(r["purchases"], r["customers"]), 4),
        "orders_per_year": _round(r["orders_per_year"], 4),
        "revenue_per_customer": _round(_ratio(r["revenue"], r["customers"]), 2),
        "repeat_customers": int(r["repeat_customers"]),
        "repeat_share": _round(_ratio(r["repeat_customers"], r["customers"]), 4),
        "ltv": _ltv(aov, r["orders_per_year"], factor),
    }


def _round(value, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _overall(r: dict, factor: float, predicted) -> dict:
    out = _common(r, factor)
    lifespan = r["lifespan_days"]
    out.update({"average_lifespan_days": _round(lifespan, 1), "lifespan_factor": round(factor, 4),
                "predicted_ltv_average": _round(predicted, 2)})
    return out


def _cohort(r: dict, now: datetime) -> dict:
    """A cohort's value at N months is shown once the cohort's last possible first purchase is N months old."""
    year, month = (int(x) for x in r["cohort"].split("-"))
    ends = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc)
    customers = int(r["customers"])
    out = {"cohort": r["cohort"], "customers": customers, "revenue": _money(r["revenue"]),
           "revenue_per_customer": _money(float(r["revenue"] or 0) / customers)}
    for n in HORIZONS:
        ready = ends + timedelta(days=n * MONTH_DAYS) <= now
        out[f"value_{n}m"] = _money(float(r[f"revenue_{n}m"] or 0) / customers) if ready else None
    return out


def _split(rows: list[dict], customers: int, revenue: float) -> dict:
    """New (one purchase) and repeat (two or more) customers side by side, with their shares."""
    out = {}
    for group in ("new", "repeat"):
        r = next((x for x in rows if x["group"] == group), None)
        figures = _common(r, 1.0) if r else _common({"customers": 0, "purchases": 0, "revenue": 0.0,
                                                        "repeat_customers": 0, "orders_per_year": None}, 1.0)
        out[group] = {k: figures[k] for k in ("customers", "purchases", "revenue", "average_order",
                                              "revenue_per_customer", "purchase_frequency")}
        out[group]["customer_share"] = _round(_ratio(figures["customers"], customers), 4)
        out[group]["revenue_share"] = _round(_ratio(figures["revenue"], revenue), 4)
    return out


def _channel(r: dict, factor: float, horizons: dict) -> dict:
    """A channel's figures and, per horizon, the revenue per customer of those old enough (null while none is)."""
    out = {"channel": r["channel"], **_common(r, factor)}
    for n in HORIZONS:
        customers = int(horizons.get(f"customers_{n}m") or 0)
        out[f"customers_{n}m"] = customers
        out[f"value_{n}m"] = _money(float(horizons[f"revenue_{n}m"] or 0) / customers) if customers else None
    return out

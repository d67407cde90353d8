"""Per-customer purchase figures: the aggregate of a portal's purchases and the expressions every path shares.

Statements take the portal, the moment and the customers as bound parameters (see `params`), so a statement
built once is reused (incremental.py). A scope narrows a statement: "all" customers of the portal, a "range" of
ids (a chunk of the full rebuild: p_low..p_high), a list of "ids" or "one" customer. compute.py turns
raw_columns / derived into complete rows; final_values writes them, raising `dirty` when a watched value changes.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (BigInteger, Column, DateTime, Float, Integer, MetaData, String, Table, bindparam, case,
                        delete, exists, false, func, or_, select, true)

from bitrix_app.store.segment_models import CustomerFigures, OrderLine
from bitrix_app.store.shop_models import Customer, OrderRecord

from ..figures import rfm
from ..figures import sqlfn
from ..figures.lifecycle import NOT_PURCHASES, PAID

CS = CustomerFigures.__table__
ORDERS = OrderRecord.__table__
CUSTOMERS = Customer.__table__
LINES = OrderLine.__table__
# the figures whose change means the contact's fields need writing again
WATCHED = ("contact_id", "orders", "last_order_at", "lifecycle", "r", "f", "m", "rfm_group", "ltv")
AGG_COLUMNS = ("cid", "orders", "revenue", "paid_revenue", "first_at", "last_at", "first_epoch", "last_epoch",
               "first_key")


def member_param():
    return bindparam("p_member", type_=String)


def now_epoch_param():
    return bindparam("p_now_epoch", type_=BigInteger)


def params(member_id: str, now: datetime, ids=None, low: int | None = None, high: int | None = None) -> dict:
    """The bound values every statement of this module takes."""
    out = {"p_member": member_id, "p_now_epoch": sqlfn.epoch_of(now), "p_now": now}
    if ids is not None:
        out["p_ids"] = sorted({int(i) for i in ids})
        out["p_id"] = out["p_ids"][0] if out["p_ids"] else None
    if low is not None:
        out.update(p_low=low, p_high=high)
    return out


def scoped(kind: str, column):
    """The scope condition on a customer-id column."""
    if kind == "ids":
        return column.in_(bindparam("p_ids", expanding=True))
    if kind == "one":
        return column == bindparam("p_id", type_=BigInteger)
    if kind == "range":
        return column.between(bindparam("p_low", type_=BigInteger), bindparam("p_high", type_=BigInteger))
    return true()


def purchases(dialect: str, scope: str = "all"):
    """One row per customer with purchases: orders, revenue, paid revenue, first/last order, the first purchase's
    "time|utm_source" (its channel: see sqlfn.first_value; extracted per customer, not per order)."""
    o = ORDERS.c
    amount = sqlfn.number(o.total)
    return (select(o.customer_id.label("cid"), func.count().label("orders"),
                   sqlfn.round2(func.sum(amount), dialect).label("revenue"),
                   sqlfn.round2(func.sum(case((sqlfn.one_of(o.status, sorted(PAID)), amount), else_=0)), dialect)
                   .label("paid_revenue"),
                   func.min(o.ordered_at).label("first_at"), func.max(o.ordered_at).label("last_at"),
                   sqlfn.epoch(func.min(o.ordered_at), dialect).label("first_epoch"),
                   sqlfn.epoch(func.max(o.ordered_at), dialect).label("last_epoch"),
                   sqlfn.first_key(o.utm_source, o.ordered_at, dialect).label("first_key"))
            .where(o.member_id == member_param(), o.customer_id.is_not(None),
                   ~sqlfn.one_of(o.status, sorted(NOT_PURCHASES)),
                   scoped(scope, o.customer_id))
            .group_by(o.customer_id))


def aggregate_table(name: str = "seg_agg") -> Table:
    """A temporary table holding `purchases` of a whole portal (the full rebuild reads it twice)."""
    return Table(name, MetaData(), Column("cid", BigInteger, primary_key=True), Column("orders", Integer),
                 Column("revenue", Float), Column("paid_revenue", Float), Column("first_at", DateTime(timezone=True)),
                 Column("last_at", DateTime(timezone=True)), Column("first_epoch", BigInteger),
                 Column("last_epoch", BigInteger), Column("first_key", String(300)), prefixes=["TEMPORARY"])


def buyers(agg, dialect: str):
    """The buyers' measures that RFM cut points are taken from."""
    return select(_days(now_epoch_param() - agg.c.last_epoch).label("days"),
                  agg.c.orders.label("orders"), agg.c.revenue.label("revenue"),
                  _days(agg.c.last_epoch - agg.c.first_epoch).label("lifespan")).subquery()


def _days(seconds):
    """Whole days of a span in seconds, never negative (NULL stays NULL)."""
    return case((seconds < 0, 0), else_=seconds // sqlfn.DAY)


@lru_cache(maxsize=16)
def drop_orphans_stmt(scope: str):
    """Rows of customers that no longer exist."""
    gone = ~exists().where(CUSTOMERS.c.id == CS.c.customer_id)
    return delete(CS).where(CS.c.member_id == member_param(), scoped(scope, CS.c.customer_id), gone)


def raw_columns(dialect: str, agg) -> list:
    """Per customer of shop_customers (LEFT JOIN `agg`): the figures read from orders and the profile, named as
    customer_stats names them, plus tenure (seconds since the first purchase), birthday and gender_raw (text)."""
    c = CUSTOMERS.c
    now = now_epoch_param()
    return [c.id.label("customer_id"), c.member_id.label("member_id"), c.contact_id.label("contact_id"),
            func.coalesce(agg.c.orders, 0).label("orders"), func.coalesce(agg.c.revenue, 0.0).label("revenue"),
            func.coalesce(agg.c.paid_revenue, 0.0).label("paid_revenue"),
            agg.c.first_at.label("first_order_at"), agg.c.last_at.label("last_order_at"),
            sqlfn.first_value(agg.c.first_key, dialect).label("channel"),
            _days(now - agg.c.last_epoch).label("days_since"),
            _days(agg.c.last_epoch - agg.c.first_epoch).label("lifespan_days"),
            (now - agg.c.first_epoch).label("tenure"),
            sqlfn.json_text(c.profile, "birthday", dialect).label("birthday"),
            func.lower(sqlfn.json_text(c.profile, "gender", dialect)).label("gender_raw")]


def derived(dialect: str, t, cuts: dict, lifecycle: dict) -> dict:
    """Birthday parts, gender, scores, lifecycle cell and LTV from the raw columns `t` (a column collection)."""
    r, f, m = rfm.score_exprs(cuts, t.days_since, t.orders, t.revenue)
    ltv = rfm.ltv_expr(t.orders, t.revenue, t.tenure, cuts.get("lifespan_years") or 1.0)
    return {"birth_month": sqlfn.iso_date_part(t.birthday, "month", dialect),
            "birth_day": sqlfn.iso_date_part(t.birthday, "day", dialect),
            "birth_year": sqlfn.iso_date_part(t.birthday, "year", dialect),
            "gender": case((sqlfn.one_of(t.gender_raw, ("male", "female")), t.gender_raw), else_=None),
            "r": r, "f": f, "m": m, "lifecycle": rfm.lifecycle_expr({"lifecycle": lifecycle}, t.orders, t.days_since),
            "ltv": sqlfn.round2(ltv, dialect)}


FIGURES = ("contact_id", "orders", "revenue", "paid_revenue", "first_order_at", "last_order_at", "days_since",
           "lifespan_days", "channel", "birth_month", "birth_day", "birth_year", "gender", "lifecycle", "r", "f", "m",
           "ltv")


def final_values(t, rfm_group, segments=None) -> dict:
    """customer_stats SET values from a row `t` with every figure (and the segment string, when given); dirty is
    raised when a watched value changes."""
    values = {name: t[name] for name in FIGURES}
    values.update(rfm_group=rfm_group, computed_at=bindparam("p_now", type_=DateTime(timezone=True)))
    watched = list(WATCHED)
    if segments is not None:
        values["segments"] = segments
        watched.append("segments")
    changed = or_(*[CS.c[name].is_distinct_from(values[name]) for name in watched])
    values["dirty"] = case((CS.c.dirty, true()), (changed, true()), else_=false())
    return values


def cuts_key(state: dict) -> str:
    """The part of the portal's state that scoring depends on, as a cache key."""
    return json.dumps({k: state.get(k) for k in ("recency", "frequency", "monetary", "lifespan_years")},
                      sort_keys=True)


@lru_cache(maxsize=4)
def _segments_stmt(scope: str):
    return select(CS.c.customer_id, CS.c.segments).where(scoped(scope, CS.c.customer_id))


def segments_of(conn, ids: list[int]) -> dict[int, str]:
    scope = "one" if len(ids) == 1 else "ids"
    return dict(conn.execute(_segments_stmt(scope), {"p_ids": list(ids), "p_id": ids[0] if ids else None}).all())


def customers_of_new_orders(conn, member_id: str, after_order: int, after_line: int) -> list[int]:
    """Customers whose orders were stored after the given ids (orders, or order lines re-recorded on updates)."""
    ids = set()
    # by id range only (a handful of rows): a member_id condition could make the planner walk the portal's index
    for table, mark in ((ORDERS, after_order), (LINES, after_line)):
        rows = conn.execute(select(table.c.member_id, table.c.customer_id).where(table.c.id > mark))
        ids |= {cid for member, cid in rows if member == member_id and cid is not None}
    return sorted(ids)


def high_marks(conn) -> tuple[int, int]:
    """The newest order and order-line ids (a rebuild catches up on what arrived after them)."""
    order = conn.execute(select(func.max(ORDERS.c.id))).scalar() or 0
    line = conn.execute(select(func.max(LINES.c.id))).scalar() or 0
    return order, line


def customer_bounds(conn, member_id: str) -> tuple[int, int, int]:
    """(lowest id, highest id, count) of the portal's customers."""
    c = CUSTOMERS.c
    low, high, count = conn.execute(select(func.min(c.id), func.max(c.id), func.count())
                                    .where(c.member_id == member_id)).one()
    return low or 0, high or 0, count or 0


def row_count(conn, member_id: str) -> int:
    return conn.execute(select(func.count()).select_from(CS).where(CS.c.member_id == member_id)).scalar_one()

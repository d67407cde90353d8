"""Kind "replenishment": customers whose usual repurchase interval of a consumable has passed.

params: {"skus": [...], "categories": [...], "grace_days": 0, "min_history": 3, "default_interval_days": null}
For every matching sku a customer bought (counted lines), the interval is the customer's own median gap between
purchases of it (purchases at least one day apart), else the sku's median gap over all customers of the portal
when at least min_history such gaps exist, else default_interval_days; the customer is due when
last purchase + interval + grace_days <= now for any of their skus. Times are compared in whole seconds.

predicate() reads the customer's own lines (correlated); the product medians come from params["_prepared"] when
prepare() computed them (a JSON lookup), else from a correlated subquery over every purchase of the sku (correct,
slow for popular skus). A full rebuild calls prepare(): one pass computes every gap, the medians and the members.
"""
from __future__ import annotations

import json
from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import (BigInteger, Column, DateTime, Float, Integer, String, and_, case, cast, exists, func, insert,
                        literal, null, select, true)
from sqlalchemy.dialects.postgresql import JSONB

from .crosssell import MAX_DAYS, MAX_ITEMS, item_filter
from .prepared import (TABLE, BigId, aware, drop_temp, fill, in_members, split, temp_name, temp_table, unindexed,
                       with_prepared)
from .wording import Wording, default_wording
from ..figures.sqlfn import DAY, epoch, epoch_of

MEDIANS = "product_medians"  # params["_prepared"] entry: {sku: [median_seconds, gaps]}, reusable (JSON)
MAX_CACHED = 20000  # skus: above this, incremental updates compute product medians themselves


class ParamsSchema(Schema):
    skus = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                       validate=validate.Length(max=MAX_ITEMS))
    categories = fields.List(fields.String(validate=validate.Length(min=1, max=255)), load_default=list,
                             validate=validate.Length(max=MAX_ITEMS))
    grace_days = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_DAYS))
    min_history = fields.Integer(strict=True, load_default=3, validate=validate.Range(min=1, max=1_000_000))
    default_interval_days = fields.Integer(strict=True, load_default=None, allow_none=True,
                                           validate=validate.Range(min=1, max=MAX_DAYS))

    @validates_schema
    def _some(self, data, **_):
        if not data.get("skus") and not data.get("categories"):
            raise ValidationError("Give at least one sku or category.")


def load(defn) -> tuple[dict, dict]:
    """The validated params and what prepare() added."""
    own, prepared = split(defn.params)
    return ParamsSchema().load(own), prepared


def _moments(params: dict, env, customer=None, correlate=None, where=None):
    """Purchase moments (customer_id, sku, ordered_at) of matching items: one customer's (an id, or a column of
    `correlate`) or the whole portal's, optionally narrowed by `where` (correlated to `correlate`). Two lines of a
    sku at the same moment need no DISTINCT: their zero gap is below a day and is not counted."""
    lines, one = env.lines.c, customer is not None
    # one customer: keep to the customer index (the sku index would offer the window's order and scan the portal)
    who, sku = (lines.customer_id, unindexed(lines.sku)) if one else (unindexed(lines.customer_id), lines.sku)
    query = select(who.label("customer_id"), sku.label("sku"), lines.ordered_at,
                   epoch(lines.ordered_at, env.dialect).label("at")).where(
        lines.member_id == env.member_id, lines.counted == true(), who.is_not(None),
        item_filter(env.lines, params, per_customer=one))
    query = query.where(lines.customer_id == customer) if one else query
    query = query.where(where) if where is not None else query
    return query.correlate(correlate) if correlate is not None else query


def _gaps(moments, env):
    """Each moment with the seconds since the customer's previous purchase of the sku (NULL for the first) and
    whether it is their last one (1/0); one window, so one sort."""
    m = moments.subquery("moments")
    at = m.c.at
    window = {"partition_by": [m.c.customer_id, m.c.sku], "order_by": m.c.ordered_at}
    last = case((func.lead(m.c.ordered_at).over(**window).is_(None), 1), else_=0)
    return select(m.c.customer_id, m.c.sku, m.c.ordered_at, (at - func.lag(at).over(**window)).label("gap"),
                  last.label("is_last"))


def _medians(gaps, by: list[str], min_gaps: int = 1):
    """The median of the gaps of at least a day per `by` columns, and their number (groups with >= min_gaps)."""
    per = [gaps.c[n] for n in by]
    ranked = select(*per, gaps.c.gap, func.row_number().over(partition_by=per, order_by=gaps.c.gap).label("rn"),
                    func.count().over(partition_by=per).label("cnt")).where(gaps.c.gap >= DAY).subquery("ranked")
    middle = ranked.c.rn.between((ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2)
    keys = [ranked.c[n] for n in by]
    return (select(*keys, func.avg(case((middle, ranked.c.gap), else_=None)).label("median"),
                   func.max(ranked.c.cnt).label("gaps")).group_by(*keys).having(func.max(ranked.c.cnt) >= min_gaps))


def _product_medians(gaps, params: dict):
    return _medians(gaps, ["sku"], params["min_history"])


def _customer_items(gaps):
    """Per customer and sku: the last purchase, the own median gap and the number of own gaps."""
    last = select(gaps.c.customer_id, gaps.c.sku, gaps.c.ordered_at.label("last_at")).where(
        gaps.c.is_last == 1).subquery("last")
    own = _medians(gaps, ["customer_id", "sku"]).subquery("own")
    joined = last.outerjoin(own, and_(own.c.customer_id == last.c.customer_id, own.c.sku == last.c.sku))
    return select(last.c.customer_id, last.c.sku, last.c.last_at, own.c.median.label("own"),
                  func.coalesce(own.c.gaps, 0).label("own_gaps")).select_from(joined).subquery("items")


def product_medians_query(params: dict, env, where=None, correlate=None):
    """Per sku: the median gap (seconds) over every customer of the portal and the number of gaps (trusted only).

    `where`: an extra condition on the lines (e.g. one sku), `correlate`: the enclosing FROM it refers to.
    """
    return _product_medians(_gaps(_moments(params, env, where=where, correlate=correlate), env).subquery("gaps"),
                            params)


def customer_items(params: dict, env, customer, correlate=None):
    """Per matching sku the customer (an id, or a column of `correlate`) bought: last purchase, own median gap
    (seconds) and number of own gaps."""
    return _customer_items(_gaps(_moments(params, env, customer, correlate), env).subquery("gaps"))


def _cached_median(medians: dict, sku, dialect: str):
    """The sku's median from the JSON prepare() kept (one bound parameter, looked up per row)."""
    doc = literal(json.dumps({name: median for name, (median, _) in medians.items()}, sort_keys=True))
    if dialect == "postgresql":
        return cast(cast(doc, JSONB).op("->>")(sku), Float)
    pairs = func.json_each(doc).table_valued("key", "value")
    return select(pairs.c.value).where(pairs.c.key == sku).scalar_subquery()


def _product_median(params: dict, prepared: dict, env, items):
    if prepared.get(MEDIANS) is None:  # not prepared, or too many skus to keep
        inner = product_medians_query(params, env, env.lines.c.sku == items.c.sku, correlate=items).subquery("product")
        return select(inner.c.median).scalar_subquery()
    return _cached_median(prepared[MEDIANS], items.c.sku, env.dialect) if prepared[MEDIANS] else null()


def _due(params: dict, env, items, product_median):
    default = params["default_interval_days"] * DAY if params["default_interval_days"] else None
    interval = func.coalesce(items.c.own, product_median, default)
    return literal(epoch_of(env.now)) - epoch(items.c.last_at, env.dialect) >= interval + params["grace_days"] * DAY


def predicate(defn, env):
    """Some matching sku of the customer is due: last purchase + interval + grace <= now."""
    params, prepared = load(defn)
    if TABLE in prepared:
        return in_members(prepared, env.cs)
    items = customer_items(params, env, env.cs.c.customer_id, correlate=env.cs)
    return exists(select(literal(1)).select_from(items).where(_due(params, env, items,
                                                                   _product_median(params, prepared, env, items))))


def prepare(defn, env, connection):
    """The definition for a full rebuild on this connection: every purchase gap once (a temporary table), the sku
    medians and the due customers from it (members into a temporary table).

    The result also carries the medians (JSON) for incremental updates: see prepared.for_incremental().
    """
    params, _ = load(defn)
    name = temp_name(defn, env)
    gaps = temp_table(connection, f"{name}_g", Column("customer_id", BigId), Column("sku", String(100)),
                       Column("ordered_at", DateTime(timezone=True)), Column("gap", BigInteger),
                       Column("is_last", Integer))
    connection.execute(insert(gaps).from_select(["customer_id", "sku", "ordered_at", "gap", "is_last"],
                                                _gaps(_moments(params, env), env)))
    medians = {row.sku: [float(row.median), int(row.gaps)]
               for row in connection.execute(_product_medians(gaps, params))}
    known = temp_table(connection, f"{name}_m", Column("sku", String(100), primary_key=True), Column("median", Float))
    if medians:
        connection.execute(insert(known), [{"sku": sku, "median": m} for sku, (m, _) in medians.items()])
    items = _customer_items(gaps)
    members = (select(items.c.customer_id).select_from(items.outerjoin(known, known.c.sku == items.c.sku))
               .where(_due(params, env, items, known.c.median)))
    fill(connection, name, members)
    drop_temp(connection, gaps.name)
    return with_prepared(defn, **{TABLE: name, MEDIANS: medians if len(medians) <= MAX_CACHED else None})


def _quoted(w: Wording, name: str) -> str:
    return f"«{name}»" if w.ru else f"“{name}”"


def _days(w: Wording, seconds) -> str:
    days = round(float(seconds) / DAY, 2)
    if days.is_integer():
        return w.count(int(days), "day")
    return w.say("{n} days", "{n} дн.", n=w.number(days, 2))


def _interval(w: Wording, item, params: dict, medians: dict) -> tuple[float | None, str]:
    if item.own is not None:
        return float(item.own), w.say("the customer's own median over {n}",
                                      "медиана самого клиента, повторных покупок: {n}",
                                      n=w.count(item.own_gaps, "repurchase") if not w.ru else w.number(item.own_gaps))
    if item.sku in medians:
        median, gaps = medians[item.sku]
        return float(median), w.say("the product's median over {n} by all customers",
                                    "медиана по всем клиентам, повторных покупок: {n}",
                                    n=w.count(gaps, "repurchase") if not w.ru else w.number(gaps))
    if params["default_interval_days"]:
        return params["default_interval_days"] * DAY, w.say("the default interval", "интервал по умолчанию")
    return None, ""


def _item_text(w: Wording, item, params: dict, medians: dict, now_s: int) -> tuple[str, bool]:
    """One sku's sentence and whether it is due."""
    last = aware(item.last_at)
    product, bought = _quoted(w, w.product(item.sku)), w.date(last)
    interval, source = _interval(w, item, params, medians)
    if interval is None:
        return w.say("{product}: last bought {date}; no repurchases of the customer's own, fewer than {n} by all "
                     "customers and no default interval: not judged.",
                     "{product}: последняя покупка {date}; своих повторных покупок нет, у всех клиентов их меньше "
                     "{n}, интервала по умолчанию нет: не оценивается.", product=product, date=bought,
                     n=w.number(params["min_history"])), False
    wait = interval + params["grace_days"] * DAY
    due = now_s - epoch_of(last) >= wait
    due_on = w.date(datetime.fromtimestamp(epoch_of(last) + wait, last.tzinfo))
    grace = (w.say(" plus {days} of grace", " плюс {days} отсрочки", days=w.count(params["grace_days"], "day"))
             if params["grace_days"] else "")
    verdict = w.say("due now", "пора") if due else w.say("not due yet", "ещё рано")
    return w.say("{product}: last bought {date}; usual interval {interval} ({source}){grace}: due on {due_on}, "
                 "{verdict}.",
                 "{product}: последняя покупка {date}; обычный интервал {interval} ({source}){grace}: срок "
                 "{due_on}, {verdict}.", product=product, date=bought, interval=_days(w, interval), source=source,
                 grace=grace, due_on=due_on, verdict=verdict), due


def explain(defn, row: dict, env, session, words: Wording | None = None) -> list[str]:
    """For each matching sku the customer bought: last purchase, interval and its source, due date."""
    w = words or default_wording()
    params, prepared = load(defn)
    name = _quoted(w, (defn.name or {}).get(w.lang) or w.segment(defn.code))
    items = session.execute(select(customer_items(params, env, row["customer_id"]))).all()
    if not items:
        return [w.say("The customer never bought a matching item, so is not in {name}.",
                      "Клиент не покупал подходящих товаров, поэтому его нет в сегменте {name}.", name=name)]
    if prepared.get(MEDIANS) is not None:
        medians = prepared[MEDIANS]
    else:
        query = product_medians_query(params, env, env.lines.c.sku.in_([item.sku for item in items]))
        medians = {r.sku: [float(r.median), int(r.gaps)] for r in session.execute(query)}
    now_s, facts, due_any = epoch_of(env.now), [], False
    for item in sorted(items, key=lambda i: i.sku):
        text, due = _item_text(w, item, params, medians, now_s)
        facts.append(text)
        due_any |= due
    verdict = (w.say("So the customer is in {name}.", "Поэтому клиент в сегменте {name}.", name=name) if due_any else
               w.say("So the customer is not in {name}.", "Поэтому клиента нет в сегменте {name}.", name=name))
    return facts + [verdict]

"""Kind "cross_sell": customers who bought X (skus or categories) within a window and no Y since.

params: {"bought": {"skus": [...], "categories": [...]}, "not_bought": {"skus": [...], "categories": [...]},
         "within_days": 90, "not_since_days": null}
- X: a counted (not cancelled or refunded) line of a bought sku or category dated within the last within_days days;
- Y: a counted line of a not_bought sku or category, which must not exist at or after the customer's latest X
  in the window, or, with not_since_days, within the last not_since_days days (whenever X was bought).
predicate() reads each customer's lines (correlated: for a few customers); prepare() finds every member at once
(set-based: for a full rebuild).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import and_, exists, func, literal, or_, select, true

from .prepared import TABLE, aware, fill, in_members, split, temp_name, unindexed, with_prepared
from .wording import Wording, default_wording

MAX_ITEMS = 500
MAX_DAYS = 36600
EPOCH = datetime(1900, 1, 1, tzinfo=timezone.utc)


class ItemsSchema(Schema):
    """Skus and/or categories (at least one of either)."""

    skus = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                       validate=validate.Length(max=MAX_ITEMS))
    categories = fields.List(fields.String(validate=validate.Length(min=1, max=255)), load_default=list,
                             validate=validate.Length(max=MAX_ITEMS))

    @validates_schema
    def _some(self, data, **_):
        if not data.get("skus") and not data.get("categories"):
            raise ValidationError("Give at least one sku or category.")


class ParamsSchema(Schema):
    bought = fields.Nested(ItemsSchema, required=True)
    not_bought = fields.Nested(ItemsSchema, required=True)
    within_days = fields.Integer(strict=True, load_default=90, validate=validate.Range(min=1, max=MAX_DAYS))
    not_since_days = fields.Integer(strict=True, load_default=None, allow_none=True,
                                    validate=validate.Range(min=1, max=MAX_DAYS))


def load(defn) -> tuple[dict, dict]:
    """The validated params and what prepare() added."""
    own, prepared = split(defn.params)
    return ParamsSchema().load(own), prepared


def item_filter(lines, items: dict, per_customer: bool = False):
    """A line is one of the items: its sku or its category is listed (per_customer: leave their indexes alone)."""
    sku, category = (unindexed(lines.c.sku), unindexed(lines.c.category)) if per_customer else (
        lines.c.sku, lines.c.category)
    terms = [sku.in_(items["skus"])] if items.get("skus") else []
    terms += [category.in_(items["categories"])] if items.get("categories") else []
    return or_(*terms)


def customer_lines(env, items: dict, customer, since=None):
    """A select of the customer's counted lines of the items (from `since` on), newest first."""
    lines = env.lines
    query = select(lines.c.sku, lines.c.category, lines.c.ordered_at).where(
        lines.c.member_id == env.member_id, lines.c.customer_id == customer, lines.c.counted == true(),
        item_filter(lines, items, per_customer=True))
    if since is not None:
        query = query.where(lines.c.ordered_at >= since)
    return query.order_by(lines.c.ordered_at.desc(), lines.c.sku)


def _latest(env, items: dict, since=None):
    lines = env.lines.c
    query = select(func.max(lines.ordered_at)).where(
        lines.member_id == env.member_id, lines.customer_id == env.cs.c.customer_id, lines.counted == true(),
        item_filter(env.lines, items, per_customer=True))
    if since is not None:
        query = query.where(lines.ordered_at >= since)
    return query.scalar_subquery()


def predicate(defn, env):
    """Bought X in the window and no Y since the latest such X (or in the last not_since_days)."""
    (params, prepared), cs = load(defn), env.cs.c
    if TABLE in prepared:
        return in_members(prepared, env.cs)
    start = env.now - timedelta(days=params["within_days"])
    x_at = _latest(env, params["bought"], start)
    if params["not_since_days"]:
        quiet_from = env.now - timedelta(days=params["not_since_days"])
        recent_y = customer_lines(env, params["not_bought"], cs.customer_id, quiet_from).order_by(None)
        no_y = and_(x_at.is_not(None), ~exists(recent_y.with_only_columns(literal(1))))
    else:
        no_y = x_at > func.coalesce(_latest(env, params["not_bought"]), EPOCH)
    # customers whose last purchase is older than the window cannot qualify: skip their subqueries
    return and_(cs.last_order_at >= start, no_y)


def members_query(params: dict, env):
    """Every member of the portal at once: the latest X per customer in the window, then no Y since (set-based)."""
    lines, start = env.lines, env.now - timedelta(days=params["within_days"])
    customer = unindexed(lines.c.customer_id)
    x = (select(customer.label("customer_id"), func.max(lines.c.ordered_at).label("x_at"))
         .where(lines.c.member_id == env.member_id, lines.c.counted == true(), customer.is_not(None),
                lines.c.ordered_at >= start, item_filter(lines, params["bought"]))
         .group_by(customer).subquery("x"))
    y = lines.alias("y")
    since = (y.c.ordered_at >= env.now - timedelta(days=params["not_since_days"]) if params["not_since_days"]
             else y.c.ordered_at >= x.c.x_at)
    later_y = select(literal(1)).where(y.c.member_id == env.member_id, y.c.customer_id == x.c.customer_id,
                                       y.c.counted == true(), item_filter(y, params["not_bought"], True), since)
    return select(x.c.customer_id).where(~exists(later_y))


def prepare(defn, env, connection):
    """The definition for a full rebuild on this connection: members computed once into a temporary table."""
    params, _ = load(defn)
    return with_prepared(defn, **{TABLE: fill(connection, temp_name(defn, env), members_query(params, env))})


def _quoted(w: Wording, name: str) -> str:
    return f"«{name}»" if w.ru else f"“{name}”"


def _items_text(w: Wording, items: dict) -> str:
    """The products by name and the categories, e.g. “City bike” or the category “tyres”."""
    parts = [_quoted(w, w.product(sku)) for sku in items.get("skus") or []]
    parts += [w.say("the category {name}", "категорию {name}", name=_quoted(w, c))
              for c in items.get("categories") or []]
    return w.listing(parts)


def _line_text(w: Wording, line) -> str:
    category = (w.say(" (category {name})", " (категория {name})", name=_quoted(w, line.category))
                if line.category else "")
    return w.say("{item}{category} on {date}", "{item}{category} {date}", item=_quoted(w, w.product(line.sku)),
                 category=category, date=w.date(aware(line.ordered_at)))


def explain(defn, row: dict, env, session, words: Wording | None = None) -> list[str]:
    """The X purchase (date and item) and whether a Y was bought after it or in the quiet window."""
    w = words or default_wording()
    (params, _), customer = load(defn), row["customer_id"]
    start = env.now - timedelta(days=params["within_days"])
    x = session.execute(customer_lines(env, params["bought"], customer, start).limit(1)).first()
    wanted, unwanted = _items_text(w, params["bought"]), _items_text(w, params["not_bought"])
    name = _quoted(w, (defn.name or {}).get(w.lang) or w.segment(defn.code))
    window = {"days": w.count(params["within_days"], "day"), "since": w.date(start)}
    if x is None:
        return [w.say("No purchase of {wanted} in the last {days} (since {since}), so the customer is not in {name}.",
                      "Не покупал {wanted} за последние {days} (с {since}), поэтому клиента нет в сегменте {name}.",
                      wanted=wanted, name=name, **window)]
    facts = [w.say("Bought {line}, within the last {days} (since {since}).",
                   "Купил {line} — в пределах последних {days} (с {since}).", line=_line_text(w, x), **window)]
    if params["not_since_days"]:
        since = env.now - timedelta(days=params["not_since_days"])
        when = w.say("in the last {days}", "за последние {days}", days=w.count(params["not_since_days"], "day"))
    else:
        since, when = aware(x.ordered_at), w.say("since that purchase", "после этой покупки")
    y = session.execute(customer_lines(env, params["not_bought"], customer, since).limit(1)).first()
    if y is None:
        facts.append(w.say("No purchase of {unwanted} {when}, so the customer is in {name}.",
                           "Не покупал {unwanted} {when}, поэтому клиент в сегменте {name}.",
                           unwanted=unwanted, when=when, name=name))
    else:
        facts.append(w.say("Bought {line} ({unwanted}) {when}, so the customer is not in {name}.",
                           "Купил {line} ({unwanted}) {when}, поэтому клиента нет в сегменте {name}.",
                           line=_line_text(w, y), unwanted=unwanted, when=when, name=name))
    return facts

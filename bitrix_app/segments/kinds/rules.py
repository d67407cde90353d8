"""Kind "custom": a saved rule (see rules_schema) compiled to one SQL condition over customer_stats, and explained.

A condition on a value the customer does not have (no purchases, no birthday, no channel) is false, so
{"not": condition} holds for them: every condition is two-valued, the same in SQL and in explain().
"""
from __future__ import annotations

import calendar
import math
import operator
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, false, func, literal, not_, or_, select, true

from .prepared import TABLE, TABLES, aware, fill, in_members, split, temp_name, unindexed, with_prepared
from .rules_schema import FIELDS, ParamsSchema, referenced_segments, rule_errors

__all__ = ["ParamsSchema", "predicate", "prepare", "explain", "load", "referenced_segments", "rule_errors"]
BOUGHT = ("categories_bought", "skus_bought")

COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
ALL_BIRTH_KEYS = tuple(d.month * 100 + d.day for d in (date(2000, 1, 1) + timedelta(k) for k in range(366)))


def load(defn) -> dict:
    """The definition's rule, validated and normalised."""
    return ParamsSchema().load(split(defn.params)[0])


def predicate(defn, env):
    """The rule as one SQLAlchemy condition over env.cs (bought-item tests read prepare()'s tables if given)."""
    rule = load(defn)
    tables = split(defn.params)[1].get(TABLES) or []
    return _node(rule, env, dict(zip(map(id, _bought_conditions(rule)), tables)))


def _node(node: dict, env, tables: dict):
    if "all" in node:
        return and_(*(_node(child, env, tables) for child in node["all"]))
    if "any" in node:
        return or_(*(_node(child, env, tables) for child in node["any"]))
    if "not" in node:
        return not_(_node(node["not"], env, tables))
    return _condition(node, env, tables.get(id(node)))


def _bought_conditions(node: dict) -> list[dict]:
    """The conditions on bought items, depth first (the order prepare() numbers their tables in)."""
    if "field" in node:
        return [node] if node["field"] in BOUGHT else []
    children = node.get("all", []) + node.get("any", []) + ([node["not"]] if "not" in node else [])
    return [found for child in children for found in _bought_conditions(child)]


def prepare(defn, env, connection):
    """The definition for a full rebuild on this connection: each bought-item condition's buyers, once, into a
    temporary table (a primary-key lookup per customer instead of a search of their lines)."""
    names = []
    for n, cond in enumerate(_bought_conditions(load(defn))):
        buyers = _bought_query(env, cond["field"], cond["value"], cond.get("within_days"), None)
        names.append(fill(connection, temp_name(defn, env, f"_{n}"), buyers))
    return with_prepared(defn, **{TABLES: names}) if names else defn


def holds(op: str, actual, value) -> bool:
    """A numeric comparison as SQL does it, except that an unknown value never holds."""
    if actual is None:
        return False
    if op == "between":
        return value[0] <= actual <= value[1]
    return COMPARE[op](actual, value)


def _numeric(expr, op: str, value):
    test = expr.between(value[0], value[1]) if op == "between" else COMPARE[op](expr, value)
    return and_(expr.is_not(None), test)


def _day_ranges(op: str, value) -> list[tuple]:
    """Whole-day values d >= 0 satisfying `d op value`, as inclusive (low, high) ranges (None = open)."""
    found = []
    for low, high in _raw_day_ranges(op, value):
        low = None if low is not None and low <= 0 else low
        if high is not None and (high < 0 or (low is not None and low > high)):
            continue
        found.append((low, high))
    return found


def _raw_day_ranges(op: str, value) -> list[tuple]:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if op == "between":
        low, high = math.ceil(value[0]), math.floor(value[1])
        return [(low, high)] if low <= high else []
    return {"=": [(int(value), int(value))] if whole else [],
            "!=": [(None, int(value) - 1), (int(value) + 1, None)] if whole else [(None, None)],
            ">=": [(math.ceil(value), None)], ">": [(math.floor(value) + 1, None)],
            "<=": [(None, math.floor(value))], "<": [(None, math.ceil(value) - 1)]}[op]


def _days_since(env, op: str, value):
    """days_since_last_order (whole days before env.now) as ranges of last_order_at, so stale figures don't matter."""
    last = env.cs.c.last_order_at
    terms = []
    for low, high in _day_ranges(op, value):
        bounds = [last.is_not(None)]
        bounds += [last <= env.now - timedelta(days=low)] if low is not None else []
        bounds += [last > env.now - timedelta(days=high + 1)] if high is not None else []
        terms.append(and_(*bounds))
    return or_(*terms) if terms else false()


def birthday_offsets(today: date) -> dict[int, int]:
    """month*100+day -> days until that birthday next comes (0 = today); 29 Feb falls on 28 Feb in other years."""
    found: dict[int, int] = {}
    for k in range(367):
        day = today + timedelta(days=k)
        found.setdefault(day.month * 100 + day.day, k)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found.setdefault(229, k)
    return found


def days_to_birthday(month, day, today: date):
    if month is None or day is None:
        return None
    return birthday_offsets(today).get(month * 100 + day)


def _days_to_birthday(env, op: str, value):
    cs = env.cs.c
    offsets = birthday_offsets(env.now.date())
    runs, start, previous = [], None, None
    for key in ALL_BIRTH_KEYS:
        if holds(op, offsets[key], value):
            start = key if start is None else start
            previous = key
        elif start is not None:
            runs.append((start, previous))
            start = None
    runs += [(start, previous)] if start is not None else []
    if not runs:
        return false()
    key = cs.birth_month * 100 + cs.birth_day
    return and_(cs.birth_month.is_not(None), cs.birth_day.is_not(None),
                or_(*(key.between(low, high) for low, high in runs)))


def age_of(birth_year, birth_month, birth_day, today: date):
    if birth_year is None:
        return None
    known = birth_month is not None and birth_day is not None
    before = known and birth_month * 100 + birth_day > today.month * 100 + today.day
    return today.year - birth_year - (1 if before else 0)


def _age(env):
    cs, today = env.cs.c, env.now.date()
    passed = case((func.coalesce(cs.birth_month * 100 + cs.birth_day, 0) > today.month * 100 + today.day, 1), else_=0)
    return literal(today.year) - cs.birth_year - passed


def _bought_query(env, name: str, values: list, within_days, customer):
    """The customer's bought values among `values`; customer None: the ids of every customer who bought one."""
    lines = env.lines.c
    column = lines.category if name == "categories_bought" else lines.sku
    if customer is None:
        buyer = unindexed(lines.customer_id)
        query = select(buyer).where(buyer.is_not(None), column.in_(values))
    else:
        query = select(column).where(lines.customer_id == customer, unindexed(column).in_(values))
    query = query.where(lines.member_id == env.member_id, lines.counted == true())
    if within_days:
        query = query.where(lines.ordered_at >= env.now - timedelta(days=within_days))
    return query


def _choice(expr, op: str, values):
    values = values if isinstance(values, list) else [values]
    test = {"eq": expr.in_(values), "in": expr.in_(values), "ne": expr.not_in(values),
            "not_in": expr.not_in(values)}[op]
    return and_(expr.is_not(None), test)


def _rfm_names(values) -> list[str]:
    values = values if isinstance(values, list) else [values]
    return [name for value in values for name in (value, f"rfm_{value}")]


def _condition(cond: dict, env, table: str | None = None):
    cs, name, op, value = env.cs.c, cond["field"], cond["op"], cond["value"]
    if name == "days_since_last_order":
        return _days_since(env, op, value)
    if name == "days_to_birthday":
        return _days_to_birthday(env, op, value)
    if FIELDS[name].kind == "number":
        expr = {"orders": cs.orders, "revenue": cs.revenue, "ltv": cs.ltv, "age": _age(env),
                "average_order": case((cs.orders > 0, cs.revenue / cs.orders), else_=None)}[name]
        guard = cs.birth_year.is_not(None) if name == "age" else true()
        return and_(guard, _numeric(expr, op, value))
    if name in BOUGHT:
        found = (in_members({TABLE: table}, env.cs) if table
                 else exists(_bought_query(env, name, value, cond.get("within_days"), cs.customer_id)))
        return found if op == "includes" else not_(found)
    if name == "segment":
        member = or_(*(cs.segments.contains(f"|{code}|", autoescape=True) for code in value))
        return member if op == "in" else not_(member)
    if name == "rfm_group":
        return _choice(func.lower(cs.rfm_group), op, _rfm_names(value))
    column = {"channel": func.lower(cs.channel), "birthday_month": cs.birth_month, "gender": func.lower(cs.gender),
              "lifecycle": cs.lifecycle}[name]
    return _choice(column, op, value)


# --- explain (rules_explain.py words each condition with the customer's value) ------------------------------------

def explain(defn, row: dict, env, session, words=None) -> list[str]:
    """Every condition of the rule with the customer's actual value and whether it holds."""
    from .rules_explain import explain as run

    return run(defn, row, env, session, words)

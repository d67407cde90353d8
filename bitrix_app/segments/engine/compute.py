"""One SELECT that computes customers' complete customer_stats rows: figures, scores, cell, LTV, segment string.

A chain of materialized CTEs evaluates every expression once per row: `raw` (figures from the purchases
aggregate and the profile, the stored row's values), `figures` (birthday parts, gender,
scores, group, cell, LTV: a row with every customer_stats column), then the segment string with each
definition's predicate over that row (env.cs is the CTE; custom rules see stage-1 memberships through a
`stage1` CTE).
The full rebuild inserts it into its staging table per chunk; an incremental update writes it with one
UPDATE ... FROM: the same statement text for both, so an incremental update computes what a rebuild computes.
"""
from __future__ import annotations

from sqlalchemy import DateTime, and_, bindparam, cast, func, literal, null, or_, select, true

from bitrix_app.store.db import JsonDoc
from bitrix_app.store.segment_models import OrderLine

from . import memberships
from ..figures import rfm
from . import stats
from ..kinds.contract import Env, SegmentDef
from .stats import CS, CUSTOMERS, member_param, scoped

# the values a rebuild compares with the stored row (all but days_since and computed_at: the day count alone
# changes every day for everyone, and the row keeps its days_since as of its computed_at until something else does)
COMPARED = tuple(c.name for c in CS.columns if c.name not in ("customer_id", "member_id", "days_since", "computed_at",
                                                               "dirty", "written", "segments"))
EXTRA = ("tenure", "birthday", "gender_raw", "old_segments", "is_new") + tuple(f"old_{n}" for n in COMPARED)
NAMES = tuple(c.name for c in CS.columns) + EXTRA


def changed(t):
    """A row `t` of NAMES differs from the stored row it was computed over (a new customer always does)."""
    return or_(t.is_new == true(), t.segments != t.old_segments,
               *[t[n].is_distinct_from(t[f"old_{n}"]) for n in COMPARED])


def _materialized(stmt, name: str):
    return stmt.cte(name).prefix_with("MATERIALIZED")


def _rows(dialect: str, agg, settings: dict, cuts: dict, scope: str):
    """CTE of the customers in scope with every customer_stats column (segments still empty)."""
    joined = (CUSTOMERS.outerjoin(agg, and_(agg.c.cid == CUSTOMERS.c.id, scoped(scope, agg.c.cid)))
              .outerjoin(CS, and_(CS.c.customer_id == CUSTOMERS.c.id, scoped(scope, CS.c.customer_id))))
    raw = _materialized(select(*stats.raw_columns(dialect, agg),
                               func.coalesce(CS.c.segments, "|").label("old_segments"),
                               CS.c.customer_id.is_(None).label("is_new"),
                               *[CS.c[n].label(f"old_{n}") for n in COMPARED])
                        .select_from(joined)
                        .where(CUSTOMERS.c.member_id == member_param(), scoped(scope, CUSTOMERS.c.id)), "raw")
    more = stats.derived(dialect, raw.c, cuts, settings["lifecycle"])
    # simple CASEs evaluate r once and (f + m) // 2 once per branch: cheap enough inline
    group = rfm.group_expr(more["r"], more["f"], more["m"])
    return _materialized(select(raw, *[expr.label(name) for name, expr in more.items()], group.label("rfm_group"),
                                literal("|").label("segments"),
                                bindparam("p_now", type_=DateTime(timezone=True)).label("computed_at"),
                                true().label("dirty"), cast(null(), JsonDoc).label("written")), "figures")


def _env(env: Env, table) -> Env:
    return Env(cs=table, lines=OrderLine.__table__, member_id=env.member_id, now=env.now, dialect=env.dialect,
               settings=env.settings)


def computed(agg, settings: dict, cuts: dict, defs: list[SegmentDef], env: Env, scope: str):
    """(SELECT of NAMES for the customers in scope, the codes of the segment strings in order)."""
    rows = _rows(env.dialect, agg, settings, cuts or {}, scope)
    first = memberships.compiled([d for d in defs if d.stage == 1], _env(env, rows))
    if not any(d.stage == 2 for d in defs):
        segments = memberships.value(first, literal("|"), rows)
        return select(*[rows.c[n] if n != "segments" else segments.label(n) for n in NAMES]), \
            [d.code for d, _ in first]
    stage1 = _materialized(select(*[rows.c[n] for n in NAMES if n != "segments"],
                                  memberships.value(first, literal("|"), rows).label("segments")), "stage1")
    second = memberships.compiled([d for d in defs if d.stage == 2], _env(env, stage1))
    segments = memberships.value(second, stage1.c.segments, stage1)
    return select(*[stage1.c[n] if n != "segments" else segments.label(n) for n in NAMES]), \
        [d.code for d, _ in first + second]

"""Incremental update of a few customers: the rebuild's computing SELECT (compute.py) narrowed to them,
written with one UPDATE ... FROM ... RETURNING (new customers: INSERT ... RETURNING), scored with the cut points
of the last full rebuild.

The statements take the portal, the moment and the customers as bound parameters, and are reused while the
portal's thresholds, cut points and definitions stay the same (for definitions of the built-in kinds, whose
predicates depend on the date only, for the day): building a statement of this size costs more than running
it for one customer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache

from sqlalchemy import insert, select, true, update

from bitrix_app.store.segment_models import OrderLine

from . import compute
from . import pgfast
from . import stats
from ..kinds.contract import Env, SegmentDef
from .memberships import DATE_ONLY_KINDS
from .stats import CS, member_param

COLUMNS = tuple(c.name for c in CS.columns)


@dataclass(frozen=True)
class Statements:
    update: object  # UPDATE customer_stats ... RETURNING customer_id, segments
    insert: object  # INSERT of the customers without a row yet ... RETURNING customer_id, segments
    codes: tuple


def _build(settings: dict, cuts: dict, defs: list[SegmentDef], env: Env, scope: str) -> Statements:
    agg = stats.purchases(env.dialect, scope).subquery("agg")
    final, codes = compute.computed(agg, settings, cuts, defs, env, scope)
    s = final.subquery("s")
    changed = (update(CS).values(**stats.final_values(s.c, s.c.rfm_group, s.c.segments))
               .where(CS.c.customer_id == s.c.customer_id, CS.c.member_id == member_param())
               .returning(CS.c.customer_id, CS.c.segments))
    fresh = select(*[s.c[n] if n != "dirty" else true() for n in COLUMNS]).where(s.c.is_new == true())
    added = insert(CS).from_select(list(COLUMNS), fresh).returning(CS.c.customer_id, CS.c.segments)
    return Statements(changed, added, tuple(codes))


@lru_cache(maxsize=64)
def _built_in(dialect: str, scope: str, settings_key: str, cuts_key: str, defs_key: tuple, day: date) -> Statements:
    defs = [SegmentDef(code, kind, {}, json.loads(params)) for code, kind, params in defs_key]
    midnight = datetime.combine(day, time(), timezone.utc)
    env = Env(cs=CS, lines=OrderLine.__table__, member_id="", now=midnight, dialect=dialect, settings={})
    return _build(json.loads(settings_key), json.loads(cuts_key), defs, env, scope)


def statements(settings: dict, state: dict, defs: list[SegmentDef], env: Env, scope: str) -> Statements:
    if all(d.kind in DATE_ONLY_KINDS for d in defs):
        key = tuple((d.code, d.kind, json.dumps(d.params, sort_keys=True)) for d in defs)
        lifecycle = json.dumps({"lifecycle": settings["lifecycle"]}, sort_keys=True)
        return _built_in(env.dialect, scope, lifecycle, stats.cuts_key(state), key, env.now.date())
    return _build(settings, json.loads(stats.cuts_key(state)), defs, env, scope)


def write(conn, settings: dict, state: dict, defs: list[SegmentDef], env: Env, ids: list[int]) -> dict[int, str]:
    """Recompute the customers' rows; answer their new segment strings."""
    values = stats.params(env.member_id, env.now, ids=ids)
    plan = statements(settings, state, defs, env, "one" if len(ids) == 1 else "ids")
    after = dict(pgfast.execute(conn, plan.update, values))
    if len(after) < len(ids):  # customers new to the engine
        after.update(dict(pgfast.execute(conn, plan.insert, values)))
    return after

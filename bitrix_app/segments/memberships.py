"""Memberships in one UPDATE per stage: segments = '|' || CASE WHEN <predicate> THEN 'CODE|' ELSE '' END || ...

Stage 1 rewrites the string from scratch; stage 2 (custom rules, which may test stage-1 membership) appends.
The statements take the portal and the scope as bound parameters (see stats.params). When every definition is
of a built-in kind (their predicates depend on the date only), the built statements are reused for the day.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache

from sqlalchemy import case, func, literal, update

from bitrix_app.store.segment_models import OrderLine

from . import sqlfn
from .kinds import Env, SegmentDef, kind_module
from .stats import member_param, scoped

log = logging.getLogger(__name__)
DATE_ONLY_KINDS = frozenset({"lifecycle", "rfm", "lapsed", "birthday", "demographic"})


@dataclass(frozen=True)
class Plan:
    statements: tuple  # stage 1, then stage 2 when there are custom rules
    codes: tuple  # the codes evaluated, in string order


def compiled(defs: list[SegmentDef], env: Env) -> list[tuple[SegmentDef, object]]:
    """(definition, predicate) pairs; definitions of a kind whose module is not installed are left out."""
    out = []
    for defn in defs:
        try:
            module = kind_module(defn.kind)
        except ImportError:
            log.warning("segment %s of %s: kind %s is not available; skipped", defn.code, env.member_id, defn.kind)
            continue
        out.append((defn, module.predicate(defn, env)))
    return out


def value(pairs, base, table=None):
    """base || CASE WHEN <predicate> THEN 'CODE|' ELSE '' END || ... over (definition, predicate) pairs.
    With `table` (env.cs), a run of built-in lifecycle cells or RFM groups becomes one CASE that writes the
    row's own cell or group code (at most one of them holds, so the string is the same)."""
    expr = base
    for run in _runs(pairs, table):
        if isinstance(run, tuple):
            defn, predicate = run
            expr = expr.concat(case((predicate, literal(f"{defn.code}|")), else_=literal("")))
        else:
            expr = expr.concat(run)
    return expr


def _own_code(defn: SegmentDef) -> str | None:
    """"lifecycle" / "rfm" when the definition is the built-in shape: the code is the single cell / RFM_<GROUP>."""
    cells, groups = defn.params.get("cells"), defn.params.get("groups")
    if defn.kind == "lifecycle" and cells == [defn.code] and set(defn.params) == {"cells"}:
        return "lifecycle"
    if defn.kind == "rfm" and set(defn.params) == {"groups"} and groups and len(groups) == 1 \
            and defn.code == f"RFM_{groups[0].upper()}":
        return "rfm"
    return None


def _runs(pairs, table):
    """The pairs, with consecutive built-in cell / group definitions folded into one CASE expression."""
    out, i = [], 0
    while i < len(pairs):
        shape = _own_code(pairs[i][0]) if table is not None else None
        j = i
        while shape and j < len(pairs) and _own_code(pairs[j][0]) == shape:
            j += 1
        if j - i < 2:
            out.append(pairs[i])
            i += 1
            continue
        values = [d.params["cells"][0] if shape == "lifecycle" else d.params["groups"][0] for d, _ in pairs[i:j]]
        column = table.c.lifecycle if shape == "lifecycle" else table.c.rfm_group
        own = column.concat("|") if shape == "lifecycle" else literal("RFM_").concat(func.upper(column)).concat("|")
        out.append(case((sqlfn.one_of(column, values), own), else_=literal("")))
        i = j
    return out


def _build(defs: list[SegmentDef], env: Env, scope: str) -> Plan:
    """UPDATE statements of env.cs: customer_stats, or the full rebuild's staged copy with the same columns."""
    pairs, table = compiled(defs, env), env.cs
    where = (table.c.member_id == member_param(), scoped(scope, table.c.customer_id))
    first = [(d, p) for d, p in pairs if d.stage == 1]
    second = [(d, p) for d, p in pairs if d.stage == 2]
    statements = [update(table).values(segments=value(first, literal("|"), table)).where(*where)]
    if second:
        statements.append(update(table).values(segments=value(second, table.c.segments, table)).where(*where))
    return Plan(tuple(statements), tuple(d.code for d, _ in first + second))


@lru_cache(maxsize=64)
def _built_in_plan(dialect: str, scope: str, defs_key: tuple, day: date, table) -> Plan:
    defs = [SegmentDef(code, kind, {}, json.loads(params)) for code, kind, params in defs_key]
    midnight = datetime.combine(day, time(), timezone.utc)
    env = Env(cs=table, lines=OrderLine.__table__, member_id="", now=midnight, dialect=dialect, settings={})
    return _build(defs, env, scope)


def prepared(defs: list[SegmentDef], env: Env, conn) -> list[SegmentDef]:
    """Definitions after their kind's optional prepare(defn, env, connection) hook (run once per full rebuild:
    e.g. portal-wide medians computed in one pass instead of per customer)."""
    out = []
    for defn in defs:
        try:
            hook = getattr(kind_module(defn.kind), "prepare", None)
        except ImportError:
            hook = None
        out.append(hook(defn, env, conn) if hook else defn)
    return out


def plan(defs: list[SegmentDef], env: Env, scope: str) -> Plan:
    """The membership statements for these definitions at env.now."""
    if all(d.kind in DATE_ONLY_KINDS for d in defs):
        key = tuple((d.code, d.kind, json.dumps(d.params, sort_keys=True)) for d in defs)
        return _built_in_plan(env.dialect, scope, key, env.now.date(), env.cs)
    return _build(defs, env, scope)


def run(conn, memberships: Plan, values: dict) -> list[str]:
    """Rewrite the segment strings of the customers in scope; answer the codes evaluated, in order."""
    for statement in memberships.statements:
        conn.execute(statement, values)
    return list(memberships.codes)


def codes_of(segments: str | None) -> set[str]:
    """"|A|B|" -> {"A", "B"}."""
    return {code for code in (segments or "").split("|") if code}

"""The segment string of a row: '|' || CASE WHEN <predicate> THEN 'CODE|' ELSE '' END || ... ("|" when none).

Predicates come from each definition's kind module (kinds.py) over env.cs, a row with customer_stats' columns.
DATE_ONLY_KINDS are the kinds whose predicates depend on the date of env.now only (statements built for them can
be reused for the day).
"""
from __future__ import annotations

import logging

from sqlalchemy import case, func, literal

from ..figures import sqlfn
from ..kinds.contract import Env, SegmentDef, kind_module

log = logging.getLogger(__name__)
DATE_ONLY_KINDS = frozenset({"lifecycle", "rfm", "lapsed", "birthday", "demographic"})


def compiled(defs: list[SegmentDef], env: Env) -> list[tuple[SegmentDef, object]]:
    """(definition, predicate) pairs; definitions of a kind whose module is not installed are left out; a frozen
    definition (isolation.py) keeps the row's old membership."""
    from ..kinds.isolation import frozen_predicate, is_frozen

    out = []
    for defn in defs:
        if is_frozen(defn):
            out.append((defn, frozen_predicate(defn, env)))
            continue
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


def codes_of(segments: str | None) -> set[str]:
    """"|A|B|" -> {"A", "B"}."""
    return {code for code in (segments or "").split("|") if code}

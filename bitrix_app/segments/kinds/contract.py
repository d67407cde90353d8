"""The contract every segment kind meets, so the engine can evaluate any of them in one set-based pass.

A kind is a module (named in KINDS) that exposes:
- `ParamsSchema`: a marshmallow schema of the definition's params (stored definitions are validated with it);
- `predicate(defn, env) -> ColumnElement[bool]`: a SQLAlchemy Core condition over one `customer_stats` row
  (`env.cs`), correlated subqueries over `shop_order_lines` allowed; the same text runs on SQLite and PostgreSQL;
- `explain(defn, row, env, session) -> list[str]`: why a customer (its `customer_stats` row as a dict) is in
  the segment (or not): the facts and the thresholds, one sentence each.

Stage 1 kinds are evaluated first; stage 2 kinds (custom rules) may test stage-1 membership in `cs.segments`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType, ModuleType
from typing import Any

KINDS = MappingProxyType({
    "lifecycle": "bitrix_app.segments.kinds.builtin",
    "rfm": "bitrix_app.segments.kinds.builtin",
    "lapsed": "bitrix_app.segments.kinds.builtin",
    "birthday": "bitrix_app.segments.kinds.builtin",
    "demographic": "bitrix_app.segments.kinds.builtin",
    "cross_sell": "bitrix_app.segments.kinds.crosssell",
    "replenishment": "bitrix_app.segments.kinds.replenish",
    "abandoned_cart": "bitrix_app.segments.kinds.carts",
    "custom": "bitrix_app.segments.kinds.rules",
})
STAGE_TWO = frozenset({"custom"})


@dataclass(frozen=True)
class SegmentDef:
    code: str  # upper case, unique per portal: NEW_ACTIVE, RFM_CHAMPIONS, LAPSED_90, ...
    kind: str
    name: dict  # {"en": ..., "ru": ...}
    params: dict = field(default_factory=dict)

    @property
    def stage(self) -> int:
        return 2 if self.kind in STAGE_TWO else 1


@dataclass(frozen=True)
class Env:
    """What a predicate may use: the customer_stats table, the portal, the moment and the portal's settings."""

    cs: Any  # sqlalchemy Table customer_stats
    lines: Any  # sqlalchemy Table shop_order_lines
    member_id: str
    now: datetime  # aware UTC
    dialect: str  # "sqlite" | "postgresql"
    settings: dict  # the portal's segment settings (thresholds), defaults filled in


def kind_module(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise KeyError(f"unknown segment kind {kind!r}")
    return importlib.import_module(KINDS[kind])

"""Pieces shared by the crm.* method modules: costs, row lookup, events, user fields and method tables."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Iterable

from .context import CallContext, MethodSpec
from .crm_deal_logic import touch
from .crm_fields import describe
from .crm_store import check_params_arg, ensure_crm, fields_arg, get_row, require_id
from .crm_userfields import (
    add_userfield, describe_uf, entity_defs, find_def, uf_types, userfield_delete, userfield_get, userfield_list,
    userfield_update,
)
from .listing import list_rows

READ, WRITE = 0.01, 0.03  # simulated processing seconds of a plain read and a write
# Costs of the usual entity methods, by the last part of the method name
_ENTITY_COSTS = MappingProxyType({"add": WRITE, "get": READ, "list": 0.02, "update": WRITE, "delete": WRITE,
                                  "fields": 0.005})


def crm_spec(name: str, func: Callable[[CallContext, dict], Any], cost: float = READ) -> MethodSpec:
    """One method of the `crm` scope."""
    return MethodSpec(name, func, scope="crm", cost=cost)


def entity_specs(entity: str, **funcs: Callable[[CallContext, dict], Any]) -> tuple[MethodSpec, ...]:
    """crm.<entity>.add/get/list/update/delete/fields (the ones given, in that order) at their usual costs."""
    return tuple(crm_spec(f"crm.{entity}.{verb}", func, _ENTITY_COSTS[verb]) for verb, func in funcs.items())


def fire(ctx: CallContext, name: str, row_id: int) -> None:
    """A crm.* change event carrying the row's id."""
    ctx.portal.fire_event(name, {"FIELDS": {"ID": str(row_id)}}, ctx)


def insert_row(ctx: CallContext, table: str, row: dict, event: str) -> int:
    """Store a new row under its ID and announce it; the new id."""
    row_id = int(row["ID"])
    ctx.portal.table(table)[row_id] = row
    fire(ctx, event, row_id)
    return row_id


def update_row(ctx: CallContext, params: dict, table: str, apply: Callable, event: str) -> bool:
    """`crm.<entity>.update`: validate and apply the fields to a copy, so a rejected update changes nothing."""
    row_id, row = find_row(ctx, params, table)
    fields = fields_arg(params)
    check_params_arg(params)
    staged = {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}
    apply(ctx, staged, fields, creating=False)
    touch(ctx, staged)
    row.clear()
    row.update(staged)
    fire(ctx, event, row_id)
    return True


def find_row(ctx: CallContext, params: dict, table: str) -> tuple[int, dict]:
    """The id and stored row named by the call's `id`, or the documented invalid-id / not-found errors."""
    ensure_crm(ctx.portal)
    row_id = require_id(params)
    return row_id, get_row(ctx.portal, table, row_id)


def delete_row(ctx: CallContext, params: dict, table: str, event: str,
               cleanup: Callable[[Any, int], None] | None = None) -> bool:
    """crm.<entity>.delete: drop the row named by `id`, tidy what hangs on it, announce the deletion."""
    row_id, _ = find_row(ctx, params, table)
    del ctx.portal.table(table)[row_id]
    if cleanup is not None:
        cleanup(ctx.portal, row_id)
    fire(ctx, event, row_id)
    return True


def list_with_uf(ctx: CallContext, params: dict, table: str, out: Callable[[Any, dict], dict],
                 all_fields: dict, uf_entity: str, multi_fields: Iterable[str] = ()):
    """crm.<entity>.list over rows shaped by `out`, user fields included (`*` and `UF_*` by default)."""
    ensure_crm(ctx.portal)
    rows = [out(ctx.portal, r) for r in ctx.portal.table(table).values()]
    return list_rows(rows, params, default_select=("*", "UF_*"), all_fields=all_fields,
                     multi_fields=multi_fields, uf_fields=uf_types(ctx.portal, uf_entity))


def describe_with_uf(portal, fields: dict, uf_entity: str) -> dict:
    """crm.<entity>.fields: the standard fields, then the entity's user fields."""
    out = describe(fields)
    for defn in entity_defs(portal, uf_entity):
        out[defn["FIELD_NAME"]] = describe_uf(defn)
    return out


def userfield_specs(entity: str, uf_entity: str, table: str) -> tuple[MethodSpec, ...]:
    """crm.<entity>.userfield.*; admin-only writes are checked inside, to answer the documented "Access denied."."""
    def uf_add(ctx: CallContext, params: dict) -> int:
        return add_userfield(ctx, uf_entity, params)

    def uf_get(ctx: CallContext, params: dict) -> dict:
        return userfield_get(find_def(ctx.portal, uf_entity, params))

    def uf_list(ctx: CallContext, params: dict):
        return userfield_list(ctx.portal, uf_entity, params)

    def uf_update(ctx: CallContext, params: dict) -> bool:
        return userfield_update(ctx, uf_entity, params)

    def uf_delete(ctx: CallContext, params: dict) -> bool:
        return userfield_delete(ctx, uf_entity, table, params)

    prefix = f"crm.{entity}.userfield."
    return (crm_spec(prefix + "add", uf_add, 0.05), crm_spec(prefix + "get", uf_get),
            crm_spec(prefix + "list", uf_list), crm_spec(prefix + "update", uf_update, 0.04),
            crm_spec(prefix + "delete", uf_delete, 0.04))

"""crm.deal.*: deals, their product rows, contact bindings and user fields."""
from __future__ import annotations

from ..context import CallContext, MethodSpec, arg, methods
from ..crm_deal_logic import (
    LINKS, UF_ENTITY, apply_fields, deal_out, links, new_deal, parse_link_items, recompute_amount, set_links, touch,
)
from ..crm_fields import DEAL_FIELDS, DEAL_TYPES, describe
from ..crm_productrows import drop_rows, owner_rows, row_out, set_rows
from ..crm_store import DEAL, as_map, check_params_arg, ensure_crm, fields_arg, get_row, positive_id, require_id, yn
from ..crm_userfields import (
    add_userfield, describe_uf, entity_defs, find_def, uf_types, userfield_delete, userfield_get, userfield_list,
    userfield_update,
)
from ..errors import crm_error
from ..listing import list_rows


def _fire(ctx: CallContext, name: str, deal_id: int) -> None:
    ctx.portal.fire_event(name, {"FIELDS": {"ID": str(deal_id)}}, ctx)


def deal_add(ctx: CallContext, params: dict) -> int:
    ensure_crm(ctx.portal)
    fields = fields_arg(params)
    check_params_arg(params)
    row = new_deal(ctx, fields)
    ctx.portal.table(DEAL)[int(row["ID"])] = row
    _fire(ctx, "ONCRMDEALADD", int(row["ID"]))
    return int(row["ID"])


def deal_get(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    row = get_row(ctx.portal, DEAL, require_id(params))
    return deal_out(ctx.portal, row)


def deal_list(ctx: CallContext, params: dict):
    ensure_crm(ctx.portal)
    rows = [deal_out(ctx.portal, r) for r in ctx.portal.table(DEAL).values()]
    return list_rows(rows, params, default_select=("*", "UF_*"), all_fields=DEAL_TYPES,
                     uf_fields=uf_types(ctx.portal, UF_ENTITY))


def deal_update(ctx: CallContext, params: dict) -> bool:
    """Partial update; CATEGORY_ID is immutable here (D: use crm.item.update to change the funnel)."""
    ensure_crm(ctx.portal)
    deal_id = require_id(params)
    row = get_row(ctx.portal, DEAL, deal_id)
    fields = fields_arg(params)
    check_params_arg(params)
    staged = dict(row)
    apply_fields(ctx, staged, {k: v for k, v in fields.items() if k != "CATEGORY_ID"}, creating=False)
    touch(ctx, staged)
    recompute_amount(ctx.portal, staged)
    row.clear()
    row.update(staged)
    _fire(ctx, "ONCRMDEALUPDATE", deal_id)
    return True


def deal_delete(ctx: CallContext, params: dict) -> bool:
    ensure_crm(ctx.portal)
    deal_id = require_id(params)
    get_row(ctx.portal, DEAL, deal_id)
    del ctx.portal.table(DEAL)[deal_id]
    drop_rows(ctx.portal, "D", deal_id)
    ctx.portal.table(LINKS).pop(deal_id, None)
    _fire(ctx, "ONCRMDEALDELETE", deal_id)
    return True


def deal_fields(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    out = describe(DEAL_FIELDS)
    for defn in entity_defs(ctx.portal, UF_ENTITY):
        out[defn["FIELD_NAME"]] = describe_uf(defn)
    return out


# ---- product rows
_BAD_ROWS_ID = "The parameter id is invalid or not defined."


def productrows_set(ctx: CallContext, params: dict) -> bool:
    """Full replace of the rows; with IS_MANUAL_OPPORTUNITY=N the amount follows them."""
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error(_BAD_ROWS_ID))
    row = get_row(ctx.portal, DEAL, deal_id)
    set_rows(ctx.portal, "D", deal_id, arg(params, "rows"))
    if row["IS_MANUAL_OPPORTUNITY"] != "Y":
        before = row["OPPORTUNITY"]
        recompute_amount(ctx.portal, row)
        if not owner_rows(ctx.portal, "D", deal_id):
            row["OPPORTUNITY"], row["TAX_VALUE"] = "0.00", "0.00"
        if row["OPPORTUNITY"] != before:
            touch(ctx, row)
            _fire(ctx, "ONCRMDEALUPDATE", deal_id)
    return True


def productrows_get(ctx: CallContext, params: dict) -> list:
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error(_BAD_ROWS_ID))
    get_row(ctx.portal, DEAL, deal_id)
    return [row_out(r) for r in owner_rows(ctx.portal, "D", deal_id)]


# ---- contact bindings
def contact_items_set(ctx: CallContext, params: dict) -> bool:
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error("The parameter ownerEntityID is invalid or not defined."))
    items = parse_link_items(arg(params, "items"))
    if items is None:
        raise crm_error("The parameter items must be array.")
    get_row(ctx.portal, DEAL, deal_id, crm_error("Not found."))
    set_links(ctx.portal, deal_id, items)
    return True


def contact_items_get(ctx: CallContext, params: dict) -> list:
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error("The parameter ownerEntityID is invalid or not defined."))
    get_row(ctx.portal, DEAL, deal_id, crm_error("Not found."))
    return [dict(c) for c in links(ctx.portal, deal_id)]


def contact_add(ctx: CallContext, params: dict) -> bool:
    """Adds one binding; `false` when the contact is already bound (D crm-deal-contact-add.md)."""
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error("The parameter 'ownerEntityID' is invalid or not defined."))
    fields = as_map(arg(params, "fields"))
    if fields is None:
        raise crm_error("The parameter 'fields' must be array.")
    get_row(ctx.portal, DEAL, deal_id, crm_error("Not found."))
    cid = positive_id(fields.get("CONTACT_ID"))
    if cid is None:
        raise crm_error("The parameter 'fields' is not valid.")
    current = [dict(c) for c in links(ctx.portal, deal_id)]
    if any(c["CONTACT_ID"] == cid for c in current):
        return False
    primary = yn(fields.get("IS_PRIMARY"), "Y" if not current else "N") == "Y"
    if primary:
        for c in current:
            c["IS_PRIMARY"] = "N"
    sort = fields.get("SORT") or (max([c["SORT"] for c in current], default=0) + 10)
    set_links(ctx.portal, deal_id, current + [{"CONTACT_ID": cid, "SORT": sort, "IS_PRIMARY": "Y" if primary else "N"}])
    return True


# ---- user fields
def uf_add(ctx: CallContext, params: dict) -> int:
    return add_userfield(ctx, UF_ENTITY, params)


def uf_get(ctx: CallContext, params: dict) -> dict:
    return userfield_get(find_def(ctx.portal, UF_ENTITY, params))


def uf_list(ctx: CallContext, params: dict):
    return userfield_list(ctx.portal, UF_ENTITY, params)


def uf_update(ctx: CallContext, params: dict) -> bool:
    return userfield_update(ctx, UF_ENTITY, params)


def uf_delete(ctx: CallContext, params: dict) -> bool:
    return userfield_delete(ctx, UF_ENTITY, DEAL, params)


_READ, _WRITE = 0.01, 0.03
METHODS = methods(
    MethodSpec("crm.deal.add", deal_add, scope="crm", cost=_WRITE),
    MethodSpec("crm.deal.get", deal_get, scope="crm", cost=_READ),
    MethodSpec("crm.deal.list", deal_list, scope="crm", cost=0.02),
    MethodSpec("crm.deal.update", deal_update, scope="crm", cost=_WRITE),
    MethodSpec("crm.deal.delete", deal_delete, scope="crm", cost=_WRITE),
    MethodSpec("crm.deal.fields", deal_fields, scope="crm", cost=0.005),
    MethodSpec("crm.deal.productrows.set", productrows_set, scope="crm", cost=0.04),
    MethodSpec("crm.deal.productrows.get", productrows_get, scope="crm", cost=_READ),
    MethodSpec("crm.deal.contact.items.set", contact_items_set, scope="crm", cost=_WRITE),
    MethodSpec("crm.deal.contact.items.get", contact_items_get, scope="crm", cost=_READ),
    MethodSpec("crm.deal.contact.add", contact_add, scope="crm", cost=_WRITE),
    # admin-only userfield writes are checked inside, to answer with the documented "Access denied."
    MethodSpec("crm.deal.userfield.add", uf_add, scope="crm", cost=0.05),
    MethodSpec("crm.deal.userfield.get", uf_get, scope="crm", cost=_READ),
    MethodSpec("crm.deal.userfield.list", uf_list, scope="crm", cost=_READ),
    MethodSpec("crm.deal.userfield.update", uf_update, scope="crm", cost=0.04),
    MethodSpec("crm.deal.userfield.delete", uf_delete, scope="crm", cost=0.04),
)

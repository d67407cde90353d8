"""crm.deal.*: deals, their product rows, contact bindings and user fields."""
from __future__ import annotations

from typing import Any, Callable

from ..context import CallContext, arg, methods
from ..crm_deal_logic import (
    LINKS, UF_ENTITY, apply_fields, deal_out, links, new_deal, parse_link_items, recompute_amount, set_links, touch,
)
from ..crm_fields import DEAL_FIELDS, DEAL_TYPES
from ..crm_methods import (
    WRITE, crm_spec, delete_row, describe_with_uf, entity_specs, find_row, fire, insert_row, list_with_uf,
    userfield_specs,
)
from ..crm_productrows import drop_rows, owner_rows, row_out, set_rows
from ..crm_store import DEAL, as_map, check_params_arg, ensure_crm, fields_arg, get_row, positive_id, require_id, yn
from ..errors import crm_error


def deal_add(ctx: CallContext, params: dict) -> int:
    ensure_crm(ctx.portal)
    fields = fields_arg(params)
    check_params_arg(params)
    row = new_deal(ctx, fields)
    return insert_row(ctx, DEAL, row, "ONCRMDEALADD")


def deal_get(ctx: CallContext, params: dict) -> dict:
    return deal_out(ctx.portal, find_row(ctx, params, DEAL)[1])


def deal_list(ctx: CallContext, params: dict):
    return list_with_uf(ctx, params, DEAL, deal_out, DEAL_TYPES, UF_ENTITY)


def deal_update(ctx: CallContext, params: dict) -> bool:
    """Partial update; CATEGORY_ID is immutable here (D: use crm.item.update to change the funnel)."""
    deal_id, row = find_row(ctx, params, DEAL)
    fields = fields_arg(params)
    check_params_arg(params)
    staged = dict(row)
    apply_fields(ctx, staged, {k: v for k, v in fields.items() if k != "CATEGORY_ID"}, creating=False)
    touch(ctx, staged)
    recompute_amount(ctx.portal, staged)
    row.clear()
    row.update(staged)
    fire(ctx, "ONCRMDEALUPDATE", deal_id)
    return True


def _drop_deal_links(portal, deal_id: int) -> None:
    drop_rows(portal, "D", deal_id)
    portal.table(LINKS).pop(deal_id, None)


def deal_delete(ctx: CallContext, params: dict) -> bool:
    return delete_row(ctx, params, DEAL, "ONCRMDEALDELETE", _drop_deal_links)


def deal_fields(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    return describe_with_uf(ctx.portal, DEAL_FIELDS, UF_ENTITY)


# ---- product rows
_BAD_ROWS_ID = "The parameter id is invalid or not defined."


def _rows_deal(ctx: CallContext, params: dict) -> tuple[int, dict]:
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error(_BAD_ROWS_ID))
    return deal_id, get_row(ctx.portal, DEAL, deal_id)


def productrows_set(ctx: CallContext, params: dict) -> bool:
    """Full replace of the rows; with IS_MANUAL_OPPORTUNITY=N the amount follows them."""
    deal_id, row = _rows_deal(ctx, params)
    set_rows(ctx.portal, "D", deal_id, arg(params, "rows"))
    if row["IS_MANUAL_OPPORTUNITY"] != "Y":
        before = row["OPPORTUNITY"]
        recompute_amount(ctx.portal, row)
        if not owner_rows(ctx.portal, "D", deal_id):
            row["OPPORTUNITY"], row["TAX_VALUE"] = "0.00", "0.00"
        if row["OPPORTUNITY"] != before:
            touch(ctx, row)
            fire(ctx, "ONCRMDEALUPDATE", deal_id)
    return True


def productrows_get(ctx: CallContext, params: dict) -> list:
    deal_id, _ = _rows_deal(ctx, params)
    return [row_out(r) for r in owner_rows(ctx.portal, "D", deal_id)]


# ---- contact bindings
def _bound_deal(ctx: CallContext, params: dict, name: str, parse: Callable[[Any], Any],
                quote: str = "") -> tuple[int, Any]:
    """The deal (`id`) and the array argument `name` of a binding call, checked in the portal's order."""
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error(f"The parameter {quote}ownerEntityID{quote} is invalid or not defined."))
    value = parse(arg(params, name))
    if value is None:
        raise crm_error(f"The parameter {quote}{name}{quote} must be array.")
    get_row(ctx.portal, DEAL, deal_id, crm_error("Not found."))
    return deal_id, value


def contact_items_set(ctx: CallContext, params: dict) -> bool:
    """`items` is required: its absence is an error, not "unbind everything" (an empty array is)."""
    if arg(params, "items") is None:
        raise crm_error("The parameter items must be array.")
    deal_id, items = _bound_deal(ctx, params, "items", parse_link_items)
    set_links(ctx.portal, deal_id, items)
    return True


def contact_items_get(ctx: CallContext, params: dict) -> list:
    ensure_crm(ctx.portal)
    deal_id = require_id(params, crm_error("The parameter ownerEntityID is invalid or not defined."))
    get_row(ctx.portal, DEAL, deal_id, crm_error("Not found."))
    return [dict(c) for c in links(ctx.portal, deal_id)]


def contact_add(ctx: CallContext, params: dict) -> bool:
    """Adds one binding; `false` when the contact is already bound (D crm-deal-contact-add.md)."""
    deal_id, fields = _bound_deal(ctx, params, "fields", as_map, quote="'")
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


METHODS = methods(
    *entity_specs("deal", add=deal_add, get=deal_get, list=deal_list, update=deal_update, delete=deal_delete,
                  fields=deal_fields),
    crm_spec("crm.deal.productrows.set", productrows_set, 0.04),
    crm_spec("crm.deal.productrows.get", productrows_get),
    crm_spec("crm.deal.contact.items.set", contact_items_set, WRITE),
    crm_spec("crm.deal.contact.items.get", contact_items_get),
    crm_spec("crm.deal.contact.add", contact_add, WRITE),
    *userfield_specs("deal", UF_ENTITY, DEAL),
)

"""crm.lead.*: leads with their stage (STATUS_ID), amount, contact link, multi-fields and user fields.

D api-reference/crm/leads/crm-lead-{add,get,update,list,delete,fields}.md. Unknown fields are ignored; the
repeat-lead flag IS_RETURN_CUSTOMER cannot be written, it turns Y when COMPANY_ID or CONTACT_ID is given
(D crm-lead-add.md, crm-lead-update.md). Deleting a lead deletes its activities (D crm-lead-delete.md).
"""
from __future__ import annotations

from typing import Any

from ..context import CallContext, methods
from ..crm_activities import TABLE as ACTIVITIES
from ..crm_fields import LEAD_FIELDS, LEAD_ROW, LEAD_TYPES, MULTI_FIELDS
from ..crm_methods import (
    delete_row, describe_with_uf, entity_specs, find_row, insert_row, list_with_uf, update_row, userfield_specs,
)
from ..crm_multifields import apply_multifields
from ..crm_seed import base_currency, currency_codes, lead_status_semantic, statuses
from ..crm_store import (
    LEAD, as_list, check_params_arg, ensure_crm, fields_arg, fmt_date, id_str, iso, money, now_dt, positive_id,
    text, yn,
)
from ..crm_userfields import add_uf_values, store_uf_values
from ..errors import crm_error

UF_ENTITY = "CRM_LEAD"
TEXT_FIELDS = ("TITLE", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "COMPANY_TITLE", "SOURCE_ID",
               "SOURCE_DESCRIPTION", "STATUS_DESCRIPTION", "POST", "COMMENTS", "ORIGINATOR_ID", "ORIGIN_ID",
               "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "ADDRESS", "ADDRESS_2",
               "ADDRESS_CITY", "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY",
               "ADDRESS_COUNTRY_CODE")
CLOSED = ("S", "F")  # a lead in a success or failure stage is closed (DATE_CLOSED set)


def _invalid(title: str):
    # The wording the deal methods answer for a bad currency (D api-reference/crm/deals/crm-deal-add.md); the
    # titles are the ones crm.lead.fields gives these fields
    return crm_error(f'Invalid value for the "{title}" field')


def _check(portal, fields: dict) -> None:
    """Refuse a currency or a stage the portal does not have, before anything is written."""
    if "CURRENCY_ID" in fields and (text(fields["CURRENCY_ID"]) or "").upper() not in currency_codes(portal):
        raise _invalid("Currency")
    status = text(fields.get("STATUS_ID"))
    if status and lead_status_semantic(portal, status) is None:
        raise _invalid("Stage")


def _move(ctx: CallContext, row: dict, status: str) -> None:
    """Stage change: semantic group, DATE_CLOSED for success/failure stages, who moved it and when."""
    now = iso(now_dt(ctx.portal))
    semantic = lead_status_semantic(ctx.portal, status) or "P"
    row["STATUS_ID"], row["STATUS_SEMANTIC_ID"] = status, semantic
    row["DATE_CLOSED"] = now if semantic in CLOSED else ""
    row["MOVED_BY_ID"], row["MOVED_TIME"] = str(ctx.user_id), now


def _apply_contacts(row: dict, fields: dict) -> bool:
    """CONTACT_IDS replaces the bound contacts, the deprecated CONTACT_ID makes one the first; True if any is set."""
    if "CONTACT_IDS" in fields:
        ids = [c for c in (positive_id(v) for v in as_list(fields["CONTACT_IDS"])) if c]
        row["_CONTACT_IDS"] = list(dict.fromkeys(ids))
    elif "CONTACT_ID" in fields:
        cid = positive_id(fields["CONTACT_ID"])
        rest = [c for c in row.get("_CONTACT_IDS") or [] if c != cid]
        row["_CONTACT_IDS"] = [cid] + rest if cid else []
    else:
        return False
    row["CONTACT_ID"] = str(row["_CONTACT_IDS"][0]) if row["_CONTACT_IDS"] else None
    return bool(row["_CONTACT_IDS"])


def _apply(ctx: CallContext, row: dict, fields: dict, creating: bool) -> None:
    """The documented writable fields (D crm-lead-add.md); unknown keys are ignored."""
    portal = ctx.portal
    _check(portal, fields)
    for key in TEXT_FIELDS:
        if key in fields:
            row[key] = text(fields[key])
    for key in ("OPENED", "IS_MANUAL_OPPORTUNITY"):
        if key in fields:
            row[key] = yn(fields[key], row[key] or "N")
    if "OPPORTUNITY" in fields:
        row["OPPORTUNITY"] = money(fields["OPPORTUNITY"])
    if "CURRENCY_ID" in fields:
        row["CURRENCY_ID"] = text(fields["CURRENCY_ID"]).upper()
    if "BIRTHDATE" in fields:
        row["BIRTHDATE"] = fmt_date(fields["BIRTHDATE"]) or ""
    if "ASSIGNED_BY_ID" in fields and id_str(fields["ASSIGNED_BY_ID"]):
        row["ASSIGNED_BY_ID"] = id_str(fields["ASSIGNED_BY_ID"])
    if "COMPANY_ID" in fields:
        row["COMPANY_ID"] = id_str(fields["COMPANY_ID"])
    if _apply_contacts(row, fields) or ("COMPANY_ID" in fields and row["COMPANY_ID"]):
        row["IS_RETURN_CUSTOMER"] = "Y"
    status = text(fields.get("STATUS_ID"))
    if status and status != row["STATUS_ID"]:
        _move(ctx, row, status)
    apply_multifields(portal, row, fields, creating)
    store_uf_values(portal, UF_ENTITY, row, fields, creating)


def lead_out(portal, row: dict) -> dict:
    """crm.lead.get shape: documented keys in order, user fields, then the multi-fields the lead has."""
    out = add_uf_values(portal, UF_ENTITY, row, {k: row.get(k) for k in LEAD_ROW})
    for kind in MULTI_FIELDS:
        if row.get(kind):
            out[kind] = [dict(i) for i in row[kind]]
    return out


def lead_add(ctx: CallContext, params: dict) -> int:
    portal = ctx.portal
    ensure_crm(portal)
    fields = fields_arg(params)
    check_params_arg(params)
    now, user = iso(now_dt(portal)), str(ctx.user_id)
    sources = statuses(portal, "SOURCE")
    row: dict[str, Any] = dict.fromkeys(LEAD_ROW)
    row.update({
        "ID": str(portal.next_id(LEAD)), "IS_RETURN_CUSTOMER": "N", "BIRTHDATE": "",
        "SOURCE_ID": sources[0]["STATUS_ID"] if sources else None, "CURRENCY_ID": base_currency(portal),
        "OPPORTUNITY": "0.00", "IS_MANUAL_OPPORTUNITY": "N", "OPENED": "Y", "ASSIGNED_BY_ID": user,
        "CREATED_BY_ID": user, "MODIFY_BY_ID": user, "DATE_CREATE": now, "DATE_MODIFY": now, "DATE_CLOSED": "",
        "LAST_ACTIVITY_BY": user, "LAST_ACTIVITY_TIME": now, "_CONTACT_IDS": [],
    })
    _apply(ctx, row, fields, creating=True)
    if not row["STATUS_ID"]:
        first = statuses(portal, "STATUS")
        _move(ctx, row, first[0]["STATUS_ID"] if first else "NEW")
    if not row["TITLE"]:
        row["TITLE"] = f"Lead #{row['ID']}"
    return insert_row(ctx, LEAD, row, "ONCRMLEADADD")


def lead_get(ctx: CallContext, params: dict) -> dict:
    return lead_out(ctx.portal, find_row(ctx, params, LEAD)[1])


def lead_list(ctx: CallContext, params: dict):
    return list_with_uf(ctx, params, LEAD, lead_out, LEAD_TYPES, UF_ENTITY, MULTI_FIELDS)


def lead_update(ctx: CallContext, params: dict) -> bool:
    return update_row(ctx, params, LEAD, _apply, "ONCRMLEADUPDATE")


def _drop_activities(portal, lead_id: int) -> None:
    """A deleted lead takes its activities with it (D crm-lead-delete.md)."""
    table = portal.table(ACTIVITIES)
    for activity_id in [k for k, a in table.items() if a["OWNER_TYPE_ID"] == "1" and a["OWNER_ID"] == str(lead_id)]:
        del table[activity_id]


def lead_delete(ctx: CallContext, params: dict) -> bool:
    return delete_row(ctx, params, LEAD, "ONCRMLEADDELETE", _drop_activities)


def lead_fields(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    return describe_with_uf(ctx.portal, LEAD_FIELDS, UF_ENTITY)


def unlink_contact_from_leads(portal, contact_id: int) -> None:
    """A deleted contact leaves every lead it was bound to."""
    for row in portal.table(LEAD).values():
        if contact_id in (row.get("_CONTACT_IDS") or []):
            row["_CONTACT_IDS"] = [c for c in row["_CONTACT_IDS"] if c != contact_id]
            row["CONTACT_ID"] = str(row["_CONTACT_IDS"][0]) if row["_CONTACT_IDS"] else None


METHODS = methods(
    *entity_specs("lead", add=lead_add, get=lead_get, list=lead_list, update=lead_update, delete=lead_delete,
                  fields=lead_fields),
    *userfield_specs("lead", UF_ENTITY, LEAD),
)

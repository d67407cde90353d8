"""crm.contact.*: contacts with multi-fields (PHONE/EMAIL/WEB/IM) and user fields."""
from __future__ import annotations

from typing import Any

from ..context import CallContext, methods
from ..crm_deal_logic import unlink_contact
from ..crm_fields import CONTACT_FIELDS, CONTACT_ROW, CONTACT_TYPES, MULTI_FIELDS
from ..crm_methods import (
    delete_row, describe_with_uf, entity_specs, find_row, insert_row, list_with_uf, update_row, userfield_specs,
)
from ..crm_multifields import apply_multifields
from ..crm_seed import statuses
from ..crm_store import (
    CONTACT, check_params_arg, ensure_crm, fields_arg, fmt_date, id_str, iso, now_dt, text, yn,
)
from ..crm_userfields import add_uf_values, store_uf_values
from .crm_leads import unlink_contact_from_leads

UF_ENTITY = "CRM_CONTACT"
TEXT_FIELDS = ("HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "TYPE_ID", "SOURCE_ID", "SOURCE_DESCRIPTION",
               "POST", "COMMENTS", "ORIGINATOR_ID", "ORIGIN_ID", "ORIGIN_VERSION", "UTM_SOURCE", "UTM_MEDIUM",
               "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "ADDRESS", "ADDRESS_2", "ADDRESS_CITY",
               "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY")


def _apply(ctx: CallContext, row: dict, fields: dict, creating: bool) -> None:
    """Documented writable fields; unknown keys are ignored (D crm-contact-add.md)."""
    for key in TEXT_FIELDS:
        if key in fields:
            row[key] = text(fields[key])
    for key in ("OPENED", "EXPORT"):
        if key in fields:
            row[key] = yn(fields[key], row[key] or "Y")
    if "BIRTHDATE" in fields:
        row["BIRTHDATE"] = fmt_date(fields["BIRTHDATE"])
    if "COMPANY_ID" in fields:
        row["COMPANY_ID"] = id_str(fields["COMPANY_ID"])
    if "ASSIGNED_BY_ID" in fields and id_str(fields["ASSIGNED_BY_ID"]):
        row["ASSIGNED_BY_ID"] = id_str(fields["ASSIGNED_BY_ID"])
    apply_multifields(ctx.portal, row, fields, creating)
    store_uf_values(ctx.portal, UF_ENTITY, row, fields, creating)


def _first(portal, entity_id: str) -> Any:
    rows = statuses(portal, entity_id)
    return rows[0]["STATUS_ID"] if rows else None


def contact_out(portal, row: dict) -> dict:
    """crm.contact.get shape: documented keys, user fields, then the multi-fields the contact has."""
    out = add_uf_values(portal, UF_ENTITY, row, {k: row.get(k) for k in CONTACT_ROW})
    for kind in MULTI_FIELDS:
        if row.get(kind):
            out[kind] = [dict(i) for i in row[kind]]
    return out


def contact_add(ctx: CallContext, params: dict) -> int:
    portal = ctx.portal
    ensure_crm(portal)
    fields = fields_arg(params)
    check_params_arg(params)
    now = iso(now_dt(portal))
    user = str(ctx.user_id)
    row: dict[str, Any] = dict.fromkeys(CONTACT_ROW)
    row.update({
        "ID": str(portal.next_id(CONTACT)), "TYPE_ID": _first(portal, "CONTACT_TYPE"),
        "SOURCE_ID": _first(portal, "SOURCE"), "EXPORT": "Y", "OPENED": "Y", "HAS_PHONE": "N", "HAS_EMAIL": "N",
        "HAS_IMOL": "N", "ASSIGNED_BY_ID": user, "CREATED_BY_ID": user, "MODIFY_BY_ID": user,
        "DATE_CREATE": now, "DATE_MODIFY": now, "LAST_ACTIVITY_TIME": now, "LAST_ACTIVITY_BY": user,
    })
    _apply(ctx, row, fields, creating=True)
    return insert_row(ctx, CONTACT, row, "ONCRMCONTACTADD")


def contact_get(ctx: CallContext, params: dict) -> dict:
    return contact_out(ctx.portal, find_row(ctx, params, CONTACT)[1])


def contact_list(ctx: CallContext, params: dict):
    return list_with_uf(ctx, params, CONTACT, contact_out, CONTACT_TYPES, UF_ENTITY, MULTI_FIELDS)


def contact_update(ctx: CallContext, params: dict) -> bool:
    return update_row(ctx, params, CONTACT, _apply, "ONCRMCONTACTUPDATE")


def _unlink(portal, contact_id: int) -> None:
    """A deleted contact leaves the deals and leads it was bound to."""
    unlink_contact(portal, contact_id)
    unlink_contact_from_leads(portal, contact_id)


def contact_delete(ctx: CallContext, params: dict) -> bool:
    return delete_row(ctx, params, CONTACT, "ONCRMCONTACTDELETE", _unlink)


def contact_fields(ctx: CallContext, params: dict) -> dict:
    return describe_with_uf(ctx.portal, CONTACT_FIELDS, UF_ENTITY)


METHODS = methods(
    *entity_specs("contact", add=contact_add, get=contact_get, list=contact_list, update=contact_update,
                  delete=contact_delete, fields=contact_fields),
    *userfield_specs("contact", UF_ENTITY, CONTACT),
)

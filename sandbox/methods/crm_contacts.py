"""crm.contact.*: contacts with multi-fields (PHONE/EMAIL/WEB/IM) and user fields."""
from __future__ import annotations

from typing import Any

from ..context import CallContext, MethodSpec, methods
from ..crm_deal_logic import unlink_contact
from ..crm_fields import CONTACT_FIELDS, CONTACT_ROW, CONTACT_TYPES, MULTI_FIELDS, describe
from ..crm_multifields import apply_multifields
from ..crm_seed import statuses
from ..crm_store import (
    CONTACT, check_params_arg, ensure_crm, fields_arg, fmt_date, get_row, id_str, iso, now_dt, require_id, text,
    yn,
)
from ..crm_userfields import (
    add_userfield, describe_uf, entity_defs, find_def, store_uf_values, uf_types, userfield_delete,
    userfield_get, userfield_list, userfield_update,
)
from ..listing import list_rows

UF_ENTITY = "CRM_CONTACT"
TEXT_FIELDS = ("HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "TYPE_ID", "SOURCE_ID", "SOURCE_DESCRIPTION",
               "POST", "COMMENTS", "ORIGINATOR_ID", "ORIGIN_ID", "ORIGIN_VERSION", "UTM_SOURCE", "UTM_MEDIUM",
               "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "ADDRESS", "ADDRESS_2", "ADDRESS_CITY",
               "ADDRESS_POSTAL_CODE", "ADDRESS_REGION", "ADDRESS_PROVINCE", "ADDRESS_COUNTRY")


def _fire(ctx: CallContext, name: str, contact_id: int) -> None:
    ctx.portal.fire_event(name, {"FIELDS": {"ID": str(contact_id)}}, ctx)


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
    out = {k: row.get(k) for k in CONTACT_ROW}
    for defn in entity_defs(portal, UF_ENTITY):
        name = defn["FIELD_NAME"]
        out[name] = row.get(name, [] if defn["MULTIPLE"] == "Y" else None)
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
    portal.table(CONTACT)[int(row["ID"])] = row
    _fire(ctx, "ONCRMCONTACTADD", int(row["ID"]))
    return int(row["ID"])


def contact_get(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    return contact_out(ctx.portal, get_row(ctx.portal, CONTACT, require_id(params)))


def contact_list(ctx: CallContext, params: dict):
    ensure_crm(ctx.portal)
    rows = [contact_out(ctx.portal, r) for r in ctx.portal.table(CONTACT).values()]
    return list_rows(rows, params, default_select=("*", "UF_*"), all_fields=CONTACT_TYPES,
                     multi_fields=MULTI_FIELDS, uf_fields=uf_types(ctx.portal, UF_ENTITY))


def contact_update(ctx: CallContext, params: dict) -> bool:
    ensure_crm(ctx.portal)
    contact_id = require_id(params)
    row = get_row(ctx.portal, CONTACT, contact_id)
    fields = fields_arg(params)
    check_params_arg(params)
    staged = {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}
    _apply(ctx, staged, fields, creating=False)
    staged["MODIFY_BY_ID"] = str(ctx.user_id)
    staged["DATE_MODIFY"] = iso(now_dt(ctx.portal))
    row.clear()
    row.update(staged)
    _fire(ctx, "ONCRMCONTACTUPDATE", contact_id)
    return True


def contact_delete(ctx: CallContext, params: dict) -> bool:
    ensure_crm(ctx.portal)
    contact_id = require_id(params)
    get_row(ctx.portal, CONTACT, contact_id)
    del ctx.portal.table(CONTACT)[contact_id]
    unlink_contact(ctx.portal, contact_id)
    _fire(ctx, "ONCRMCONTACTDELETE", contact_id)
    return True


def contact_fields(ctx: CallContext, params: dict) -> dict:
    out = describe(CONTACT_FIELDS)
    for defn in entity_defs(ctx.portal, UF_ENTITY):
        out[defn["FIELD_NAME"]] = describe_uf(defn)
    return out


def uf_add(ctx: CallContext, params: dict) -> int:
    return add_userfield(ctx, UF_ENTITY, params)


def uf_get(ctx: CallContext, params: dict) -> dict:
    return userfield_get(find_def(ctx.portal, UF_ENTITY, params))


def uf_list(ctx: CallContext, params: dict):
    return userfield_list(ctx.portal, UF_ENTITY, params)


def uf_update(ctx: CallContext, params: dict) -> bool:
    return userfield_update(ctx, UF_ENTITY, params)


def uf_delete(ctx: CallContext, params: dict) -> bool:
    return userfield_delete(ctx, UF_ENTITY, CONTACT, params)


_READ, _WRITE = 0.01, 0.03
METHODS = methods(
    MethodSpec("crm.contact.add", contact_add, scope="crm", cost=_WRITE),
    MethodSpec("crm.contact.get", contact_get, scope="crm", cost=_READ),
    MethodSpec("crm.contact.list", contact_list, scope="crm", cost=0.02),
    MethodSpec("crm.contact.update", contact_update, scope="crm", cost=_WRITE),
    MethodSpec("crm.contact.delete", contact_delete, scope="crm", cost=_WRITE),
    MethodSpec("crm.contact.fields", contact_fields, scope="crm", cost=0.005),
    # admin-only userfield writes are checked inside, to answer with the documented "Access denied."
    MethodSpec("crm.contact.userfield.add", uf_add, scope="crm", cost=0.05),
    MethodSpec("crm.contact.userfield.get", uf_get, scope="crm", cost=_READ),
    MethodSpec("crm.contact.userfield.list", uf_list, scope="crm", cost=_READ),
    MethodSpec("crm.contact.userfield.update", uf_update, scope="crm", cost=0.04),
    MethodSpec("crm.contact.userfield.delete", uf_delete, scope="crm", cost=0.04),
)

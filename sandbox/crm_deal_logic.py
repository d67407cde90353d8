"""Deal rows: defaults, field application, funnel/stage rules, contact links and amount recalculation."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from .context import CallContext
from .crm_fields import DEAL_ROW
from .crm_productrows import totals
from .crm_seed import (
    base_currency, category_of_stage, currency_codes, first_stage, stage_semantic, statuses,
)
from .crm_store import (
    DEAL, as_list, as_map, fmt_date, id_str, iso, money, now_dt, positive_id, text, to_int, yn,
)
from .crm_userfields import add_uf_values, store_uf_values
from .errors import crm_error

UF_ENTITY = "CRM_DEAL"
LINKS = "crm_deal_contact"
TEXT_FIELDS = ("TITLE", "COMMENTS", "ADDITIONAL_INFO", "SOURCE_DESCRIPTION", "ORIGINATOR_ID", "ORIGIN_ID",
               "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "TYPE_ID", "SOURCE_ID",
               "LOCATION_ID")
FLAG_FIELDS = ("OPENED", "IS_RECURRING", "IS_RETURN_CUSTOMER", "IS_REPEATED_APPROACH", "IS_MANUAL_OPPORTUNITY")


def _invalid(title: str):
    # Same wording as the documented currency error (D api-reference/crm/deals/crm-deal-add.md)
    return crm_error(f'Invalid value for the "{title}" field')


def _category(portal, fields: dict) -> int:
    """CATEGORY_ID as given, else the funnel named by a `C<N>:` STAGE_ID prefix, else the General one."""
    if fields.get("CATEGORY_ID") not in (None, ""):
        category = to_int(fields["CATEGORY_ID"], -1)
    elif text(fields.get("STAGE_ID")):
        category = category_of_stage(text(fields["STAGE_ID"]))
    else:
        category = 0
    if category < 0 or category not in portal.table("crm_category"):
        raise _invalid("Sales Funnel")
    return category


def _currency(portal, value: Any) -> str:
    code = (text(value) or "").upper()
    if code not in currency_codes(portal):
        raise _invalid("Currency")
    return code


def new_deal(ctx: CallContext, fields: dict) -> dict:
    """A deal row with every documented field and its default (D api-reference/crm/deals/crm-deal-add.md)."""
    portal = ctx.portal
    now = now_dt(portal)
    category = _category(portal, fields)
    row: dict[str, Any] = dict.fromkeys(DEAL_ROW)
    first_type = statuses(portal, "DEAL_TYPE")
    first_source = statuses(portal, "SOURCE")
    row.update({
        "ID": str(portal.next_id(DEAL)), "TYPE_ID": first_type[0]["STATUS_ID"] if first_type else None,
        "CATEGORY_ID": str(category), "CURRENCY_ID": base_currency(portal), "OPPORTUNITY": "0.00",
        "TAX_VALUE": "0.00", "COMPANY_ID": "0", "OPENED": "Y", "CLOSED": "N", "IS_MANUAL_OPPORTUNITY": "N",
        "IS_RECURRING": "N", "IS_RETURN_CUSTOMER": "N", "IS_REPEATED_APPROACH": "N",
        "SOURCE_ID": first_source[0]["STATUS_ID"] if first_source else None,
        "BEGINDATE": fmt_date(now), "CLOSEDATE": fmt_date(now + timedelta(days=7)),
        "ASSIGNED_BY_ID": str(ctx.user_id), "CREATED_BY_ID": str(ctx.user_id), "MODIFY_BY_ID": str(ctx.user_id),
        "DATE_CREATE": iso(now), "DATE_MODIFY": iso(now), "LAST_ACTIVITY_TIME": iso(now),
        "LAST_ACTIVITY_BY": str(ctx.user_id),
    })
    apply_fields(ctx, row, {k: v for k, v in fields.items() if k != "CATEGORY_ID"}, creating=True)
    if not row["STAGE_ID"]:
        _move(ctx, row, first_stage(portal, category))
    if not row["TITLE"]:
        row["TITLE"] = f"Deal #{row['ID']}"
    return row


def apply_fields(ctx: CallContext, row: dict, fields: dict, creating: bool) -> None:
    """Write the documented writable fields; unknown ones (and CATEGORY_ID on update) are ignored."""
    portal = ctx.portal
    for key in TEXT_FIELDS:
        if key in fields:
            row[key] = text(fields[key])
    for key in FLAG_FIELDS:
        if key in fields:
            row[key] = yn(fields[key], row[key] or "N")
    if "PROBABILITY" in fields:
        row["PROBABILITY"] = None if fields["PROBABILITY"] in (None, "") else str(to_int(fields["PROBABILITY"]))
    for key in ("OPPORTUNITY", "TAX_VALUE"):
        if key in fields:
            row[key] = money(fields[key])
    if "COMPANY_ID" in fields:
        row["COMPANY_ID"] = id_str(fields["COMPANY_ID"]) or "0"
    if "ASSIGNED_BY_ID" in fields and id_str(fields["ASSIGNED_BY_ID"]):
        row["ASSIGNED_BY_ID"] = id_str(fields["ASSIGNED_BY_ID"])
    for key in ("BEGINDATE", "CLOSEDATE"):
        if key in fields and fmt_date(fields[key]):
            row[key] = fmt_date(fields[key])
    if "CURRENCY_ID" in fields:
        row["CURRENCY_ID"] = _currency(portal, fields["CURRENCY_ID"])
    if text(fields.get("STAGE_ID")):
        stage = text(fields["STAGE_ID"])
        if stage_semantic(portal, int(row["CATEGORY_ID"]), stage) is None:
            raise _invalid("Stage")
        if stage != row["STAGE_ID"]:
            _move(ctx, row, stage)
    store_uf_values(portal, UF_ENTITY, row, fields, creating)
    _apply_contacts(portal, row, fields)


def _move(ctx: CallContext, row: dict, stage: str | None) -> None:
    """Stage change: semantic group, CLOSED for S/F, IS_NEW for the first stage, who moved it and when."""
    portal = ctx.portal
    category = int(row["CATEGORY_ID"])
    semantic = stage_semantic(portal, category, stage) if stage else None
    row["STAGE_ID"] = stage
    row["STAGE_SEMANTIC_ID"] = semantic or "P"
    row["CLOSED"] = "Y" if semantic in ("S", "F") else "N"
    row["IS_NEW"] = "Y" if stage == first_stage(portal, category) else "N"
    row["MOVED_BY_ID"] = str(ctx.user_id)
    row["MOVED_TIME"] = iso(now_dt(portal))


def move_to_category(ctx: CallContext, deal_id: int, category_id: int, stage: str | None = None) -> dict:
    """Move a deal to another funnel, as the UI or crm.item.update do (crm.deal.update cannot); hold the lock."""
    # The event carries CATEGORY_ID and STAGE_ID (D api-reference/crm/deals/events/on-crm-deal-move-to-category.md)
    portal = ctx.portal
    row = portal.table(DEAL)[deal_id]
    if category_id not in portal.table("crm_category"):
        raise _invalid("Sales Funnel")
    target = stage or first_stage(portal, category_id)
    if stage_semantic(portal, category_id, target) is None:
        raise _invalid("Stage")
    row["CATEGORY_ID"] = str(category_id)
    _move(ctx, row, target)
    touch(ctx, row)
    fields = {"ID": str(deal_id), "CATEGORY_ID": str(category_id), "STAGE_ID": target}
    portal.fire_event("ONCRMDEALMOVETOCATEGORY", {"FIELDS": fields}, ctx)
    return row


def touch(ctx: CallContext, row: dict) -> None:
    row["MODIFY_BY_ID"] = str(ctx.user_id)
    row["DATE_MODIFY"] = iso(now_dt(ctx.portal))


def recompute_amount(portal, row: dict) -> None:
    """IS_MANUAL_OPPORTUNITY=N: OPPORTUNITY (and TAX_VALUE) follow the product rows when there are any."""
    if row.get("IS_MANUAL_OPPORTUNITY") == "Y":
        return
    sums = totals(portal, "D", int(row["ID"]))
    if sums is not None:
        row["OPPORTUNITY"], row["TAX_VALUE"] = money(sums[0]), money(sums[1])


def deal_out(portal, row: dict) -> dict:
    """crm.deal.get shape: the documented keys in order, then the deal's user fields."""
    return add_uf_values(portal, UF_ENTITY, row, {k: row.get(k) for k in DEAL_ROW})


# ---- contact links (crm.deal.contact.items.*)
def links(portal, deal_id: int) -> list[dict]:
    return portal.table(LINKS).get(deal_id, {}).get("items", [])


def set_links(portal, deal_id: int, items: list[dict], row: dict | None = None) -> None:
    """Store bindings sorted by SORT; the first IS_PRIMARY=Y wins, else the first binding is primary."""
    seen, clean = set(), []
    for i, item in enumerate(items):
        cid = item["CONTACT_ID"]
        if cid in seen:
            continue
        seen.add(cid)
        sort = to_int(item.get("SORT"), (i + 1) * 10)
        clean.append({"CONTACT_ID": cid, "SORT": sort, "ROLE_ID": 0, "IS_PRIMARY": yn(item.get("IS_PRIMARY"))})
    primary = next((c for c in clean if c["IS_PRIMARY"] == "Y"), clean[0] if clean else None)
    for c in clean:
        c["IS_PRIMARY"] = "Y" if c is primary else "N"
    clean.sort(key=lambda c: c["SORT"])
    portal.table(LINKS)[deal_id] = {"items": clean}
    deal = row if row is not None else portal.table(DEAL).get(deal_id)
    if deal is not None:
        deal["CONTACT_ID"] = str(primary["CONTACT_ID"]) if primary else None


def _apply_contacts(portal, row: dict, fields: dict) -> None:
    """CONTACT_IDS replaces the bindings; the deprecated CONTACT_ID makes one contact the primary."""
    deal_id = int(row["ID"])
    if "CONTACT_IDS" in fields:
        ids = [positive_id(v) for v in as_list(fields["CONTACT_IDS"])]
        set_links(portal, deal_id, [{"CONTACT_ID": c, "IS_PRIMARY": "N"} for c in ids if c], row)
    elif "CONTACT_ID" in fields:
        cid = positive_id(fields["CONTACT_ID"])
        current = [dict(c) for c in links(portal, deal_id) if c["CONTACT_ID"] != cid]
        if cid is None:
            set_links(portal, deal_id, [], row)
            return
        for c in current:
            c["IS_PRIMARY"] = "N"
        set_links(portal, deal_id, [{"CONTACT_ID": cid, "IS_PRIMARY": "Y", "SORT": 0}] + current, row)


def parse_link_items(raw: Any) -> list[dict] | None:
    """`items` of crm.deal.contact.items.set as binding dicts; None when it is not an array."""
    if raw in (None, ""):
        return []
    if as_map(raw) is None:
        return None
    out = []
    for i, item in enumerate(as_list(raw)):
        item = as_map(item) or {}
        cid = positive_id(item.get("CONTACT_ID"))
        if cid:
            out.append({"CONTACT_ID": cid, "SORT": to_int(item.get("SORT"), (i + 1) * 10),
                        "IS_PRIMARY": yn(item.get("IS_PRIMARY"))})
    return out


def unlink_contact(portal, contact_id: int) -> None:
    """A deleted contact leaves every deal it was bound to."""
    for deal_id, entry in list(portal.table(LINKS).items()):
        if any(c["CONTACT_ID"] == contact_id for c in entry["items"]):
            set_links(portal, deal_id, [c for c in entry["items"] if c["CONTACT_ID"] != contact_id])

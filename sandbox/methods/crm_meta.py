"""CRM reference data: funnels (crm.category.*), directories and stages (crm.status.*), currencies, duplicates."""
from __future__ import annotations

from ..context import CallContext, ListResult, arg, methods
from ..crm_methods import WRITE, crm_spec
from ..crm_multifields import holders, normalize_email, normalize_phone
from ..crm_seed import DIRECTORIES, add_funnel_stages, add_status, stage_entity, stage_prefix
from ..crm_store import as_list, as_map, ensure_crm, fields_arg, require_id, text, to_int
from ..errors import RestError, access_denied, crm_error
from ..listing import map_param, order_rows, paginate, parse_filter

# ---- funnels (D api-reference/crm/universal/category/*)
_ENTITY_NAMES = {1: "LEAD", 3: "CONTACT", 4: "COMPANY", 5: "INVOICE", 7: "QUOTE", 8: "REQUISITE", 31: "SMART_INVOICE"}


def _deal_entity(params: dict) -> None:
    """Only deals (entityTypeId 2) have funnels in the sandbox."""
    type_id = to_int(arg(params, "entityTypeId"), 0)
    if type_id == 2:
        return
    if type_id in _ENTITY_NAMES:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {_ENTITY_NAMES[type_id]} is not supported", 400)
    raise RestError("NOT_FOUND", "Smart process not found", 400)


def _category_out(cat: dict) -> dict:
    out = {k: cat[k] for k in ("id", "name", "sort", "entityTypeId", "isDefault")}
    if cat["isDefault"] != "Y":
        out.update(originId=cat["originId"], originatorId=cat["originatorId"])
    return out


def _find_category(portal, params: dict) -> dict:
    cat = portal.table("crm_category").get(to_int(arg(params, "id"), -1))
    if cat is None:
        raise RestError("NOT_FOUND", "Element not found", 400)
    return cat


def _deal_funnels(ctx: CallContext, params: dict, admin: bool = False) -> None:
    """Seed the CRM, accept deals only, and for writes require an administrator, in that order."""
    ensure_crm(ctx.portal)
    _deal_entity(params)
    if admin and not ctx.is_admin:
        raise access_denied("Access denied")


def category_list(ctx: CallContext, params: dict) -> ListResult:
    _deal_funnels(ctx, params)
    cats = sorted(ctx.portal.table("crm_category").values(), key=lambda c: (c["sort"], c["id"]))
    page, total, nxt = paginate(cats, arg(params, "start"))
    return ListResult({"categories": [_category_out(c) for c in page]}, total, nxt)


def category_get(ctx: CallContext, params: dict) -> dict:
    _deal_funnels(ctx, params)
    return {"category": _category_out(_find_category(ctx.portal, params))}


def category_add(ctx: CallContext, params: dict) -> dict:
    """A new deal funnel gets the default stage set, prefixed `C<id>:`."""
    _deal_funnels(ctx, params, admin=True)
    fields = as_map(arg(params, "fields")) or {}
    name = (text(fields.get("name")) or "").strip()
    if not name:
        raise RestError(0, "Field 'NAME' is required", 400)
    new_id = ctx.portal.next_id("crm_category")
    cat = {"id": new_id, "name": name[:255], "sort": max(to_int(fields.get("sort"), 500), 0), "entityTypeId": 2,
           "isDefault": "N", "originId": text(fields.get("originId")) or "",
           "originatorId": text(fields.get("originatorId")) or ""}
    ctx.portal.table("crm_category")[new_id] = cat
    add_funnel_stages(ctx.portal, new_id)
    return {"category": _category_out(cat)}


def category_update(ctx: CallContext, params: dict) -> dict:
    _deal_funnels(ctx, params, admin=True)
    cat = _find_category(ctx.portal, params)
    fields = as_map(arg(params, "fields")) or {}
    if (text(fields.get("name")) or "").strip():
        cat["name"] = text(fields["name"]).strip()[:255]
    if "sort" in fields:
        cat["sort"] = max(to_int(fields["sort"], 500), 0)
    return {"category": _category_out(cat)}


def category_delete(ctx: CallContext, params: dict) -> None:
    _deal_funnels(ctx, params, admin=True)
    cat = _find_category(ctx.portal, params)
    if cat["isDefault"] == "Y":
        raise RestError(0, "Default deal category cannot be deleted", 400)
    if any(d["CATEGORY_ID"] == str(cat["id"]) for d in ctx.portal.table("crm_deal").values()):
        raise RestError(0, f"Deals related to the funnel {cat['name']} found", 400)
    statuses = ctx.portal.table("crm_status")
    for sid in [k for k, s in statuses.items() if s["ENTITY_ID"] == stage_entity(cat["id"])]:
        del statuses[sid]
    del ctx.portal.table("crm_category")[cat["id"]]
    return None


# ---- directories and stages (D api-reference/crm/status/*)
_STATUS_TYPES = {"ID": "integer", "ENTITY_ID": "string", "STATUS_ID": "string", "NAME": "string",
                 "NAME_INIT": "string", "SORT": "integer", "SYSTEM": "char", "CATEGORY_ID": "integer",
                 "COLOR": "string", "SEMANTICS": "string"}
_STATUS_FIELDS = (  # name, type, required, read-only, immutable, title
    ("ID", "integer", False, True, False, "ID"), ("ENTITY_ID", "string", True, False, True, "Entity ID"),
    ("STATUS_ID", "string", True, False, True, "Status"), ("SORT", "integer", False, False, False, "Sort"),
    ("NAME", "string", True, False, False, "Name"), ("NAME_INIT", "string", False, True, False, "Default name"),
    ("SYSTEM", "char", False, True, False, "System"), ("CATEGORY_ID", "integer", False, False, True, "CATEGORY_ID"),
    ("COLOR", "string", False, False, False, "COLOR"), ("SEMANTICS", "char", False, False, True, "SEMANTICS"),
    ("EXTRA", "crm_status_extra", False, False, False, "Additional fields"),
)
_OTHER_DIRECTORIES = ("STATUS", "COMPANY_TYPE", "EMPLOYEES", "INDUSTRY", "QUOTE_STATUS", "HONORIFIC", "EVENT_TYPE")


def status_list(ctx: CallContext, params: dict) -> ListResult:
    ensure_crm(ctx.portal)
    rows = list(ctx.portal.table("crm_status").values())
    for field, op, value in parse_filter(params, _STATUS_TYPES):
        rows = [r for r in rows if _status_match(r.get(field), op, value)]
    rows = order_rows(rows, map_param(params, "order") or {"SORT": "ASC"}, _STATUS_TYPES)
    page, total, nxt = paginate(rows, arg(params, "start"))
    return ListResult([dict(r) for r in page], total, nxt)


def _status_match(have, op: str, want) -> bool:
    hit = any(str(have if have is not None else "") == str(w) for w in as_list(want) or [""])
    return not hit if op in ("!", "!=", "!@") else hit


def status_fields(ctx: CallContext, params: dict) -> dict:
    return {name: {"type": ftype, "isRequired": req, "isReadOnly": ro, "isImmutable": imm, "isMultiple": False,
                   "isDynamic": False, "title": title}
            for name, ftype, req, ro, imm, title in _STATUS_FIELDS}


def _stage_category(portal, entity_id: str) -> int | None:
    """DEAL_STAGE -> 0, DEAL_STAGE_<n> -> n for an existing funnel, anything else None."""
    if entity_id == "DEAL_STAGE":
        return 0
    tail = entity_id[len("DEAL_STAGE_"):] if entity_id.startswith("DEAL_STAGE_") else ""
    return int(tail) if tail.isdigit() and int(tail) in portal.table("crm_category") else None


def status_add(ctx: CallContext, params: dict) -> int:
    """New directory item; deal stages of funnel N get the `C<N>:` prefix (D crm-status-add.md)."""
    ensure_crm(ctx.portal)
    if not ctx.is_admin:
        raise crm_error("Access denied.")
    fields = fields_arg(params)
    entity_id = (text(fields.get("ENTITY_ID")) or "").strip()
    status_id = (text(fields.get("STATUS_ID")) or "").strip()
    if not entity_id:
        raise crm_error("The field ENTITY_ID is required.")
    if not status_id:
        raise crm_error("The field STATUS_ID is required.")
    category = _stage_category(ctx.portal, entity_id)
    if category is None and entity_id not in DIRECTORIES and entity_id not in _OTHER_DIRECTORIES:
        raise crm_error("Specified entity type is not supported.")
    if category and not status_id.startswith(stage_prefix(category)):
        status_id = stage_prefix(category) + status_id
    if any(s["ENTITY_ID"] == entity_id and s["STATUS_ID"] == status_id
           for s in ctx.portal.table("crm_status").values()):
        raise crm_error("Duplicate STATUS_ID.")
    name = text(fields.get("NAME"))
    if not name:
        raise crm_error("The field NAME is required.")
    semantics = (text(fields.get("SEMANTICS")) or "").upper() or None
    semantics = semantics if semantics in ("S", "F") else None
    staged = category is not None or entity_id == "STATUS"  # deal and lead stages carry EXTRA semantics
    extra = {"S": "success", "F": "failure"}.get(semantics or "", "process") if staged else None
    row = add_status(ctx.portal, entity_id, status_id, name, sort=to_int(fields.get("SORT"), 10),
                     color=text(fields.get("COLOR")), semantics=semantics, extra=extra, category_id=category)
    return int(row["ID"])


def _find_status(ctx: CallContext, params: dict, admin: bool = False) -> dict:
    """Seed the CRM, for writes require an administrator, then find the item named by `id`."""
    ensure_crm(ctx.portal)
    if admin and not ctx.is_admin:
        raise crm_error("Access denied.")
    row = ctx.portal.table("crm_status").get(require_id(params))
    if row is None:
        raise crm_error("Not found.")
    return row


def status_get(ctx: CallContext, params: dict) -> dict:
    return dict(_find_status(ctx, params))


def status_update(ctx: CallContext, params: dict) -> bool:
    row = _find_status(ctx, params, admin=True)
    fields = fields_arg(params)
    if text(fields.get("NAME")):
        row["NAME"] = text(fields["NAME"])
    if "SORT" in fields:
        row["SORT"] = str(to_int(fields["SORT"], int(row["SORT"])))
    if "COLOR" in fields:
        row["COLOR"] = text(fields["COLOR"])
        if "EXTRA" in row:
            row["EXTRA"]["COLOR"] = row["COLOR"]
    return True


def status_delete(ctx: CallContext, params: dict) -> bool:
    """System items go only with params.FORCED=Y."""
    row = _find_status(ctx, params, admin=True)
    forced = str((as_map(arg(params, "params")) or {}).get("FORCED", "")).upper() == "Y"
    if row["SYSTEM"] == "Y" and not forced:
        raise crm_error("Unable to delete a system item without FORCED=Y.")
    del ctx.portal.table("crm_status")[int(row["ID"])]
    return True


# ---- currencies and duplicates
def currency_list(ctx: CallContext, params: dict) -> list:
    ensure_crm(ctx.portal)
    rows = sorted(ctx.portal.table("crm_currency").values(), key=lambda c: int(c["SORT"]))
    return [{"CURRENCY": c["CURRENCY"], "AMOUNT_CNT": c["AMOUNT_CNT"], "AMOUNT": c["AMOUNT"], "SORT": c["SORT"],
             "BASE": c["BASE"], "FULL_NAME": c["NAME"], "LID": "en", "FORMAT_STRING": f"# {c['CURRENCY']}",
             "DEC_POINT": ".", "THOUSANDS_SEP": " ", "DECIMALS": "2"} for c in rows]


_DUPLICATE_TYPES = ("LEAD", "CONTACT", "COMPANY")


def find_by_comm(ctx: CallContext, params: dict) -> dict:
    """Ids of leads/contacts/companies holding any of the phones or e-mails (D crm-duplicate-find-by-comm.md)."""
    ensure_crm(ctx.portal)
    kind = (text(arg(params, "type")) or "").strip().upper()
    if not kind:
        raise crm_error("Communication type is not defined.")
    if kind not in ("EMAIL", "PHONE"):
        raise crm_error(f"Communication type '{kind}' is not supported in current context.")
    values = [v for v in as_list(arg(params, "values")) if text(v)]
    if not values:
        raise crm_error("Communication values is not defined.")
    if len(values) > 20:
        raise crm_error("Too many communication values. The maximum is 20.")
    norm = normalize_phone if kind == "PHONE" else normalize_email
    wanted = {norm(v) for v in values} - {""}
    only = (text(arg(params, "entity_type")) or "").strip().upper()
    result: dict[str, list[int]] = {}
    for entity in _DUPLICATE_TYPES:
        if only and entity != only:
            continue
        ids = holders(ctx.portal, f"crm_{entity.lower()}", kind, wanted, norm)
        if ids:
            result[entity] = ids[:20]
        if len(ids) >= 20:
            break  # "If 20 or more duplicates are found for one object, the other types are not returned"
    return result


METHODS = methods(
    crm_spec("crm.duplicate.findbycomm", find_by_comm, 0.02),
    crm_spec("crm.category.list", category_list),
    crm_spec("crm.category.get", category_get),
    # funnel and directory writes need CRM admin rights; checked inside for the documented error bodies
    crm_spec("crm.category.add", category_add, 0.05),
    crm_spec("crm.category.update", category_update, WRITE),
    crm_spec("crm.category.delete", category_delete, WRITE),
    crm_spec("crm.status.list", status_list),
    crm_spec("crm.status.fields", status_fields, 0.005),
    crm_spec("crm.status.get", status_get),
    crm_spec("crm.status.add", status_add, WRITE),
    crm_spec("crm.status.update", status_update, WRITE),
    crm_spec("crm.status.delete", status_delete, WRITE),
    crm_spec("crm.currency.list", currency_list, 0.005),
)

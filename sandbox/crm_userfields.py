"""User fields (UF_CRM_*) of CRM entities: crm.<entity>.userfield.* semantics and value storage."""
from __future__ import annotations

import hashlib
import re
from typing import Any

from .context import CallContext, ListResult, arg
from .crm_store import (
    as_list, as_map, fields_arg, fmt_date, fmt_datetime, id_str, num, positive_id, text, to_float, to_int, yn,
)
from .errors import RestError, crm_error, invalid_id
from .listing import order_rows, parse_filter

TABLE = "crm_userfield"
USER_TYPES = (
    "string", "integer", "double", "boolean", "datetime", "date", "money", "url", "address", "enumeration",
    "file", "employee", "crm_status", "iblock_section", "iblock_element", "crm",
)
# Language ids of label maps, as crm.deal.userfield.get returns them
LANGS = ("ar", "br", "de", "en", "fr", "hi", "id", "in", "it", "ja", "kz", "la", "ms", "pl", "ru", "sc", "tc",
         "th", "tr", "ua", "vn")
LABELS = ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL", "ERROR_MESSAGE", "HELP_MESSAGE")
DEFAULT_SETTINGS = {
    "string": {"SIZE": 20, "ROWS": 1, "REGEXP": "", "MIN_LENGTH": 0, "MAX_LENGTH": 0, "DEFAULT_VALUE": ""},
    "integer": {"SIZE": 20, "MIN_VALUE": 0, "MAX_VALUE": 0, "DEFAULT_VALUE": None},
    "double": {"PRECISION": 2, "SIZE": 20, "MIN_VALUE": 0, "MAX_VALUE": 0, "DEFAULT_VALUE": None},
    "boolean": {"DEFAULT_VALUE": 0, "DISPLAY": "CHECKBOX", "LABEL": ["", ""], "LABEL_CHECKBOX": ""},
    "date": {"DEFAULT_VALUE": {"VALUE": "", "TYPE": "NONE"}},
    "datetime": {"DEFAULT_VALUE": {"VALUE": "", "TYPE": "NONE"}, "USE_SECOND": "Y", "USE_TIMEZONE": "N"},
    "enumeration": {"DISPLAY": "LIST", "LIST_HEIGHT": 1, "CAPTION_NO_VALUE": "", "SHOW_NO_VALUE": "Y"},
    "crm_status": {"ENTITY_TYPE": ""},
    "crm": {"LEAD": "Y", "CONTACT": "N", "COMPANY": "N", "DEAL": "N"},
}
# Reference-like types filter by id ("I"), the rest by value ("E"), as crm.*.userfield.list shows
_ID_FILTER_TYPES = ("employee", "crm", "crm_status", "iblock_section", "iblock_element")
_NAME_RE = re.compile(r"^[A-Z0-9_]+$")


def entity_defs(portal, entity_id: str) -> list[dict]:
    """User field definitions of one entity (CRM_DEAL, CRM_CONTACT) in SORT, ID order."""
    rows = [d for d in portal.table(TABLE).values() if d["ENTITY_ID"] == entity_id]
    return sorted(rows, key=lambda d: (int(d["SORT"]), int(d["ID"])))


def uf_types(portal, entity_id: str) -> dict[str, str]:
    return {d["FIELD_NAME"]: d["USER_TYPE_ID"] for d in entity_defs(portal, entity_id)}


def add_uf_values(portal, entity_id: str, row: dict, out: dict) -> dict:
    """`out` plus the entity's user field values from `row` (unset: [] when multiple, else None)."""
    for defn in entity_defs(portal, entity_id):
        name = defn["FIELD_NAME"]
        out[name] = row.get(name, [] if defn["MULTIPLE"] == "Y" else None)
    return out


def _core_error(message: str) -> RestError:
    # CUserTypeEntity reports through CAdminException: ERROR_CORE and a trailing <br>
    return RestError("ERROR_CORE", f"{message}<br>", 400)


def normalize_name(raw: Any) -> str:
    """`manager_note` -> `UF_CRM_MANAGER_NOTE`, `UF_X` -> `UF_CRM_X`; validated like the core does."""
    name = str(raw).strip().upper()
    if not name.startswith("UF_CRM_"):
        name = "UF_CRM_" + (name[3:] if name.startswith("UF_") else name)
    if not _NAME_RE.match(name):
        raise _core_error("Field name contains invalid characters. Allowed characters are: A-Z, 0-9, and _.")
    if len(name) > 50:
        raise _core_error("Field name is too long (more than 50 characters).")
    return name


def _lang_map(value: Any, fallback: str) -> dict[str, str]:
    """A label given as a string applies to every language; a map fills the missing ones from LABEL."""
    given = as_map(value)
    if given is None:
        single = fallback if value in (None, "") else str(value)
        return {lang: single for lang in LANGS}
    return {lang: str(given.get(lang, fallback) or "") for lang in LANGS}


def _enum_items(portal, raw: Any, existing: list[dict] | None = None) -> list[dict]:
    """LIST items: with ID they update (DEL=Y removes), without ID they are added; empty VALUE ignored."""
    items = {i["ID"]: dict(i) for i in existing or []}
    for entry in as_list(raw):
        entry = as_map(entry) or {}
        item_id = str(entry.get("ID", "")).strip()
        if item_id in items:
            if yn(entry.get("DEL")) == "Y":
                del items[item_id]
                continue
            items[item_id].update({k: str(entry[k]) for k in ("VALUE", "SORT", "XML_ID") if k in entry})
            if "DEF" in entry:
                items[item_id]["DEF"] = yn(entry["DEF"])
            continue
        value = text(entry.get("VALUE"))
        if not value:
            continue
        new_id = str(portal.next_id("crm_uf_enum"))
        xml_id = text(entry.get("XML_ID")) or hashlib.md5(f"{new_id}:{value}".encode()).hexdigest()
        items[new_id] = {"ID": new_id, "SORT": str(to_int(entry.get("SORT"), 0)), "VALUE": value,
                         "DEF": yn(entry.get("DEF")), "XML_ID": xml_id}
    seen: set[str] = set()
    for item in items.values():
        if item["XML_ID"] in seen:
            raise _core_error(f"List item with value XML_ID='{item['XML_ID']}' already exists")
        seen.add(item["XML_ID"])
    return sorted(items.values(), key=lambda i: (int(i["SORT"]), int(i["ID"])))


def add_userfield(ctx: CallContext, entity_id: str, params: dict) -> int:
    """crm.<entity>.userfield.add: admin only, FIELD_NAME prefixed and validated, duplicates refused."""
    if not ctx.is_admin:
        raise crm_error("Access denied.")
    fields = fields_arg(params)
    if not text(fields.get("FIELD_NAME")):
        raise crm_error("The 'FIELD_NAME' field is not found.")
    user_type = text(fields.get("USER_TYPE_ID"))
    if not user_type:
        raise crm_error("The 'USER_TYPE_ID' field is not found.")
    name = normalize_name(fields["FIELD_NAME"])
    if user_type not in USER_TYPES:
        raise _core_error("Incorrect custom type specified.")
    portal = ctx.portal
    if name in uf_types(portal, entity_id):
        raise _core_error(f"A field with the code {name} already exists for the object {entity_id}.")
    label = text(fields.get("LABEL")) or ""
    new_id = portal.next_id(TABLE)
    settings = dict(DEFAULT_SETTINGS.get(user_type, {}))
    settings.update(as_map(fields.get("SETTINGS")) or {})
    multiple = "N" if user_type == "boolean" else yn(fields.get("MULTIPLE"))
    defn = {
        "ID": str(new_id), "ENTITY_ID": entity_id, "FIELD_NAME": name, "USER_TYPE_ID": user_type,
        "XML_ID": text(fields.get("XML_ID")), "SORT": str(max(to_int(fields.get("SORT"), 100), 1)),
        "MULTIPLE": multiple, "MANDATORY": yn(fields.get("MANDATORY")),
        "SHOW_FILTER": _show_filter(fields.get("SHOW_FILTER"), user_type),
        "SHOW_IN_LIST": yn(fields.get("SHOW_IN_LIST")), "EDIT_IN_LIST": yn(fields.get("EDIT_IN_LIST"), "Y"),
        "IS_SEARCHABLE": yn(fields.get("IS_SEARCHABLE")), "SETTINGS": settings,
    }
    for key in LABELS:
        defn[key] = _lang_map(fields.get(key), label)
    if user_type == "enumeration":
        defn["LIST"] = _enum_items(portal, fields.get("LIST"))
    portal.table(TABLE)[new_id] = defn
    return new_id


def _show_filter(value: Any, user_type: str) -> str:
    raw = str(value or "N").upper()
    if raw in ("E", "I", "S", "N"):
        return raw
    if yn(raw) == "N":
        return "N"
    return "I" if user_type in _ID_FILTER_TYPES else "E"


def find_def(portal, entity_id: str, params: dict) -> dict:
    """The definition named by `id`, or the documented invalid/not-found errors."""
    field_id = positive_id(arg(params, "id"))
    if field_id is None:
        raise invalid_id()
    defn = portal.table(TABLE).get(field_id)
    if defn is None or defn["ENTITY_ID"] != entity_id:
        raise RestError("ERROR_NOT_FOUND", f"The entity with ID '{field_id}' is not found.", 400)
    return defn


def userfield_get(defn: dict) -> dict:
    """crm.*.userfield.get answer: labels as language maps, enumeration items under LIST."""
    out = {k: v for k, v in defn.items() if k != "LIST"}
    if "LIST" in defn:
        out["LIST"] = [dict(i) for i in defn["LIST"]]
    return out


def userfield_list(portal, entity_id: str, params: dict, lang: str = "en") -> ListResult:
    """crm.*.userfield.list: exact-match filter, order, labels in one language."""
    keys = ("ID", "ENTITY_ID", "FIELD_NAME", "USER_TYPE_ID", "XML_ID", "SORT", "MULTIPLE", "MANDATORY",
            "SHOW_FILTER", "SHOW_IN_LIST", "EDIT_IN_LIST", "IS_SEARCHABLE")
    types = {k: ("integer" if k in ("ID", "SORT") else "string") for k in keys}
    rows = entity_defs(portal, entity_id)
    for field, _op, value in parse_filter(params, types):
        rows = [r for r in rows if str(r.get(field) or "").lower() == str(value).lower()]
    rows = order_rows(rows, as_map(arg(params, "order")) or {"SORT": "ASC"}, types)
    out = []
    for defn in rows:
        item = {k: v for k, v in defn.items() if k not in LABELS and k != "LIST"}
        for key in LABELS:
            value = defn[key].get(lang, "")
            item[key] = value if value or key not in ("ERROR_MESSAGE", "HELP_MESSAGE") else None
        if "LIST" in defn:
            item["LIST"] = [dict(i) for i in defn["LIST"]]
        out.append(item)
    return ListResult(out, len(out))


def userfield_update(ctx: CallContext, entity_id: str, params: dict) -> bool:
    """Labels, flags, SETTINGS and LIST change; FIELD_NAME, USER_TYPE_ID and MULTIPLE stay."""
    if not ctx.is_admin:
        raise crm_error("Access denied.")
    defn = find_def(ctx.portal, entity_id, params)
    fields = fields_arg(params)
    for key in ("MANDATORY", "SHOW_IN_LIST", "EDIT_IN_LIST", "IS_SEARCHABLE"):
        if key in fields:
            defn[key] = yn(fields[key])
    if "SHOW_FILTER" in fields:
        defn["SHOW_FILTER"] = _show_filter(fields["SHOW_FILTER"], defn["USER_TYPE_ID"])
    if "SORT" in fields:
        defn["SORT"] = str(max(to_int(fields["SORT"], 100), 1))
    if "XML_ID" in fields:
        defn["XML_ID"] = text(fields["XML_ID"])
    if as_map(fields.get("SETTINGS")) is not None:
        defn["SETTINGS"] = {**defn["SETTINGS"], **as_map(fields["SETTINGS"])}
    label = text(fields.get("LABEL"))
    for key in LABELS:
        if key in fields or label:
            current = defn[key]
            update = _lang_map(fields.get(key), label or "") if key in fields else {k: label for k in LANGS}
            defn[key] = {lang: update.get(lang) or current.get(lang, "") for lang in LANGS}
    if defn["USER_TYPE_ID"] == "enumeration" and "LIST" in fields:
        defn["LIST"] = _enum_items(ctx.portal, fields["LIST"], defn.get("LIST"))
    return True


def userfield_delete(ctx: CallContext, entity_id: str, table: str, params: dict) -> bool:
    if not ctx.is_admin:
        raise crm_error("Access denied.")
    defn = find_def(ctx.portal, entity_id, params)
    del ctx.portal.table(TABLE)[int(defn["ID"])]
    for row in ctx.portal.table(table).values():
        row.pop(defn["FIELD_NAME"], None)
    return True


def describe_uf(defn: dict, lang: str = "en") -> dict:
    """The crm.*.fields entry of a user field (isDynamic, labels, settings; enumeration items)."""
    entry = {
        "type": defn["USER_TYPE_ID"], "isRequired": defn["MANDATORY"] == "Y", "isReadOnly": False,
        "isImmutable": False, "isMultiple": defn["MULTIPLE"] == "Y", "isDynamic": True,
        "title": defn["FIELD_NAME"], "listLabel": defn["LIST_COLUMN_LABEL"].get(lang, ""),
        "formLabel": defn["EDIT_FORM_LABEL"].get(lang, ""), "filterLabel": defn["LIST_FILTER_LABEL"].get(lang, ""),
        "settings": dict(defn["SETTINGS"]),
    }
    if "LIST" in defn:
        entry["items"] = [{"ID": i["ID"], "VALUE": i["VALUE"]} for i in defn["LIST"]]
    return entry


def store_uf_values(portal, entity_id: str, row: dict, fields: dict, creating: bool) -> None:
    """Copy known UF values from `fields` into the row; unknown UF keys are ignored as Bitrix does."""
    for defn in entity_defs(portal, entity_id):
        name = defn["FIELD_NAME"]
        if name in fields:
            row[name] = uf_value(defn, fields[name])
        elif creating:
            row[name] = [] if defn["MULTIPLE"] == "Y" else None


def uf_value(defn: dict, raw: Any) -> Any:
    if defn["MULTIPLE"] == "Y":
        values = [_scalar(defn, v) for v in as_list(raw)]
        return [v for v in values if v is not None]
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return _scalar(defn, raw)


def _scalar(defn: dict, raw: Any) -> Any:
    kind = defn["USER_TYPE_ID"]
    if raw is None or raw == "" or kind == "file":
        return None
    if kind == "integer":
        return str(to_int(raw))
    if kind == "double":
        return str(num(to_float(raw)))
    if kind == "boolean":
        return "1" if yn(raw) == "Y" else "0"
    if kind == "date":
        return fmt_date(raw)
    if kind == "datetime":
        return fmt_datetime(raw)
    if kind == "employee":
        return id_str(raw)
    if kind == "enumeration":
        wanted = str(raw)
        for item in defn.get("LIST", []):
            if wanted in (item["ID"], item["XML_ID"]):
                return item["ID"]
        return None
    return text(raw)

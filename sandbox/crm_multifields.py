"""Multi-fields (PHONE, EMAIL, WEB, IM, LINK) of CRM entities and the phone/e-mail normalisation of duplicates."""
from __future__ import annotations

import re
from typing import Any

from .crm_fields import MULTI_FIELDS
from .crm_store import as_list, as_map, positive_id, text, yn

DEFAULT_VALUE_TYPE = {"PHONE": "WORK", "EMAIL": "WORK", "WEB": "WORK", "IM": "OTHER", "LINK": "USER"}
_EXTENSION = re.compile(r"(?:ext\.?|доб\.?|x|#|,).*$", re.I)


def _entries(raw: Any) -> list[dict]:
    """Items may come as a list, as a map (`n0`, `n1` keys of web forms) or as one bare value."""
    out = []
    for entry in as_list(raw):
        item = as_map(entry)
        out.append(item if item is not None else {"VALUE": entry})
    return out


def apply_multifields(portal, row: dict, fields: dict, creating: bool) -> None:
    """Items with an ID update that value (DELETE=Y or an empty VALUE removes it); items without one are added."""
    for kind in MULTI_FIELDS:
        if kind not in fields:
            continue
        current = {int(i["ID"]): dict(i) for i in row.get(kind) or []}
        for entry in _entries(fields[kind]):
            item_id = None if creating else positive_id(entry.get("ID"))
            value = text(entry.get("VALUE"))
            value = value.strip() if value else value
            if item_id is not None:
                if item_id not in current:
                    continue
                if yn(entry.get("DELETE")) == "Y" or not value:
                    del current[item_id]
                    continue
                current[item_id]["VALUE"] = value
                if text(entry.get("VALUE_TYPE")):
                    current[item_id]["VALUE_TYPE"] = text(entry["VALUE_TYPE"]).upper()
                continue
            if not value or yn(entry.get("DELETE")) == "Y":
                continue
            new_id = portal.next_id("crm_multifield")
            value_type = (text(entry.get("VALUE_TYPE")) or DEFAULT_VALUE_TYPE[kind]).upper()
            current[new_id] = {"ID": str(new_id), "VALUE_TYPE": value_type, "VALUE": value, "TYPE_ID": kind}
        items = [current[k] for k in sorted(current)]
        if items:
            row[kind] = items
        else:
            row.pop(kind, None)
    row["HAS_PHONE"] = "Y" if row.get("PHONE") else "N"
    row["HAS_EMAIL"] = "Y" if row.get("EMAIL") else "N"
    row["HAS_IMOL"] = "Y" if any(i["VALUE_TYPE"] == "IMOL" for i in row.get("IM") or []) else "N"


def normalize_phone(value: Any) -> str:
    """Digits only, extension dropped, a Russian trunk `8` read as `7` (as the portal's phone parser does)."""
    raw = _EXTENSION.sub("", str(value or ""))
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


def normalize_email(value: Any) -> str:
    return str(value or "").strip().lower()

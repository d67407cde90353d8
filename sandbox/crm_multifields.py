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


class _CommCache:
    """Each row's normalized phones or e-mails, kept beside one table and reused while the row's values are
    unchanged: a duplicate search still reads every row, as the portal's answer needs, but normalizes only the
    values that changed since the last search."""

    def __init__(self, table: dict[int, dict]):
        self.table = table
        self.rows: dict[int, tuple[tuple, frozenset]] = {}

    def values(self, row_id: int, raw: tuple, norm) -> frozenset:
        known = self.rows.get(row_id)
        if known is None or known[0] != raw:
            known = self.rows[row_id] = (raw, frozenset(norm(v) for v in raw))
        return known[1]


def holders(portal, table_name: str, kind: str, wanted: set[str], norm) -> list[int]:
    """Ids of the rows of `table_name` holding any of the `wanted` normalized values of multifield `kind`."""
    table = portal.tables.get(table_name, {})
    key = f"comm:{table_name}:{kind}"
    cache = portal.indexes.get(key)
    if not isinstance(cache, _CommCache) or cache.table is not table or len(cache.rows) > 2 * len(table) + 100:
        cache = portal.indexes[key] = _CommCache(table)
    found = []
    for row_id, row in table.items():
        raw = tuple(item.get("VALUE") for item in row.get(kind) or ())
        if raw and not wanted.isdisjoint(cache.values(row_id, raw, norm)):
            found.append(int(row["ID"]))
    return sorted(found)

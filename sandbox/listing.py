"""List semantics of legacy CRM list methods: filter prefixes, order, select masks and 50-row pages."""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .context import ListResult, arg
from .crm_store import as_list, as_map, timestamp, to_int
from .errors import crm_error

PAGE_SIZE = 50

# Longest prefixes first so `>=` is not read as `>` (D api-reference/crm/deals/crm-deal-list.md)
_PREFIXES = (">=", "<=", "!=", "!@", "=%", "%=", ">", "<", "@", "%", "=", "!")
NUMERIC = frozenset({"integer", "double", "user", "crm_company", "crm_contact", "crm_lead", "crm_quote",
                     "crm_category", "location", "employee", "money"})
DATES = frozenset({"date", "datetime"})
# "The LIKE filter does not work with fields of type crm_status, crm_contact, crm_company"
NO_LIKE = frozenset({"crm_status", "crm_contact", "crm_company"})


def list_rows(rows: Iterable[dict], params: dict, *, default_select: Iterable[str],
              all_fields: Mapping[str, str] | Iterable[str], multi_fields: Iterable[str] = (),
              uf_fields: Mapping[str, str] | Iterable[str] = (),
              default_order: Mapping[str, str] | None = None) -> ListResult:
    """Filter, order, page and project stored rows the way crm.*.list does."""
    std, ufs = _typed(all_fields), _typed(uf_fields)
    multi = [m for m in multi_fields]
    types = {**std, **ufs, **{m: "crm_multifield" for m in multi}}
    conds = parse_filter(params, types)
    matched = [r for r in rows if all(_test(r, c, types, multi) for c in conds)]
    order = map_param(params, "order") or default_order or {"ID": "ASC"}
    matched = order_rows(matched, order, types)
    names = selected_fields(arg(params, "select"), default_select, std, multi, ufs)
    page, total, nxt = paginate(matched, arg(params, "start"))
    return ListResult([project(r, names, multi) for r in page], total, nxt)


def map_param(params: dict, name: str) -> dict:
    """`filter`/`order`: a map (a PHP empty array may arrive as a list); strings are refused as Bitrix does."""
    raw = arg(params, name)
    if raw is None or raw == "":
        return {}
    value = as_map(raw)
    if value is None:
        raise crm_error(f"Parameter '{name}' must be array.")
    return {k: v for k, v in value.items() if not k.isdigit()}


def parse_filter(params: dict, types: Mapping[str, str]) -> list[tuple[str, str, Any]]:
    """(field, operator, value) triples; unknown fields and the unsupported `LOGIC` key are ignored."""
    conds = []
    for key, value in map_param(params, "filter").items():
        op, field = _split_key(key)
        if field in types:
            conds.append((field, op, value))
    return conds


def _split_key(key: str) -> tuple[str, str]:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return prefix, key[len(prefix):]
    return "=", key


def _typed(fields: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    if isinstance(fields, Mapping):
        return dict(fields)
    return {f: "string" for f in fields}


# ---- filter evaluation
def _test(row: dict, cond: tuple[str, str, Any], types: Mapping[str, str], multi: list[str]) -> bool:
    """One filter condition against one row (multi-fields match any of their values)."""
    field, op, wanted = cond
    ftype = "string" if field in multi else types.get(field, "string")
    values = _row_values(row, field, multi)
    if op in ("@", "!@") or (isinstance(wanted, (list, dict)) and op in ("=", "!", "!=")):
        hit = any(_equal(ftype, v, w) for v in values for w in as_list(wanted))
        return hit if op in ("@", "=") else not hit
    if op == "=":
        return any(_equal(ftype, v, wanted) for v in values)
    if op in ("!", "!="):
        return not any(_equal(ftype, v, wanted) for v in values)
    if op in ("%", "=%", "%="):
        if ftype in NO_LIKE or field in multi:
            return any(_equal(ftype, v, wanted) for v in values)
        return any(_like(v, wanted, op == "%") for v in values)
    return any(_relate(ftype, v, wanted, op) for v in values)


def _row_values(row: dict, field: str, multi: list[str]) -> list:
    value = row.get(field)
    if field in multi:
        return [item.get("VALUE") for item in value or [] if isinstance(item, dict)]
    if isinstance(value, list):
        return value
    return [value]


def _norm(ftype: str, value: Any) -> Any:
    """Comparable form: floats for numbers, timestamps for dates, lower-case text otherwise (MySQL _ci)."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = ("1" if value else "0") if ftype in NUMERIC else ("Y" if value else "N")
    if ftype in NUMERIC:
        try:
            return float(str(value).strip())
        except ValueError:
            return str(value).strip().lower()
    if ftype in DATES:
        ts = timestamp(value)
        return ts if ts is not None else str(value).lower()
    return str(value).lower()


def _equal(ftype: str, have: Any, want: Any) -> bool:
    a, b = _norm(ftype, have), _norm(ftype, want)
    if a is None or a == "":
        return b is None or b == ""
    return a == b


def _relate(ftype: str, have: Any, want: Any, op: str) -> bool:
    a, b = _norm(ftype, have), _norm(ftype, want)
    if a is None or b is None or a == "" or type(a) is not type(b):
        return False
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def _like(have: Any, want: Any, substring: bool) -> bool:
    if have is None or want is None:
        return False
    text, pattern = str(have).lower(), str(want).lower()
    if substring:
        return pattern in text
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.S) is not None


# ---- order, select, pages
def order_rows(rows: list[dict], order: Mapping[str, Any], types: Mapping[str, str]) -> list[dict]:
    """Stable multi-key sort; NULLs first ascending (MySQL); ties keep ID order."""
    out = sorted(rows, key=lambda r: _sort_key("integer", r.get("ID")))
    for field, direction in reversed(list(order.items())):
        if field not in types:
            continue
        desc = str(direction).strip().upper() == "DESC"
        out.sort(key=lambda r, f=field: _sort_key(types[f], r.get(f)), reverse=desc)
    return out


def _sort_key(ftype: str, value: Any) -> tuple:
    v = _norm(ftype, value)
    if v is None or v == "":
        return (0, 0, 0.0, "")
    return (1, 0, v, "") if isinstance(v, float) else (1, 1, 0.0, str(v))


def selected_fields(select: Any, default_select: Iterable[str], std: Mapping[str, str],
                    multi: list[str], ufs: Mapping[str, str]) -> list[str]:
    """`*` = standard non-multiple fields, `UF_*` = user fields, multi-fields only when named."""
    wanted = [str(s).strip().upper() for s in as_list(select) if isinstance(s, (str, int))]
    if not wanted:
        wanted = [str(s).upper() for s in default_select]
    chosen: set[str] = set()
    for name in wanted:
        if name == "*":
            chosen.update(std)
        elif name == "UF_*":
            chosen.update(ufs)
        elif name in std or name in ufs or name in multi:
            chosen.add(name)
    if "ID" in std:
        chosen.add("ID")
    return [f for f in list(std) + list(ufs) + multi if f in chosen]


def project(row: dict, names: list[str], multi: list[str]) -> dict:
    """The row's selected fields; absent multi-fields stay absent (no `EMAIL` key without e-mails)."""
    return {n: row.get(n) for n in names if n not in multi or row.get(n)}


def paginate(rows: list, start: Any) -> tuple[list, int, int | None]:
    """50 rows from `start`; `start=-1` skips the count: total 0 and no `next`."""
    offset = to_int(start, 0)
    if offset < 0:
        return rows[:PAGE_SIZE], 0, None
    total = len(rows)
    nxt = offset + PAGE_SIZE if offset + PAGE_SIZE < total else None
    return rows[offset:offset + PAGE_SIZE], total, nxt


def page_from_start(rows: list, params: dict) -> ListResult:
    """50 rows from the call's `start`, a negative one read as 0 (these methods always count)."""
    return ListResult(*paginate(rows, max(to_int(arg(params, "start", 0)), 0)))

"""Shared pieces of the legacy CRM methods: value formats, argument checks, entity lookups."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from .context import arg
from .errors import RestError, crm_error, invalid_id, not_found

# The sandbox portal lives in Moscow time, as the wire examples in the contract do.
PORTAL_TZ = timezone(timedelta(hours=3))

# CRM object type ids (D api-reference/crm/data-types.md#object_type)
OWNER_TYPES = {1: "lead", 2: "deal", 3: "contact", 4: "company"}
TABLES = {1: "crm_lead", 2: "crm_deal", 3: "crm_contact"}

LEAD = "crm_lead"
DEAL = "crm_deal"
CONTACT = "crm_contact"

_RU_DATE_RE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$")


# ---- time
def now_dt(portal) -> datetime:
    """The portal clock as an aware datetime in the portal's zone."""
    return datetime.fromtimestamp(portal.clock.now(), PORTAL_TZ)


def iso(dt: datetime) -> str:
    """`2024-08-30T14:29:00+03:00`."""
    return dt.astimezone(PORTAL_TZ).replace(microsecond=0).isoformat()


def now_iso(portal) -> str:
    return iso(now_dt(portal))


def parse_dt(value: Any) -> datetime | None:
    """ISO date/datetime (with or without zone), `YYYY-MM-DD hh:mm:ss` or `dd.mm.yyyy`; None if unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=PORTAL_TZ)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=PORTAL_TZ)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    m = _RU_DATE_RE.match(text)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=PORTAL_TZ)
        except ValueError:
            return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=PORTAL_TZ)


def fmt_datetime(value: Any) -> str | None:
    dt = parse_dt(value)
    return iso(dt) if dt else None


def fmt_date(value: Any) -> str | None:
    """Date fields come back as midnight of that day in the portal zone."""
    dt = parse_dt(value)
    if dt is None:
        return None
    local = dt.astimezone(PORTAL_TZ) if dt.tzinfo else dt
    return iso(datetime(local.year, local.month, local.day, tzinfo=PORTAL_TZ))


def timestamp(value: Any) -> float | None:
    dt = parse_dt(value)
    return dt.timestamp() if dt else None


# ---- scalars
def to_float(value: Any, default: float = 0.0) -> float:
    """A number from a form string or JSON value; unreadable or non-finite input gives `default`."""
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).strip().replace(",", ".")) if value not in (None, "") else default
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def to_int(value: Any, default: int = 0) -> int:
    return int(to_float(value, float(default)))


def money(value: Any) -> str:
    """Amounts of legacy CRM entities: `"1000.00"`."""
    return f"{to_float(value):.2f}"


def num(value: float) -> int | float:
    """A PHP float as json_encode writes it: 999.0 -> 999, 899.1 -> 899.1."""
    value = round(float(value), 4)
    return int(value) if value == int(value) else value


def id_str(value: Any) -> str | None:
    """A reference field (`"5"`), None when empty or zero."""
    n = to_int(value)
    return str(n) if n > 0 else None


def yn(value: Any, default: str = "N") -> str:
    """Y/N flags accept Y/N, true/false, 1/0 in any case."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return "Y" if value else "N"
    text = str(value).strip().upper()
    if text in ("Y", "1", "TRUE", "YES"):
        return "Y"
    if text in ("N", "0", "FALSE", "NO"):
        return "N"
    return default


def text(value: Any) -> str | None:
    """A string field; None stays None, numbers become their text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, (list, dict)):
        return None
    return str(value)


# ---- arguments
def as_map(value: Any) -> dict | None:
    """A PHP array parameter: dicts as they are, lists as 0..n-1 maps, anything else None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return None


def as_list(value: Any) -> list:
    """A PHP list parameter: lists as they are, maps by their values, scalars as one item."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def fields_arg(params: dict, name: str = "fields", *, exact_case: bool = False) -> dict:
    """The `fields` map of a legacy method, or `Parameter 'fields' must be array.`"""
    raw = params.get(name) if exact_case else arg(params, name)
    value = as_map(raw)
    if value is None:
        raise crm_error(f"Parameter '{name}' must be array.")
    return value


def check_params_arg(params: dict) -> None:
    raw = arg(params, "params")
    if raw not in (None, "") and as_map(raw) is None:
        raise crm_error("Parameter 'params' must be array.")


def positive_id(value: Any) -> int | None:
    n = to_int(value, 0)
    if n <= 0 or (isinstance(value, str) and not re.fullmatch(r"\s*\d+(\.0+)?\s*", value)):
        return None
    return n


def require_id(params: dict, error: RestError | None = None, name: str = "id") -> int:
    """A positive integer `id` (any case) or the method's invalid-id error."""
    n = positive_id(arg(params, name))
    if n is None:
        raise error or invalid_id()
    return n


def get_row(portal, table: str, row_id: int, error: RestError | None = None) -> dict:
    row = portal.table(table).get(row_id)
    if row is None:
        raise error or not_found()
    return row


def entity_exists(portal, owner_type: int, owner_id: int) -> bool:
    table = TABLES.get(owner_type)
    return bool(table) and owner_id in portal.table(table)


def ensure_crm(portal) -> None:
    """Seed the portal's CRM on first use (funnels, stages, directories, currencies)."""
    if not portal.table("crm_category"):
        from .crm_seed import seed_crm

        seed_crm(portal)


def public(row: dict, hidden: Iterable[str] = ()) -> dict:
    """A stored row without its private `_` keys (sandbox bookkeeping)."""
    skip = set(hidden)
    return {k: v for k, v in row.items() if not k.startswith("_") and k not in skip}

"""Building blocks shared by the platform adapters: ids, times, money, text and the event envelope."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ORDER_CREATED = "order.created"
ORDER_UPDATED = "order.updated"

# Fixed namespace: the same (platform, order, version) must give the same id on every machine, forever.
_EVENT_NAMESPACE = uuid.UUID("5b0c0f3e-9a41-4d8e-b7c2-6a1f2e8d4c90")
_CENT = Decimal("0.01")


class AdapterError(ValueError):
    """The payload cannot be mapped: a required field is missing or malformed (answer 422)."""


def event_id(platform: str, order_id: str, version: str) -> str:
    """A UUID that only depends on the platform, the order and the order's version instant."""
    return str(uuid.uuid5(_EVENT_NAMESPACE, f"{platform}|{order_id}|{version}"))


def text(value: Any) -> str | None:
    """Trimmed string, or None for missing or blank values."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def clipped(value: Any, limit: int = 255) -> str | None:
    """Free text cut to the canonical 255-character limit: a long campaign name must not sink the order."""
    found = text(value)
    return found[:limit] if found else None


def item_sku(platform: str, line: dict, *id_fields: str) -> str:
    """The line's SKU; without one, the platform's product id, prefixed so it never collides with a real SKU."""
    sku = text(line.get("sku"))
    if sku:
        return sku
    for field in id_fields:
        if text(line.get(field)) not in (None, "0"):
            return f"{platform}:{text(line[field])}"
    return f"{platform}:line:{text(line.get('id'))}"


def first_text(*values: Any) -> str | None:
    """The first value that is not blank."""
    for value in values:
        found = text(value)
        if found is not None:
            return found
    return None


def iso_datetime(value: Any, field: str, assume_utc: bool = False) -> str:
    """ISO 8601 with an offset; zone-less values get +00:00 only when the platform documents UTC."""
    raw = text(value)
    if raw is None:
        raise AdapterError(f"{field} is missing")
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise AdapterError(f"{field} is not an ISO 8601 date-time: {raw!r}") from exc
    if parsed.tzinfo is None:
        if not assume_utc:
            raise AdapterError(f"{field} has no UTC offset: {raw!r}")
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat()


def utc_instant(iso: str) -> str:
    """The same instant in UTC, so that equal times written with different offsets compare equal."""
    return datetime.fromisoformat(iso).astimezone(timezone.utc).isoformat()


def decimal(value: Any, field: str) -> Decimal:
    """A Decimal from a JSON string or number (numbers go through str to avoid binary noise)."""
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AdapterError(f"{field} is not a number: {value!r}") from exc
    if not result.is_finite():
        raise AdapterError(f"{field} is not a finite number: {value!r}")
    return result


def money(value: Any, field: str) -> str:
    """A decimal amount as a string: exact, JSON-safe and accepted by a marshmallow Decimal field."""
    return str(decimal(value, field))


def unit_price(line_total: Decimal, quantity: int) -> str:
    """Line amount divided by quantity; rounded half-up to cents only when the division is not exact."""
    price = line_total / quantity
    if price.as_tuple().exponent < -2 and price != price.quantize(_CENT):
        price = price.quantize(_CENT, rounding=ROUND_HALF_UP)
    return str(price)


def quantity(value: Any, field: str) -> int:
    """A whole item count (platforms send integers; 2.0 is tolerated)."""
    number = decimal(value, field)
    if number != number.to_integral_value():
        raise AdapterError(f"{field} is not a whole number: {value!r}")
    return int(number)


def currency_code(value: Any) -> str:
    """ISO 4217 code, upper-cased."""
    code = (text(value) or "").upper()
    if len(code) != 3 or not code.isalpha():
        raise AdapterError(f"currency is not an ISO 4217 code: {value!r}")
    return code


def order_event(platform: str, topic_type: str, data: dict) -> dict:
    """The canonical envelope around an order; occurred_at is the order's version (updated_at)."""
    version = data["updated_at"]
    return {
        "event_id": event_id(platform, data["order_id"], utc_instant(version)),
        "type": topic_type,
        "occurred_at": version,
        "data": data,
    }


def require_object(payload: Any) -> dict:
    """The decoded webhook body must be a JSON object with an id."""
    if not isinstance(payload, dict):
        raise AdapterError("payload must be a JSON object")
    if text(payload.get("id")) is None:
        raise AdapterError("id is missing")
    return payload


def topic_events(platform: str, topics: dict, build, payload: Any, topic: str | None) -> list[dict]:
    """Canonical events for one webhook delivery; [] for topics the adapter does not handle."""
    event_type = topics.get((topic or "").strip().lower())
    if event_type is None:
        return []
    return [order_event(platform, event_type, build(require_object(payload)))]

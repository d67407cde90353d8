"""WooCommerce order webhooks (REST API v3 order body) -> canonical shop events.

Topics (`X-WC-Webhook-Topic`): `order.created` -> order.created, `order.updated` -> order.updated; any other
topic maps to no events. Times: `date_created_gmt`/`date_modified_gmt` are UTC without a zone, so `+00:00` is
added; `date_modified_gmt` is the order's version.

Status mapping (WooCommerce -> canonical):

    pending          -> pending_payment
    processing       -> paid
    on-hold          -> pending_payment
    completed        -> completed
    cancelled        -> cancelled
    refunded         -> refunded
    failed           -> cancelled
    checkout-draft   -> new
    anything else    -> completed if date_completed_gmt is set, else paid if date_paid_gmt is set, else new

Unknown statuses come from plugins (e.g. `awaiting-shipment`, `delivered-to-courier`); most are set after
payment, so reading the payment and completion dates keeps a paid order from sliding back to `new`, while an
unknown status with neither date is honestly `new`. A `wc-` prefix (the stored form) is tolerated.

Other choices: customer from `billing` (WooCommerce keeps no marketing consent, so both are False; no birthday
or gender); an item without a SKU gets `woocommerce:<variation_id or product_id>`; item price is the unit price
before order-level discounts, as the shopper saw it (`subtotal` plus `subtotal_tax` when `prices_include_tax`,
divided by `quantity`), which matches Shopify's `price`; utm from the order attribution meta
(`_wc_order_attribution_utm_*`); delivery from the first shipping line (`method_title`, the local pickup
location meta, Shipment Tracking numbers); promo code is the first coupon line's code.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from .common import (ORDER_CREATED, ORDER_UPDATED, clipped, currency_code, decimal, first_text, iso_datetime,
                     item_sku, money, quantity, text, topic_events, unit_price)

PLATFORM = "woocommerce"
TOPIC_HEADER = "X-WC-Webhook-Topic"

TOPICS = MappingProxyType({"order.created": ORDER_CREATED, "order.updated": ORDER_UPDATED})

STATUS_MAP = MappingProxyType({
    "pending": "pending_payment",
    "processing": "paid",
    "on-hold": "pending_payment",
    "completed": "completed",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "failed": "cancelled",
    "checkout-draft": "new",
})

UTM_META = MappingProxyType({
    "source": "_wc_order_attribution_utm_source",
    "medium": "_wc_order_attribution_utm_medium",
    "campaign": "_wc_order_attribution_utm_campaign",
})
PICKUP_META = ("pickup_location", "pickup_address")
TRACKING_META = "_wc_shipment_tracking_items"


def order_status(status: Any, date_paid_gmt: Any = None, date_completed_gmt: Any = None) -> str:
    """Canonical status for a WooCommerce status (see the table in the module docstring)."""
    key = (text(status) or "").lower()
    key = key[3:] if key.startswith("wc-") else key
    if key in STATUS_MAP:
        return STATUS_MAP[key]
    if text(date_completed_gmt):
        return "completed"
    if text(date_paid_gmt):
        return "paid"
    return "new"


def to_events(payload: Any, topic: str | None) -> list[dict]:
    """Canonical events for one webhook delivery; [] for topics this adapter does not handle."""
    return topic_events(PLATFORM, TOPICS, order_data, payload, topic)


def order_data(order: dict) -> dict:
    """The canonical `data` of an order event."""
    created = iso_datetime(order.get("date_created_gmt"), "date_created_gmt", assume_utc=True)
    modified = order.get("date_modified_gmt") or order.get("date_created_gmt")
    data = {
        "order_id": str(order["id"]),
        "number": first_text(order.get("number"), order["id"]),
        "status": order_status(order.get("status"), order.get("date_paid_gmt"), order.get("date_completed_gmt")),
        "customer": _customer(order.get("billing") or {}),
        "items": _items(order.get("line_items") or [], bool(order.get("prices_include_tax"))),
        "total": money(order.get("total"), "total"),
        "currency": currency_code(order.get("currency")),
        "created_at": created,
        "updated_at": iso_datetime(modified, "date_modified_gmt", assume_utc=True),
        "utm": _utm(order.get("meta_data") or []),
        "delivery": _delivery(order.get("shipping_lines") or [], order.get("meta_data") or []),
    }
    promo = _promo_code(order.get("coupon_lines") or [])
    if promo:
        data["promo_code"] = promo
    return data


def _customer(billing: dict) -> dict:
    """Customer from the billing address; WooCommerce records no marketing consent."""
    return {
        "email": text(billing.get("email")),
        "phone": text(billing.get("phone")),
        "first_name": text(billing.get("first_name")),
        "last_name": text(billing.get("last_name")),
        "birthday": None,
        "gender": None,
        "consent": {"email": False, "sms": False},
    }


def _items(lines: list, prices_include_tax: bool) -> list[dict]:
    """Products of the order; lines with no quantity left are skipped."""
    items = []
    for n, line in enumerate(lines):
        count = quantity(line.get("quantity"), f"line_items.{n}.quantity")
        if count <= 0:
            continue
        items.append({
            "sku": item_sku(PLATFORM, line, "variation_id", "product_id"),
            "name": clipped(first_text(line.get("name"), line.get("parent_name"))) or f"#{line.get('id')}",
            "category": clipped(line.get("category")),
            "price": _line_unit_price(line, count, prices_include_tax, n),
            "quantity": count,
        })
    return items


def _line_unit_price(line: dict, count: int, prices_include_tax: bool, n: int) -> str:
    """Unit price before order-level discounts; falls back to `price` when `subtotal` is absent."""
    if text(line.get("subtotal")) is None:
        return money(line.get("price"), f"line_items.{n}.price")
    amount = decimal(line["subtotal"], f"line_items.{n}.subtotal")
    if prices_include_tax and text(line.get("subtotal_tax")) is not None:
        amount += decimal(line["subtotal_tax"], f"line_items.{n}.subtotal_tax")
    return unit_price(amount, count)


def _meta(meta_data: list, key: str) -> Any:
    """Value of the first meta entry with this key."""
    for entry in meta_data:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
    return None


def _utm(meta_data: list) -> dict:
    """UTM tags recorded by WooCommerce order attribution."""
    return {name: clipped(_meta(meta_data, key)) for name, key in UTM_META.items()}


def _delivery(shipping_lines: list, meta_data: list) -> dict:
    """Method and pickup point from the first shipping line; tracking from Shipment Tracking meta."""
    line = shipping_lines[0] if shipping_lines else {}
    line_meta = line.get("meta_data") or []
    return {
        "method": clipped(first_text(line.get("method_title"), line.get("method_id"))),
        "pickup_point": clipped(first_text(*(_meta(line_meta, key) for key in PICKUP_META))),
        "tracking": _tracking(_meta(meta_data, TRACKING_META)),
    }


def _tracking(entries: Any) -> str | None:
    """Tracking numbers from the Shipment Tracking extension, comma-separated."""
    if not isinstance(entries, list):
        return None
    numbers = [text(e.get("tracking_number")) for e in entries if isinstance(e, dict)]
    return clipped(", ".join(dict.fromkeys(n for n in numbers if n)))


def _promo_code(coupon_lines: list) -> str | None:
    """Code of the first coupon applied to the order."""
    codes = [text(c.get("code")) for c in coupon_lines if isinstance(c, dict)]
    return clipped(next((c for c in codes if c), None))

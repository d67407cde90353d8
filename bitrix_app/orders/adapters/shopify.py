"""Shopify order webhooks (REST Admin order body) -> canonical shop events.

Topics (`X-Shopify-Topic`): `orders/create` -> order.created; `orders/updated` -> order.updated, and so are
`orders/paid`, `orders/fulfilled`, `orders/partially_fulfilled` and `orders/cancelled`, whose body is the same
full order; any other topic maps to no events. `updated_at` is the order's version, so the several topics
Shopify fires for one change share one event id and are stored once.

Status mapping, first rule that matches wins:

    cancelled_at set                                         -> cancelled
    financial_status refunded                                -> refunded
    financial_status voided                                  -> cancelled
    fulfilled, last fulfilment's shipment_status delivered   -> delivered
    fulfilled, last shipment_status ready_for_pickup         -> ready_for_pickup
    fulfillment_status fulfilled                             -> shipped
    financial_status paid / partially_refunded               -> paid
    financial_status pending / authorized / partially_paid   -> pending_payment
    anything else                                            -> new

Fulfilment outranks payment: cash-on-delivery and manual-payment orders are shipped while still `pending`.
A partial fulfilment is not yet `shipped`. `closed_at` (archiving) is ignored: it is a shop setting, not a
step the customer went through.

Other choices: customer from `customer`, falling back to `billing_address` and the order's own `email`/`phone`;
e-mail consent is `customer.email_marketing_consent.state == "subscribed"` when Shopify sends it, else
`buyer_accepts_marketing`; SMS consent from `customer.sms_marketing_consent`; an item without a SKU gets
`shopify:<variant_id or product_id>`; item price is the line's `price` (unit price before discounts); utm from
the `landing_site` query, with `source_name` as the source when no utm_source was tagged; delivery method from
the first shipping line's `title`, tracking from the fulfilments (the order body names no pickup point, so it is
null); promo code is the first discount code; `cart_token` becomes `cart_id`.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .common import (ORDER_CREATED, ORDER_UPDATED, clipped, currency_code, first_text, iso_datetime, item_sku, money,
                     quantity, text, topic_events)

PLATFORM = "shopify"
TOPIC_HEADER = "X-Shopify-Topic"

TOPICS = MappingProxyType({
    "orders/create": ORDER_CREATED,
    "orders/updated": ORDER_UPDATED,
    "orders/paid": ORDER_UPDATED,
    "orders/fulfilled": ORDER_UPDATED,
    "orders/partially_fulfilled": ORDER_UPDATED,
    "orders/cancelled": ORDER_UPDATED,
})

PAID = frozenset({"paid", "partially_refunded"})
AWAITING_PAYMENT = frozenset({"pending", "authorized", "partially_paid"})
SHIPMENT_STATUSES = MappingProxyType({"delivered": "delivered", "ready_for_pickup": "ready_for_pickup"})


def order_status(financial_status: Any, fulfillment_status: Any, cancelled_at: Any,
                 shipment_status: Any = None) -> str:
    """Canonical status for a Shopify order (see the table in the module docstring)."""
    financial = (text(financial_status) or "").lower()
    if text(cancelled_at):
        return "cancelled"
    if financial == "refunded":
        return "refunded"
    if financial == "voided":
        return "cancelled"
    if (text(fulfillment_status) or "").lower() == "fulfilled":
        return SHIPMENT_STATUSES.get((text(shipment_status) or "").lower(), "shipped")
    if financial in PAID:
        return "paid"
    if financial in AWAITING_PAYMENT:
        return "pending_payment"
    return "new"


def to_events(payload: Any, topic: str | None) -> list[dict]:
    """Canonical events for one webhook delivery; [] for topics this adapter does not handle."""
    return topic_events(PLATFORM, TOPICS, order_data, payload, topic)


def order_data(order: dict) -> dict:
    """The canonical `data` of an order event."""
    created = iso_datetime(order.get("created_at"), "created_at")
    fulfillments = [f for f in order.get("fulfillments") or [] if isinstance(f, dict)]
    last_shipment = fulfillments[-1].get("shipment_status") if fulfillments else None
    data = {
        "order_id": str(order["id"]),
        "number": first_text(order.get("name"), order.get("order_number"), order["id"]),
        "status": order_status(order.get("financial_status"), order.get("fulfillment_status"),
                               order.get("cancelled_at"), last_shipment),
        "customer": _customer(order),
        "items": _items(order.get("line_items") or []),
        "total": money(order.get("total_price"), "total_price"),
        "currency": currency_code(order.get("currency")),
        "created_at": created,
        "updated_at": iso_datetime(order.get("updated_at") or order.get("created_at"), "updated_at"),
        "utm": _utm(order.get("landing_site"), order.get("source_name")),
        "delivery": _delivery(order.get("shipping_lines") or [], fulfillments),
    }
    if text(order.get("cart_token")):
        data["cart_id"] = text(order["cart_token"])
    promo = _promo_code(order.get("discount_codes") or [])
    if promo:
        data["promo_code"] = promo
    return data


def _customer(order: dict) -> dict:
    """Customer from `customer`, then `billing_address`, then the order's contact fields."""
    customer = order.get("customer") or {}
    billing = order.get("billing_address") or {}
    return {
        "email": first_text(order.get("email"), customer.get("email"), order.get("contact_email")),
        "phone": first_text(order.get("phone"), customer.get("phone"), billing.get("phone")),
        "first_name": first_text(customer.get("first_name"), billing.get("first_name")),
        "last_name": first_text(customer.get("last_name"), billing.get("last_name")),
        "birthday": None,
        "gender": None,
        "consent": {
            "email": _email_consent(order, customer),
            "sms": _subscribed(customer.get("sms_marketing_consent")),
        },
    }


def _subscribed(consent: Any) -> bool:
    """A Shopify marketing consent object says the customer is subscribed."""
    return isinstance(consent, dict) and (text(consent.get("state")) or "").lower() == "subscribed"


def _email_consent(order: dict, customer: dict) -> bool:
    """The customer's current e-mail consent beats the checkbox ticked at checkout."""
    if isinstance(customer.get("email_marketing_consent"), dict):
        return _subscribed(customer["email_marketing_consent"])
    return bool(order.get("buyer_accepts_marketing"))


def _items(lines: list) -> list[dict]:
    """Products of the order; lines with no quantity are skipped."""
    items = []
    for n, line in enumerate(lines):
        count = quantity(line.get("quantity"), f"line_items.{n}.quantity")
        if count <= 0:
            continue
        items.append({
            "sku": item_sku(PLATFORM, line, "variant_id", "product_id"),
            "name": clipped(first_text(line.get("name"), line.get("title"))) or f"#{line.get('id')}",
            "category": clipped(line.get("category")),
            "price": money(line.get("price"), f"line_items.{n}.price"),
            "quantity": count,
        })
    return items


def _utm(landing_site: Any, source_name: Any) -> dict:
    """UTM tags from the landing page's query string; the sales channel stands in for a missing source."""
    query = parse_qs(urlsplit(text(landing_site) or "").query)

    def tag(name: str) -> str | None:
        return clipped(first_text(*query.get(f"utm_{name}", [])))

    return {"source": tag("source") or clipped(source_name), "medium": tag("medium"), "campaign": tag("campaign")}


def _delivery(shipping_lines: list, fulfillments: list) -> dict:
    """Method from the first shipping line; tracking numbers from all fulfilments."""
    line = shipping_lines[0] if shipping_lines else {}
    numbers: list[str] = []
    for fulfillment in fulfillments:
        numbers += [fulfillment.get("tracking_number"), *(fulfillment.get("tracking_numbers") or [])]
    unique = dict.fromkeys(n for n in map(text, numbers) if n)
    return {
        "method": clipped(first_text(line.get("title"), line.get("code"))),
        "pickup_point": None,
        "tracking": clipped(", ".join(unique)),
    }


def _promo_code(discount_codes: list) -> str | None:
    """The first discount code applied at checkout."""
    codes = [text(c.get("code")) for c in discount_codes if isinstance(c, dict)]
    return clipped(next((c for c in codes if c), None))

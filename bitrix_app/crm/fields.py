"""How shop data is written into CRM fields: contacts, deals, product rows, stages, comments."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

from bitrix_app.orders.shapes import CustomerData, LineItem

STATUS_NAMES = {
    "new": "new", "pending_payment": "awaiting payment", "paid": "paid", "shipped": "shipped",
    "ready_for_pickup": "ready for pickup", "delivered": "delivered", "completed": "completed",
    "cancelled": "cancelled", "refunded": "refunded",
}


# The portal's answer to a deal in a currency it does not have (D api-reference/crm/deals/crm-deal-add.md):
# the same on every attempt, so a retry cannot help.
CURRENCY_REFUSAL = 'Invalid value for the "Currency" field'


def currency_refusal(error: str | None) -> str | None:
    """Why a deal write that failed with `error` is a dead letter at once (the portal refused its currency);
    None when the failure is anything else."""
    if not error or CURRENCY_REFUSAL not in error:
        return None
    return ("the portal refused the currency: it is not one of the portal's currencies "
            f"(add it in the CRM's currency settings, then replay); {error}")[:2000]


def stage_id(category_id: int, code: str) -> str:
    """Stages of funnel N are `C<N>:<CODE>`; the general funnel's have no prefix."""
    return code if not category_id else f"C{category_id}:{code}"


def yn(flag: bool) -> str:
    return "Y" if flag else "N"


def profile_of(customer: CustomerData) -> dict:
    """The JSON-safe part of a canonical customer that the contact carries (the stored profile)."""
    return {
        "first_name": customer.first_name, "last_name": customer.last_name,
        "phone": customer.phone_e164, "email": customer.email_key,
        "birthday": customer.birthday_text, "gender": customer.gender,
        "consent_email": customer.consent_email, "consent_sms": customer.consent_sms,
    }


def contact_values(profile: dict, owned: bool) -> dict:
    """Field -> value we maintain on a contact; names only on contacts the app created."""
    values = {
        "BIRTHDATE": profile.get("birthday"),
        "UF_CRM_SHOP_CONSENT_EMAIL": yn(profile.get("consent_email")),
        "UF_CRM_SHOP_CONSENT_SMS": yn(profile.get("consent_sms")),
        "UF_CRM_SHOP_GENDER": profile.get("gender"),
    }
    if owned:
        values["NAME"] = profile.get("first_name") or ("" if profile.get("last_name") else _fallback_name(profile))
        values["LAST_NAME"] = profile.get("last_name")
    return {k: v for k, v in values.items() if v is not None}


def _fallback_name(profile: dict) -> str:
    return profile.get("email") or profile.get("phone") or "Shop customer"


def contact_changes(values: dict, synced: dict | None) -> dict:
    """Only what differs from what we last wrote: staff edits of other fields stay."""
    synced = synced or {}
    return {k: v for k, v in values.items() if synced.get(k) != v}


def comms(phone: str | None, email: str | None, have: set[str]) -> dict:
    """PHONE/EMAIL items for values the contact does not hold yet (items without ID are added)."""
    out = {}
    if phone and f"phone:{phone}" not in have:
        out["PHONE"] = [{"VALUE": phone, "VALUE_TYPE": "WORK"}]
    if email and f"email:{email}" not in have:
        out["EMAIL"] = [{"VALUE": email, "VALUE_TYPE": "WORK"}]
    return out


def items_hash(items: Sequence[LineItem]) -> str:
    raw = json.dumps([[i.sku, i.name, str(i.price), str(i.quantity)] for i in items])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def product_rows(items: Sequence[LineItem]) -> list[dict]:
    return [{"PRODUCT_NAME": f"{i.name} [{i.sku}]"[:255], "PRICE": str(i.price), "QUANTITY": str(i.quantity)}
            for i in items]


def delivery_text(delivery: dict | None) -> str:
    delivery = delivery or {}
    parts = [delivery.get("method"), delivery.get("pickup_point") and f"pickup: {delivery['pickup_point']}",
             delivery.get("tracking") and f"tracking: {delivery['tracking']}"]
    return "; ".join(p for p in parts if p)[:255]


def order_number(order: dict) -> str:
    """The number shown to people; platforms such as Shopify already write it as "#1057"."""
    return str(order.get("number") or order["order_id"]).lstrip("#") or str(order["order_id"])


def order_title(order: dict, shop_name: str) -> str:
    return f"Order #{order_number(order)} ({shop_name})"[:255]


def deal_values(order: dict, stage: str) -> dict:
    """Deal field -> value the order drives; compared with the last written values on every update."""
    utm = order.get("utm") or {}
    return {
        "STAGE_ID": stage,
        "OPPORTUNITY": str(Decimal(str(order["total"]))),
        "CURRENCY_ID": order["currency"],
        "UF_CRM_SHOP_ORDER_STATUS": order["status"],
        "UF_CRM_SHOP_ORDER_NUMBER": order.get("number") or order["order_id"],
        "UF_CRM_SHOP_DELIVERY": delivery_text(order.get("delivery")),
        "UTM_SOURCE": utm.get("source") or "", "UTM_MEDIUM": utm.get("medium") or "",
        "UTM_CAMPAIGN": utm.get("campaign") or "",
    }


def status_comment(order: dict, before: str | None) -> str:
    number = order_number(order)
    now = STATUS_NAMES.get(order["status"], order["status"])
    if before is None:
        return f"Order #{number}: {now}"
    return f"Order #{number}: {STATUS_NAMES.get(before, before)} → {now}"

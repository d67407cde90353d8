"""The abandoned-cart rules as pure functions: who qualifies, when each step is due, stable ids for each step.

A cart's life: open -> abandoned -> ordered | cleared, plus ignored (carts the feature does not cover:
updated before the feature was enabled, feature off, or no phone/e-mail to reach the customer by).
Every moment is counted from the cart's last update (its version): the abandonment after
`cart_delay_minutes`, reminder n after `reminder_minutes[n-1]`.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from bitrix_app.orders.shapes import CustomerData, LineItem, line_items
from bitrix_app.shops.settings import ShopSettings
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart
from bitrix_app.crm import customers
from bitrix_app.crm import fields as crm_fields

LIVE = ("open", "abandoned")
ABANDON = "cart.abandon_due"
REMIND = "cart.reminder_due"
_REF_MAX = 60


def eligible(settings: ShopSettings, version: datetime) -> bool:
    """Carts last updated before the feature was switched on are never turned into deals or reminded."""
    if not settings.carts_enabled:
        return False
    return settings.carts_enabled_at is None or version >= utc(settings.carts_enabled_at)


def customer_of(data: dict) -> CustomerData:
    """The customer of a cart's data (an event's or the stored row's)."""
    return CustomerData.from_dict(data.get("customer"))


def items_of(data: dict) -> tuple[LineItem, ...]:
    """The items of a cart's data (an event's or the stored row's)."""
    return line_items(data.get("items"))


def keys_of_cart(data: dict) -> tuple[str, ...]:
    return customers.keys_of(crm_fields.profile_of(customer_of(data)))


def cart_data(cart: Cart) -> dict:
    return dict(cart.data or {})


def abandon_at(settings: ShopSettings, version: datetime) -> datetime:
    return utc(version) + timedelta(minutes=settings.cart_delay_minutes)


def reminder_at(settings: ShopSettings, version: datetime, n: int) -> datetime:
    return utc(version) + timedelta(minutes=settings.reminder_minutes[n - 1])


def due_steps(cart: Cart, settings: ShopSettings, now: datetime) -> list[tuple[str, int]]:
    """What should be queued for the cart right now: the abandonment, or the latest reminder that is due
    (reminders overtaken by a later one are not sent: one message, never a burst)."""
    version = utc(cart.version)
    if not eligible(settings, version):
        return []
    if cart.state == "open":
        return [(ABANDON, 0)] if now >= abandon_at(settings, version) else []
    if cart.state == "abandoned":
        due = [n for n in range(cart.reminders_sent + 1, len(settings.reminder_minutes) + 1)
               if now >= reminder_at(settings, version, n)]
        return [(REMIND, due[-1])] if due else []
    return []


def next_moment(cart: Cart, settings: ShopSettings, now: datetime) -> datetime | None:
    """The next future moment a step of the cart falls due (for its timer), or None."""
    version = utc(cart.version)
    if not eligible(settings, version):
        return None
    if cart.state == "open":
        moments = [abandon_at(settings, version)]
    elif cart.state == "abandoned":
        moments = [reminder_at(settings, version, n)
                   for n in range(cart.reminders_sent + 1, len(settings.reminder_minutes) + 1)]
    else:
        return None
    future = [m for m in moments if m > now]
    return min(future) if future else None


def ref(cart_id: str) -> str:
    """The cart id as it goes into event and job ids (long ids are hashed so ids stay short)."""
    if len(cart_id) <= _REF_MAX:
        return cart_id
    return "h" + hashlib.sha256(cart_id.encode()).hexdigest()[:32]


def stamp(moment: datetime) -> str:
    return utc(moment).strftime("%Y%m%dT%H%M%S%f")


def round_of(cart: Cart) -> str:
    """A cart reopened after being cleared starts a new round of reminders (first_seen_at is reset)."""
    return stamp(cart.first_seen_at)


def step_event_id(kind: str, cart: Cart, n: int) -> str:
    if kind == ABANDON:
        return f"abandon:{ref(cart.cart_id)}:{stamp(cart.version)}"
    return f"remind:{ref(cart.cart_id)}:{round_of(cart)}:{n}"


def step_payload(kind: str, cart: Cart, n: int) -> dict:
    data = {"cart_id": cart.cart_id, "version": utc(cart.version).isoformat(), "round": round_of(cart)}
    if kind == REMIND:
        data["n"] = n
    return {"event_id": step_event_id(kind, cart, n), "type": kind, "data": data}


def deal_origin(cart_id: str) -> str:
    return f"cart:{cart_id}"


def message_key(cart: Cart, n: int) -> str:
    """ORIGIN_ID of reminder n's message: found again after a lost answer, so it is never sent twice."""
    return f"cart:{ref(cart.cart_id)}:{round_of(cart)}:remind:{n}"

"""cart.reminder_due -> a reminder to the customer through the messaging layer.

The cart is checked again when the reminder is applied: ordered, cleared or changed carts get nothing.
A reminder overtaken by a later one is dropped; one without a usable channel (no consent, no address)
counts as done so it is not tried again, as does one the messaging policy skips (frequency cap, duplicate);
quiet hours postpone it. The text comes from the portal's `abandoned_cart` and `abandoned_cart_followup`
templates; e-mail is preferred, SMS is the fallback where a gateway is configured.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.inbox.outcomes import DONE, Outcome, retry, skipped, wait
from bitrix_app.messaging import templates
from bitrix_app.messaging.message import ERROR, LATER, SENT
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, Customer
from bitrix_app.crm import fields as crm_fields
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.window import WindowEvent

from . import rules

OWNER_DEAL = 2
TEMPLATES = ("abandoned_cart", "abandoned_cart_followup")  # reminder 1, reminder 2


def check(ctx: SyncContext, ev: WindowEvent, cart: Cart | None, now: datetime) -> Outcome | None:
    n = int(ev.data.get("n") or 0)
    if cart is None:
        return skipped("unknown cart")
    if cart.state == "ordered":
        return skipped("the customer ordered: no reminder after a purchase")
    if cart.state != "abandoned":
        return skipped(f"cart is {cart.state}")
    if ev.data.get("round") != rules.round_of(cart):
        return skipped("superseded: the cart was filled again since")
    if cart.reminders_sent >= n:
        return skipped(f"reminder {n} is already done")
    if not rules.eligible(ctx.settings, utc(cart.version)) or n > len(ctx.settings.reminder_minutes):
        return skipped("reminders are off for this cart")
    due_at = rules.reminder_at(ctx.settings, cart.version, n)
    if now < due_at:
        return wait(due_at, "the cart changed: the reminder moved")
    if not cart.deal_id:
        return retry("the abandoned-cart deal is not known yet")
    return None


def latest_only(events: list[WindowEvent]) -> tuple[list[WindowEvent], dict[int, Outcome]]:
    """Per cart the highest reminder number; lower ones are overtaken (one message, never a burst)."""
    best: dict[tuple[str, str], WindowEvent] = {}
    out: dict[int, Outcome] = {}
    for ev in events:
        key = (ev.shop_id, ev.data["cart_id"])
        current = best.get(key)
        if current is None or int(ev.data.get("n") or 0) > int(current.data.get("n") or 0):
            if current is not None:
                out[current.id] = skipped("overtaken by a later reminder")
            best[key] = ev
        else:
            out[ev.id] = skipped("overtaken by a later reminder")
    return list(best.values()), out


def recipient(cart: Cart, customer: Customer | None) -> messaging.Recipient:
    """The newest knowledge of the customer: a later customer.updated (e.g. consent withdrawn) wins."""
    profile = crm_fields.profile_of(rules.customer_of(rules.cart_data(cart)))
    if customer is not None and customer.version is not None and utc(customer.version) > utc(cart.version):
        profile = {**profile, **(customer.profile or {})}
    return messaging.Recipient(
        contact_id=customer.contact_id if customer is not None else None, name=profile.get("first_name"),
        email=profile.get("email"), phone=profile.get("phone"),
        consent_email=bool(profile.get("consent_email")), consent_sms=bool(profile.get("consent_sms")))


def message_for(ctx: SyncContext, cart: Cart, n: int, to: messaging.Recipient,
                tpl: templates.Template) -> messaging.Message:
    data = rules.cart_data(cart)
    shop = ctx.shop_names.get(cart.shop_id, "our shop")
    context = templates.context_from({"first_name": to.name}, cart=data, shop=shop)
    return templates.message_from(tpl, context, key=rules.message_key(cart, n), source=cart.shop_id, recipient=to,
                                  owner_type_id=OWNER_DEAL, owner_id=cart.deal_id, sender_name=shop)


def _templates(ctx: SyncContext) -> tuple[templates.Template, ...]:
    with transaction(ctx.sessions) as s:
        language = templates.language_of(s, ctx.member_id)
        return tuple(templates.get(s, ctx.member_id, code, language) for code in TEMPLATES)


def send(ctx: SyncContext, jobs: list[tuple[WindowEvent, Cart, Customer | None]]) -> tuple[dict[int, Outcome],
                                                                                          dict[int, int]]:
    """Send the reminders; returns outcomes and {cart row id: reminder number now done}."""
    messages = {}
    tpls = _templates(ctx)
    for ev, cart, customer in jobs:
        n = int(ev.data["n"])
        messages[ev.id] = message_for(ctx, cart, n, recipient(cart, customer), tpls[min(n, len(tpls)) - 1])
    deliveries = messaging.send_many(ctx, list(messages.values()))
    outcomes: dict[int, Outcome] = {}
    done: dict[int, int] = {}
    for ev, cart, _customer in jobs:
        delivery = deliveries[messages[ev.id].key]
        if delivery.status == SENT:
            outcomes[ev.id] = DONE
        elif delivery.status == LATER:
            outcomes[ev.id] = wait(delivery.until, f"reminder postponed: {delivery.detail}")
            continue
        elif delivery.status == ERROR:
            outcomes[ev.id] = retry(f"reminder not sent: {delivery.detail}")
            continue
        else:
            outcomes[ev.id] = skipped(f"reminder not sent: {delivery.detail}")
        done[cart.id] = int(ev.data["n"])
    return outcomes, done


def load_customers(session, carts: list[Cart]) -> dict[int, Customer]:
    ids = {c.customer_id for c in carts if c.customer_id is not None}
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}

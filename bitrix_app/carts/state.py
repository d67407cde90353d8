"""cart.updated / cart.cleared -> the local cart row: newest version wins, state machine, timers.

Only local state changes here, with one exception: an abandoned cart whose items changed gets its deal's
product rows refreshed before the new version is stored (so a failed refresh is retried, not lost).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_

from bitrix_app.inbox.outcomes import DONE, Outcome, retry, skipped
from bitrix_app.orders.schemas import CartSchema
from bitrix_app.rest.batching import MAX_COMMANDS
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, CustomerKey
from bitrix_app.crm import fields as crm_fields
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.window import WindowEvent, newest_per

from . import rules, timers


def newest_per_cart(events: list[WindowEvent]) -> tuple[dict[tuple[str, str], WindowEvent], dict[int, Outcome]]:
    """The newest event of each cart (ties: the later row); the others are superseded."""
    return newest_per(events, "cart_id", "cart")


def apply(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    newest, outcomes = newest_per_cart(events)
    now = ctx.clock.now()
    with transaction(ctx.sessions) as s:
        stored = {(c.shop_id, c.cart_id): c for c in s.scalars(select(Cart).where(
            tuple_(Cart.shop_id, Cart.cart_id).in_(list(newest))))} if newest else {}
    fresh = {}
    for key, ev in newest.items():
        cart = stored.get(key)
        if cart is not None and utc(cart.version) >= ev.version:
            outcomes[ev.id] = skipped(f"stale: version {utc(cart.version).isoformat()} is already applied")
        else:
            fresh[key] = ev
    outcomes.update(_refresh_deals(ctx, {k: ev for k, ev in fresh.items() if _rows_change(stored.get(k), ev)}))
    timers_due: list[tuple[Cart, datetime | None]] = []
    cancels: list[tuple[Cart, datetime]] = []
    with transaction(ctx.sessions) as s:
        owners = _customer_index(s, ctx.member_id, [ev for ev in fresh.values() if ev.type == "cart.updated"])
        for key, ev in fresh.items():
            if ev.id in outcomes:
                continue  # its deal refresh failed: retried as a whole
            cart = s.scalar(select(Cart).where(Cart.shop_id == key[0], Cart.cart_id == key[1]))
            if cart is not None:
                cancels.append((cart, utc(cart.version)))
            if ev.type == "cart.cleared" or not ev.items:
                cart = _cleared(s, ctx, cart, ev, now)
            else:
                cart = _updated(s, ctx, cart, ev, now, owners)
            s.flush()
            timers_due.append((cart, timers.follow_up(s, cart, ctx.settings, now)))
            outcomes[ev.id] = DONE
    for cart, version in cancels:
        timers.cancel(ctx.redis, cart, ctx.settings, version)
    for cart, moment in timers_due:
        timers.schedule(ctx.redis, cart, moment)
    return outcomes


def _customer_index(s, member_id: str, events: list[WindowEvent]) -> dict[str, int]:
    keys = sorted({k for ev in events for k in rules.keys_of_cart(ev.data)})
    if not keys:
        return {}
    return dict(s.execute(select(CustomerKey.key, CustomerKey.customer_id).where(
        CustomerKey.member_id == member_id, CustomerKey.key.in_(keys))).all())


def _data_doc(data: dict) -> dict:
    """The cart as the row keeps it: JSON-safe values (amounts as text, times in ISO form)."""
    return CartSchema().dump(data)


def _new_cart(ctx: SyncContext, ev: WindowEvent, now: datetime) -> Cart:
    return Cart(shop_id=ev.shop_id, member_id=ctx.member_id, cart_id=ev.data["cart_id"], state="open",
                data={}, version=ev.version, first_seen_at=now, todo_done=False, reminders_sent=0)


def _updated(s, ctx: SyncContext, cart: Cart | None, ev: WindowEvent, now: datetime,
             owners: dict[str, int]) -> Cart:
    if cart is None:
        cart = _new_cart(ctx, ev, now)
        s.add(cart)
    elif cart.state == "cleared":  # the same cart id filled again: a new round
        cart.first_seen_at, cart.deal_id, cart.todo_done, cart.reminders_sent = now, None, False, 0
        cart.state = "open"
    keys = rules.keys_of_cart(ev.data)
    cart.data, cart.version = _data_doc(ev.data), ev.version
    cart.customer_id = next((owners[k] for k in keys if k in owners), cart.customer_id)
    if cart.state in ("open", "ignored"):
        cart.state = "open" if keys and rules.eligible(ctx.settings, ev.version) else "ignored"
    return cart  # abandoned stays abandoned (its deal lives on); ordered stays ordered


def _cleared(s, ctx: SyncContext, cart: Cart | None, ev: WindowEvent, now: datetime) -> Cart:
    """Emptied, or turned into an order: no more reminders. A clear seen first still blocks older updates."""
    if cart is None:
        cart = _new_cart(ctx, ev, now)
        s.add(cart)
    cart.version = ev.version
    if cart.state != "ordered":
        cart.state = "cleared"
    return cart


def _rows_change(cart: Cart | None, ev: WindowEvent) -> bool:
    """An abandoned cart's deal shows the cart: new items mean new product rows."""
    if cart is None or cart.state != "abandoned" or cart.deal_id is None or ev.type != "cart.updated":
        return False
    return bool(ev.items) and crm_fields.items_hash(ev.items) != crm_fields.items_hash(
        rules.items_of(rules.cart_data(cart)))


def _refresh_deals(ctx: SyncContext, events: dict[tuple[str, str], WindowEvent]) -> dict[int, Outcome]:
    """Product rows and amount of abandoned-cart deals whose cart changed; failures come back as retries."""
    if not events:
        return {}
    with transaction(ctx.sessions) as s:
        deals = {(shop, cart): deal for shop, cart, deal in s.execute(select(
            Cart.shop_id, Cart.cart_id, Cart.deal_id).where(tuple_(Cart.shop_id, Cart.cart_id).in_(list(events))))}
    commands, labels = {}, {}
    for n, (key, ev) in enumerate(events.items()):
        deal = deals.get(key)
        commands[f"r{n}"] = ("crm.deal.productrows.set",
                             {"id": deal, "rows": crm_fields.product_rows(ev.items)})
        commands[f"u{n}"] = ("crm.deal.update", {"id": deal, "fields": {
            "OPPORTUNITY": str(ev.data["total"]), "CURRENCY_ID": ev.data["currency"]}})
        labels[ev.id] = (f"r{n}", f"u{n}")
    items = list(commands.items())
    groups = [dict(items[i:i + MAX_COMMANDS]) for i in range(0, len(items), MAX_COMMANDS)]
    result = ctx.client.batch_groups(groups, writes=True)
    out = {}
    for event_id, pair in labels.items():
        problems = [_problem(result, label) for label in pair]
        problems = [p for p in problems if p]
        if problems:
            out[event_id] = retry("abandoned-cart deal refresh failed: " + "; ".join(problems))
    return out


def _problem(result, label: str) -> str | None:
    if label in result.failed:
        return f"outcome unknown ({result.failed[label]})"
    if label in result.errors:
        err = result.errors[label]
        return f"{err.get('error')}: {err.get('error_description')}"
    if label not in result.results:
        return "no answer"
    return None

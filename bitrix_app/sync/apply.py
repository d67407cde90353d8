"""Route a window's events to their handlers, in an order that keeps the business rules:
carts first (local state), then orders (which close carts), then customers, then due cart work."""
from __future__ import annotations

from bitrix_app.carts import events as cart_events
from bitrix_app.inbox.outcomes import DONE, Outcome, retry, skipped
from bitrix_app.segments.engine import refresh_quietly
from bitrix_app.segments.writeback import enqueue_write_back
from bitrix_app.store.db import transaction

from . import customers, orders
from .context import SyncContext
from .crm_fields import profile_of
from .window import WindowEvent


def apply_window(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    by_type: dict[str, list[WindowEvent]] = {}
    for ev in events:
        by_type.setdefault(ev.type.split(".")[0] if not ev.type.endswith("_due") else "due", []).append(ev)
    results: dict[int, Outcome] = {}
    if "cart" in by_type:
        results.update(cart_events.apply(ctx, by_type["cart"]))
    if "order" in by_type:
        results.update(orders.apply(ctx, by_type["order"]))
    if "customer" in by_type:
        results.update(apply_customers(ctx, by_type["customer"]))
    if "due" in by_type:
        results.update(cart_events.apply_due(ctx, by_type["due"]))
    return results


def apply_customers(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    """customer.updated: create or update the person's contact (older data never overwrites newer)."""
    people = {}
    for ev in events:
        profile = profile_of(ev.data["customer"])
        people[ev.id] = customers.Person(customers.keys_of(profile), profile, ev.version)
    customers.resolve(ctx, list(people.values()))
    _refresh_segments(ctx, {p.customer_id for p in people.values() if p.customer_id and not p.error})
    out: dict[int, Outcome] = {}
    for event_id, person in people.items():
        if not person.keys:
            out[event_id] = skipped("no phone or e-mail to match a contact by")
        else:
            out[event_id] = retry(person.error) if person.error else DONE
    return out


def _refresh_segments(ctx: SyncContext, customer_ids: set[int]) -> None:
    """A new birthday or gender moves birthday and demographic segments at once."""
    if customer_ids:
        with transaction(ctx.factory) as s:
            refresh_quietly(s, ctx.member_id, sorted(customer_ids), ctx.clock.now())
        enqueue_write_back(ctx.member_id, connection=ctx.redis)

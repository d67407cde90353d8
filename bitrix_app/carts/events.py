"""The drain's entry points for carts: shop cart events (`apply`) and the carts' own due steps (`apply_due`).

Both return {inbox row id: Outcome}. Due steps re-read the cart first: an order applied earlier in the
same window (orders run between the two) has already closed it, and then nothing is done.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_

from bitrix_app.inbox.outcomes import Outcome, skipped
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Cart
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.window import WindowEvent

from . import abandon, ordered, remind, rules, state, timers


def apply(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    """cart.updated / cart.cleared."""
    known = [e for e in events if e.type in ("cart.updated", "cart.cleared")]
    out = {e.id: skipped(f"unknown cart event {e.type}") for e in events
           if e.type not in ("cart.updated", "cart.cleared")}
    if known:
        out.update(state.apply(ctx, known))
    return out


def apply_due(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    """cart.abandon_due first (a reminder needs its deal), then cart.reminder_due."""
    out = {e.id: skipped(f"unknown cart step {e.type}") for e in events if e.type not in (rules.ABANDON, rules.REMIND)}
    abandons = [e for e in events if e.type == rules.ABANDON]
    if abandons:
        out.update(_abandon(ctx, abandons))
    reminders = [e for e in events if e.type == rules.REMIND]
    if reminders:
        out.update(_remind(ctx, reminders))
    return out


def _carts(ctx: SyncContext, events: list[WindowEvent]) -> dict[tuple[str, str], Cart]:
    keys = list({(e.shop_id, e.data["cart_id"]) for e in events})
    with transaction(ctx.sessions) as s:
        return {(c.shop_id, c.cart_id): c for c in s.scalars(select(Cart).where(
            Cart.member_id == ctx.member_id, tuple_(Cart.shop_id, Cart.cart_id).in_(keys)))}


def _abandon(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    now = ctx.clock.now()
    carts = _carts(ctx, events)
    closed = _close_ordered(ctx, [c for c in carts.values() if c.state == "open"])
    out: dict[int, Outcome] = {}
    jobs: list[abandon.AbandonJob] = []
    ignore: dict[int, str] = {}
    taken: set[int] = set()
    for ev in events:
        cart = carts.get((ev.shop_id, ev.data["cart_id"]))
        verdict = abandon.check(ctx, ev, cart, now)
        if cart is not None and cart.id in closed:
            out[ev.id] = skipped(f"the customer ordered (order {closed[cart.id]})")
        elif isinstance(verdict, Outcome):
            out[ev.id] = verdict
        elif verdict is not None:
            ignore[cart.id] = verdict
            out[ev.id] = skipped(verdict)
        elif cart.id in taken:
            out[ev.id] = skipped("duplicate of another step of the same cart")
        else:
            taken.add(cart.id)
            jobs.append(abandon.job_for(ev, cart))
    if jobs:
        out.update(abandon.run(ctx, jobs))
    _persist_abandon(ctx, jobs, ignore, now)
    return out


def _close_ordered(ctx: SyncContext, carts: list[Cart]) -> dict[int, str]:
    """Open carts that an order already closed are marked ordered; every cart learns its local customer."""
    if not carts:
        return {}
    with transaction(ctx.sessions) as s:
        closing, owners = ordered.closing_orders(s, ctx.member_id, carts)
        for cart in carts:
            row = s.get(Cart, cart.id)
            if row is None or row.state != "open":
                continue
            if row.customer_id is None and cart.id in owners:
                row.customer_id = owners[cart.id]
            if cart.id in closing:
                row.state, row.order_id = "ordered", closing[cart.id]
    return closing


def _persist_abandon(ctx: SyncContext, jobs: list[abandon.AbandonJob], ignore: dict[int, str],
                     now: datetime) -> None:
    timers_due = []
    with transaction(ctx.sessions) as s:
        for cart_id in ignore:
            cart = s.get(Cart, cart_id)
            if cart is not None and cart.state == "open":
                cart.state = "ignored"
        for job in jobs:
            cart = s.get(Cart, job.cart.id)
            if cart is None:
                continue
            if job.person.customer_id is not None:
                cart.customer_id = job.person.customer_id
            if not job.deal_id:
                continue
            cart.deal_id = job.deal_id
            cart.todo_done = job.complete
            if cart.state == "open":
                cart.state = "abandoned"
            s.flush()
            timers_due.append((cart, timers.follow_up(s, cart, ctx.settings, now)))
    for cart, moment in timers_due:
        timers.schedule(ctx.redis, cart, moment)


def _remind(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    now = ctx.clock.now()
    events, out = remind.latest_only(events)
    carts = _carts(ctx, events)
    jobs = []
    with transaction(ctx.sessions) as s:
        customers = remind.load_customers(s, list(carts.values()))
    for ev in events:
        cart = carts.get((ev.shop_id, ev.data["cart_id"]))
        verdict = remind.check(ctx, ev, cart, now)
        if verdict is not None:
            out[ev.id] = verdict
        else:
            jobs.append((ev, cart, customers.get(cart.customer_id)))
    if not jobs:
        return out
    outcomes, done = remind.send(ctx, jobs)
    out.update(outcomes)
    timers_due = []
    with transaction(ctx.sessions) as s:
        for cart_row_id, n in done.items():
            cart = s.get(Cart, cart_row_id)
            if cart is None:
                continue
            cart.reminders_sent = max(cart.reminders_sent, n)
            s.flush()
            timers_due.append((cart, timers.follow_up(s, cart, ctx.settings, now)))
    for cart, moment in timers_due:
        timers.schedule(ctx.redis, cart, moment)
    return out

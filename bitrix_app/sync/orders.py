"""Orders of a drain window -> deals: newest version wins, one deal per order, many orders per batch."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, tuple_

from bitrix_app.crm import customers, lookup
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.fields import profile_of
from bitrix_app.crm.hooks import order_hooks
from bitrix_app.crm.window import WindowEvent, newest_per
from bitrix_app.inbox.outcomes import Outcome, budget_wait, retry, skipped
from bitrix_app.promo import codes as promo_codes
from bitrix_app.rest.batching import pack
from bitrix_app.segments import enqueue_write_back, record_lines
from bitrix_app.segments import refresh_quietly as refresh_segments
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import OrderRecord

from . import deals

NEVER_APPLIED = datetime(1970, 1, 1, tzinfo=timezone.utc)


def apply(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    newest, outcomes = newest_per(events, "order_id", "order")
    records = _records(ctx, list(newest))
    jobs: list[deals.OrderJob] = []
    for key, ev in newest.items():
        rec = records.get(key)
        if rec is not None and utc(rec.version) >= ev.version:
            outcomes[ev.id] = skipped(f"stale: version {utc(rec.version).isoformat()} is already applied")
            continue
        profile = profile_of(ev.customer)
        job = deals.OrderJob(ev, customers.Person(customers.keys_of(profile), profile, ev.version))
        if rec is not None:
            job.deal_id, job.synced = rec.deal_id, dict(rec.synced or {})
        jobs.append(job)
    if not jobs:
        return outcomes
    if not ctx.category_id:
        return {**outcomes, **{j.ev.id: retry("the portal's shop pipeline is not set up yet") for j in jobs}}
    customers.resolve(ctx, [j.person for j in jobs])
    ready = [j for j in jobs if not j.person.error]
    for job in jobs:
        if job.person.error:
            outcomes[job.ev.id] = _person_outcome(job.person, ctx.clock.now())
    _lookup_deals(ctx, [j for j in ready if j.deal_id is None])
    ready = [j for j in ready if not j.error]
    hooks = order_hooks()
    for hook in hooks:
        hook.find_takeovers(ctx, [j for j in ready if j.deal_id is None])
    for n, job in enumerate(ready):
        deals.build(ctx, job, n)
    _send(ctx, [j for j in ready if j.commands])
    for job in ready:
        if not job.commands:
            deals.absorb(job, None)
    _persist(ctx, jobs, hooks)
    for job in jobs:
        if job.ev.id not in outcomes:
            outcomes[job.ev.id] = deals.outcome(job, ctx.clock.now())
    return outcomes


def _person_outcome(person: customers.Person, now: datetime) -> Outcome:
    """The customer's contact could not be written: a wait when only its method's budget stood in the way."""
    if person.held_until is not None:
        return budget_wait(person.held_until, now, person.error or "waiting for the budget")
    return retry(person.error or "contact not resolved")


def _records(ctx: SyncContext, keys: list[tuple[str, str]]) -> dict[tuple[str, str], OrderRecord]:
    found = {}
    with transaction(ctx.sessions) as s:
        for n in range(0, len(keys), 500):
            part = keys[n:n + 500]
            for rec in s.scalars(select(OrderRecord).where(tuple_(OrderRecord.shop_id, OrderRecord.order_id).in_(part))):
                found[(rec.shop_id, rec.order_id)] = rec
    return found


def _lookup_deals(ctx: SyncContext, jobs: list[deals.OrderJob]) -> None:
    """Deals we may have created before without hearing back: found by ORIGINATOR_ID + ORIGIN_ID."""
    found, failed = lookup.deals_by_origin(ctx.client, [job.key for job in jobs])
    for job in jobs:
        job.error = failed.get(job.key)
        job.deal_id = found.get(job.key)


def _send(ctx: SyncContext, jobs: list[deals.OrderJob]) -> None:
    """Pack whole orders into batch requests of at most 50 commands ($result references stay inside one)."""
    groups = pack([job.commands for job in jobs])
    if not groups:
        return
    result = ctx.client.batch_groups(groups, writes=True)
    for job in jobs:
        deals.absorb(job, result)


def _persist(ctx: SyncContext, jobs: list[deals.OrderJob], hooks) -> None:
    with transaction(ctx.sessions) as s:
        touched: set[int] = set()  # customers whose segment figures change with these orders
        for job in jobs:
            for hook in hooks:
                hook.mark_ordered(s, ctx, job)
            if job.person.error:
                continue
            order = job.order
            rec = s.scalar(select(OrderRecord).where(OrderRecord.shop_id == job.ev.shop_id,
                                                     OrderRecord.order_id == order["order_id"]))
            if rec is None:
                rec = OrderRecord(shop_id=job.ev.shop_id, member_id=ctx.member_id, order_id=order["order_id"],
                                  version=NEVER_APPLIED)
                s.add(rec)
            rec.number, rec.status, rec.total = order.get("number"), order["status"], str(order["total"])
            touched |= {rec.customer_id, job.person.customer_id} - {None}
            rec.currency, rec.cart_id, rec.customer_id = order["currency"], order.get("cart_id"), job.person.customer_id
            rec.items = [item.stored() for item in job.ev.items]
            rec.ordered_at = order["created_at"]
            rec.utm_source = ((order.get("utm") or {}).get("source") or None)
            rec.deal_id = job.deal_id or rec.deal_id
            s.flush()
            record_lines(s, rec, job.ev.items)
            promo_codes.mark_used(s, ctx.member_id, job.ev.shop_id, order, ctx.clock.now())
            rec.synced = deals.synced_doc(job)
            if job.complete:
                rec.version = job.ev.version
        refresh_segments(s, ctx.member_id, sorted(touched), ctx.clock.now())
    if touched:
        enqueue_write_back(ctx.member_id, connection=ctx.redis)  # their new figures go to their contacts

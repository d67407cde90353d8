"""customer.updated: create or update the person's contact (older data never overwrites newer)."""
from __future__ import annotations

from bitrix_app.crm import customers
from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.fields import profile_of
from bitrix_app.crm.window import WindowEvent
from bitrix_app.inbox.outcomes import DONE, Outcome, retry, skipped
from bitrix_app.segments import enqueue_write_back, refresh_quietly
from bitrix_app.store.db import transaction


def apply(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    """The drain's handler of customer events (see the event-type registry)."""
    people = {}
    for ev in events:
        profile = profile_of(ev.customer)
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
        with transaction(ctx.sessions) as s:
            refresh_quietly(s, ctx.member_id, sorted(customer_ids), ctx.clock.now())
        enqueue_write_back(ctx.member_id, connection=ctx.redis)

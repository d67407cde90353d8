"""Route a window's events to their handlers by phase, as the event-type registry declares them: carts first
(local state), then orders (which close carts), then customers, then due cart work."""
from __future__ import annotations

from bitrix_app.crm.context import SyncContext
from bitrix_app.crm.window import WindowEvent
from bitrix_app.inbox.outcomes import Outcome, skipped
from bitrix_app.jobs.registry import resolve
from bitrix_app.orders.event_types import BY_NAME, PHASES, Phase


def apply_window(ctx: SyncContext, events: list[WindowEvent]) -> dict[int, Outcome]:
    batches: dict[Phase, tuple[str, list[WindowEvent]]] = {}  # one handler per phase
    results: dict[int, Outcome] = {}
    for ev in events:
        entry = BY_NAME.get(ev.type)
        if entry is None:
            results[ev.id] = skipped(f"unknown event type {ev.type}")
            continue
        batches.setdefault(entry.phase, (entry.handler, []))[1].append(ev)
    for phase in PHASES:
        if phase in batches:
            handler, batch = batches[phase]
            results.update(resolve(handler)(ctx, batch))
    return results

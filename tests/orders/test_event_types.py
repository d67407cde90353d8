"""The event-type registry: every entry resolves, and the drain applies a window by its phases."""
from __future__ import annotations

import pytest

from bitrix_app.carts import rules
from bitrix_app.crm.window import WindowEvent
from bitrix_app.inbox.accept import subject_of
from bitrix_app.orders import event_types
from bitrix_app.crm.hooks import OrderHook
from bitrix_app.jobs.registry import resolve
from bitrix_app.orders.event_types import EVENT_TYPES, ORDER_HOOKS, PHASES
from bitrix_app.orders.schemas import DATA_SCHEMAS, ShopEventSchema, schema_instance
from bitrix_app.sync import apply as sync_apply

CUSTOMER = {"phone": "+7 999 123-45-67", "email": "Ann@Example.com", "first_name": "Ann"}
ITEMS = [{"sku": "A", "name": "Tea", "price": "50.00", "quantity": "2"}]
STAMP = "2026-01-15T10:00:00Z"
SAMPLES = {
    "order": {"order_id": "o-1", "status": "new", "customer": CUSTOMER, "items": ITEMS, "total": "100.00",
              "currency": "RUB", "created_at": STAMP, "updated_at": STAMP},
    "cart.updated": {"cart_id": "c-1", "customer": CUSTOMER, "items": ITEMS, "total": "100.00",
                     "currency": "RUB", "updated_at": STAMP},
    "cart.cleared": {"cart_id": "c-1", "updated_at": STAMP},
    "customer.updated": {"customer": CUSTOMER, "updated_at": STAMP},
    "shop.test": {"test_id": "t-1", "updated_at": STAMP},
}
SUBJECTS = {"order": "order:o-1", "cart.updated": "cart:c-1", "cart.cleared": "cart:c-1",
            "customer.updated": "customer:+79991234567", "shop.test": "test:t-1"}


def sample_key(name: str) -> str:
    return "order" if name.startswith("order.") else name


@pytest.mark.parametrize("entry", EVENT_TYPES, ids=lambda e: e.name)
def test_every_entry_resolves(entry):
    assert entry.phase in PHASES
    assert callable(resolve(entry.handler))
    if entry.internal:
        assert entry.subject is None and entry.name not in DATA_SCHEMAS
        return
    assert DATA_SCHEMAS[entry.name] is entry.schema
    event = schema_instance(ShopEventSchema).load(
        {"event_id": "e-1", "type": entry.name, "occurred_at": STAMP, "data": SAMPLES[sample_key(entry.name)]})
    assert subject_of(event) == SUBJECTS[sample_key(entry.name)]


def test_the_shop_schemas_and_the_internal_steps_are_all_registered():
    assert set(DATA_SCHEMAS) == {"order.created", "order.updated", "cart.updated", "cart.cleared",
                                 "customer.updated", "shop.test"}
    assert {rules.ABANDON, rules.REMIND} == {e.name for e in EVENT_TYPES if e.internal}


def test_each_phase_has_one_handler():  # what the drain relies on: it batches a window by phase
    for phase in PHASES:
        assert len({e.handler for e in EVENT_TYPES if e.phase is phase}) == 1, phase


def test_every_order_hook_provides_both_steps():
    for path in ORDER_HOOKS:
        hook = resolve(path)
        assert isinstance(hook, OrderHook)
        assert callable(hook.find_takeovers) and callable(hook.mark_ordered)


def test_a_window_is_applied_phase_by_phase_whatever_the_arrival_order(monkeypatch):
    calls = []

    def handler_for(path):
        def handle(ctx, events):
            calls.append((path, [e.id for e in events]))
            return {e.id: path for e in events}
        return handle

    monkeypatch.setattr(sync_apply, "resolve", handler_for)
    kinds = ["cart.reminder_due", "customer.updated", "order.updated", "cart.abandon_due", "cart.updated",
             "order.created", "cart.cleared", "shop.unknown"]
    events = [WindowEvent(n, "shop-1", kind, {}, 0) for n, kind in enumerate(kinds)]
    results = sync_apply.apply_window(None, events)
    by_name = event_types.BY_NAME
    assert calls == [(by_name["cart.updated"].handler, [4, 6]), (by_name["order.created"].handler, [2, 5]),
                     (by_name["customer.updated"].handler, [1]), (by_name["cart.abandon_due"].handler, [0, 3])]
    assert results[7].kind == "skipped" and "unknown event type" in results[7].error

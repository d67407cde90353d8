"""The order sync's planning (`sync.orders.apply`) against a scripted portal: one deal per order, newest
version wins, updates send only what changed, deals created earlier without an answer are found again."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bitrix_app.crm.window import load
from bitrix_app.inbox.outcomes import DONE
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import OrderRecord
from bitrix_app.sync import orders

from .conftest import SHOP


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    queued = []
    monkeypatch.setattr(orders, "enqueue_write_back", lambda member_id, connection=None: queued.append(member_id))
    return queued


@pytest.fixture
def portal(client):
    client.on("crm.duplicate.findbycomm", lambda p: [])
    client.on("crm.deal.list", lambda p: [])
    return client


def event(row_id, status="new", updated="2026-01-15T10:00:00Z", total="100.00"):
    raw = {"event_id": f"e{row_id}", "type": "order.updated", "occurred_at": updated, "data": {
        "order_id": "o-1", "number": "1001", "status": status, "total": total, "currency": "RUB",
        "customer": {"phone": "+7 999 123-45-67", "first_name": "Ann"},
        "items": [{"sku": "A", "name": "Tea", "price": "50.00", "quantity": "2"}],
        "created_at": "2026-01-15T09:00:00Z", "updated_at": updated}}
    return load(row_id, SHOP, "order.updated", json.dumps(raw), 0)


def stored(factory) -> OrderRecord:
    with transaction(factory) as s:
        return s.scalar(select(OrderRecord).where(OrderRecord.order_id == "o-1"))


def test_a_new_order_becomes_one_deal_and_is_stored(ctx, portal, factory, no_queue):
    assert orders.apply(ctx, [event(1)]) == {1: DONE}
    assert portal.methods() == ["crm.duplicate.findbycomm", "crm.contact.add", "crm.deal.list",
                                "crm.deal.add", "crm.deal.productrows.set"]
    rec = stored(factory)
    assert rec.deal_id == portal.next_id and rec.status == "new" and rec.customer_id is not None
    assert no_queue == [ctx.member_id]  # the customer's segment figures go to the contact


def test_the_newest_version_wins_within_a_window(ctx, portal, factory):
    out = orders.apply(ctx, [event(1, "paid", "2026-01-15T11:00:00Z"), event(2, "new")])
    assert out[1] == DONE and out[2].kind == "skipped"
    assert stored(factory).status == "paid"


def test_a_later_version_updates_only_what_changed(ctx, portal, factory):
    orders.apply(ctx, [event(1)])
    portal.sent.clear()
    assert orders.apply(ctx, [event(2, "shipped", "2026-01-15T12:00:00Z")]) == {2: DONE}
    sent = {method: params for _, method, params in portal.sent}
    assert set(sent) == {"crm.deal.update", "crm.timeline.comment.add"}  # known contact, known deal
    assert sent["crm.deal.update"]["fields"] == {"STAGE_ID": "C3:SHIPPED", "UF_CRM_SHOP_ORDER_STATUS": "shipped"}


def test_an_old_version_is_stale(ctx, portal):
    orders.apply(ctx, [event(1, updated="2026-01-15T12:00:00Z")])
    out = orders.apply(ctx, [event(2, "paid", "2026-01-15T11:00:00Z")])
    assert out[2].kind == "skipped" and "stale" in out[2].error


def test_a_deal_created_before_without_an_answer_is_found_and_updated(ctx, portal, factory):
    portal.on("crm.deal.list", lambda p: [{"ID": "777", "ORIGIN_ID": "o-1"}])
    assert orders.apply(ctx, [event(1)]) == {1: DONE}
    assert "crm.deal.add" not in portal.methods()
    assert stored(factory).deal_id == 777


def test_without_the_shop_pipeline_the_order_waits(ctx, portal):
    ctx.category_id = None
    out = orders.apply(ctx, [event(1)])
    assert out[1].kind == "retry" and portal.sent == []

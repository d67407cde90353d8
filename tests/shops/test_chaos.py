"""Chaos: 1,000 orders through a failing portal and a killed worker end as exactly 1,000 right deals."""
from __future__ import annotations

import multiprocessing
import random
from collections import Counter
from datetime import timedelta

import pytest

from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.inbox.admin import counts
from bitrix_app.shops.settings import DEFAULT_STAGE_MAP
from tests.fixtures.shop_env import T0, connect_shop, order_event
from tests.fixtures.killed_worker import die_after_second_write

pytestmark = pytest.mark.long  # handed out first in a parallel run

ORDERS = 1000
STATUSES = ("new", "paid", "shipped", "delivered", "completed", "cancelled")


def _orders(rng: random.Random) -> list[dict]:
    events = []
    for n in range(ORDERS):
        customer = rng.randrange(700)  # some customers order more than once
        items = [{"sku": f"SKU-{rng.randrange(50)}", "name": f"Item {k}", "price": f"{rng.randrange(1, 500)}.00",
                  "quantity": rng.randrange(1, 4)} for k in range(rng.randrange(1, 6))]
        status = rng.choice(STATUSES)
        events.append(order_event(f"O{n}", status="new", phone=f"+7 900 {customer:07d}",
                                  email=f"c{customer}@example.com", items=items))
        if status != "new":
            events.append(order_event(f"O{n}", kind="order.updated", status=status, items=items,
                                      phone=f"+7 900 {customer:07d}", email=f"c{customer}@example.com",
                                      version=T0 + timedelta(hours=1)))
    return events


def test_a_thousand_orders_survive_faults_and_a_killed_worker(portal_env, monkeypatch):
    # fast-bitrix24 backs off 0.5 s x 1.5^n between its own retries; the faults here are dense on purpose
    monkeypatch.setattr("fast_bitrix24.srh.INITIAL_TIMEOUT", 0.02)
    clock = FrozenClock(T0 + timedelta(days=1))
    shop = connect_shop(portal_env(plan="enterprise", CLOCK=clock, B24_DEFAULT_PLAN="enterprise"))
    env, app = shop.env, shop.env.app
    rng = random.Random(7)
    events = _orders(rng)
    for n in range(0, len(events), 500):
        assert shop.post({"events": events[n:n + 500]}).status_code == 202
    env.control("faults", {"p_500": 0.08, "p_503": 0.04, "p_timeout": 0.08, "timeout_seconds": 0.02,
                           "seed": 11, "expire_tokens": True})

    worker = multiprocessing.get_context("fork").Process(target=die_after_second_write, args=(app, shop.member_id))
    worker.start()
    worker.join()
    assert worker.exitcode == 137  # died mid-drain, holding the portal's lease

    for round_ in range(30):
        if round_ == 3:
            env.control("faults", {})  # the portal recovers
        clock.advance(hours=3)  # past the dead worker's lease and every backoff
        with shop.session() as s:
            dispatch.sweep(s, env.redis, clock.now())
        env.work()
        with shop.session() as s:
            if counts(s, shop.member_id)["pending"] == 0:
                break
    env.control("faults", {})
    with shop.session() as s:
        final = counts(s, shop.member_id)
    assert final["pending"] == 0 and final["failed"] == 0  # nothing lost, nothing parked

    portal = env.sandbox.portal
    deals = [d for d in portal.table("crm_deal").values() if int(d["CATEGORY_ID"]) == shop.category_id]
    origins = Counter(d["ORIGIN_ID"] for d in deals)
    assert len(deals) == ORDERS and len(origins) == ORDERS  # exactly one deal per order
    final_status = {}
    items = {}
    for event in events:
        final_status[event["data"]["order_id"]] = event["data"]["status"]
        items[event["data"]["order_id"]] = len(event["data"]["items"])
    rows = Counter(r["OWNER_ID"] for r in portal.table("crm_productrow").values() if r["OWNER_TYPE"] == "D")
    for deal in deals:
        order_id = deal["ORIGIN_ID"]
        assert deal["STAGE_ID"] == shop.stage(DEFAULT_STAGE_MAP[final_status[order_id]])
        assert rows[int(deal["ID"])] == items[order_id]
    phones = {e["data"]["customer"]["email"] for e in events}
    contacts = portal.table("crm_contact")
    assert len(contacts) == len(phones)  # one person, one contact

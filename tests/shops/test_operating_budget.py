"""Orders a spent method budget holds back wait for it: no attempt is counted, so a long backlog under the
portal's operating-time limit is delayed, never backed off for hours nor dead-lettered."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.inbox import dispatch
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import T0, connect_shop, order_event

ORDERS = 5


def _inbox(shop) -> list[InboxEvent]:
    with shop.session() as s:
        rows = list(s.scalars(select(InboxEvent).where(InboxEvent.shop_id == shop.shop_id).order_by(InboxEvent.id)))
        s.expunge_all()
    return rows


def test_orders_held_back_by_a_spent_operating_budget_wait_for_it_without_counting_attempts(portal_env):
    clock = FrozenClock(T0 + timedelta(days=1))
    shop = connect_shop(portal_env(CLOCK=clock))
    env = shop.env
    # two product-row writes spend the method's budget for the portal's window
    env.control("limits", {"operating_limit": 2.0, "method_costs": {"crm.deal.productrows.set": 1.0}})
    for n in range(ORDERS):
        assert shop.post(order_event(f"o{n}", phone=f"+7 999 000-00-{n:02d}", email=f"b{n}@example.com")).ok
    shop.work()

    deals = shop.deals()
    assert len(deals) == ORDERS  # every deal was added; only its rows are waiting
    with_rows = [d for d in deals if shop.rows(d["ID"])]
    assert 0 < len(with_rows) < ORDERS
    waiting = [row for row in _inbox(shop) if row.status == "pending"]
    assert len(waiting) == ORDERS - len(with_rows)
    for row in waiting:
        assert row.attempts == 0 and "time budget" in row.last_error
        assert row.next_attempt_at.replace(tzinfo=None) > clock.now().replace(tzinfo=None)

    # the window frees the budget; the waiting orders get their rows, and nothing is written twice
    env.control("limits", {"reset": True, "operating_limit": 480.0})
    env.redis.delete(f"bitrix_app:gov:{shop.member_id}:operating")
    clock.advance(minutes=11)
    dispatch.kick(env.redis, shop.member_id)
    shop.work()

    assert [row.status for row in _inbox(shop)] == ["done"] * ORDERS
    assert all(row.attempts == 0 for row in _inbox(shop))
    deals = shop.deals()
    assert len(deals) == ORDERS and all(len(shop.rows(d["ID"])) == 2 for d in deals)

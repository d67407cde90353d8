"""The portal a test module shares is put back before each test: what one test changed in the app's tables,
Redis, the sandbox portal and the frozen clock is gone for the next, and tests that build their own start
empty."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bitrix_app.store.shop_models import OrderRecord
from tests.fixtures.shop_env import T0, connect_shop, order_event
from tests.placement.placement_env import NOW


def _portal(portal_env):
    from bitrix_app.clock import FrozenClock

    clock = FrozenClock(NOW)
    shop = connect_shop(portal_env(CLOCK=clock))
    assert shop.post(order_event("A1")).status_code == 202
    shop.work()
    return shop, clock


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_portal)


def _orders(shop) -> int:
    with shop.session() as s:
        return s.scalar(select(func.count()).select_from(OrderRecord))


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_starts_from_the_built_portal(shop, round_):
    shop, clock = shop
    assert _orders(shop) == 1 and len(shop.deals()) == 1 and clock.now() == NOW
    assert shop.env.redis.get("left-by-the-last-test") is None
    shop.post(order_event("B1", version=T0 + timedelta(hours=1)))
    shop.work()
    clock.advance(days=3)
    shop.env.redis.set("left-by-the-last-test", "1")
    assert _orders(shop) == 2 and len(shop.deals()) == 2


def test_a_test_with_its_own_app_starts_empty(app, redis_conn):
    sessions = app.extensions["bitrix_app"]["sessions"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(OrderRecord)) == 0
    assert redis_conn.dbsize() == 0

"""Through the shop API: every synced order, and a customer update, refreshes the customer's segments."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.store.segment_models import CustomerFigures, SegmentTransition
from tests.fixtures.shop_env import T0, connect_shop, iso, order_event


def _portal(portal_env):
    return connect_shop(portal_env(CLOCK=FrozenClock(T0 + timedelta(hours=1))))


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_portal)


def _figures(shop):
    with shop.session() as s:
        return [dict(r) for r in s.execute(select(CustomerFigures.__table__).where(
            CustomerFigures.member_id == shop.member_id)).mappings()]


def test_synced_orders_and_customer_updates_refresh_the_segments(shop):
    shop.post({"events": [order_event("S1", status="paid", created_at=iso(T0 - timedelta(days=100))),
                          order_event("S2", status="completed")]})
    shop.work()
    [row] = _figures(shop)
    assert (row["orders"], row["lifecycle"], row["channel"], row["revenue"]) == (2, "PROMISING_ACTIVE", "newsletter",
                                                                                   1102.0)
    assert "|PROMISING_ACTIVE|" in row["segments"]

    shop.post(order_event("S2", kind="order.updated", status="cancelled", version=T0 + timedelta(minutes=5)))
    shop.work()
    [row] = _figures(shop)
    assert (row["orders"], row["lifecycle"], row["days_since"]) == (1, "NEW_SLEEPING", 100)

    update = {"event_id": "customer.updated:bday", "type": "customer.updated", "occurred_at": iso(T0),
              "data": {"updated_at": iso(T0 + timedelta(minutes=30)), "customer": {
                  "email": "ann@example.com", "phone": "+7 999 123-45-67", "first_name": "Ann", "last_name": "Lee",
                  "birthday": "1990-11-04", "gender": "female"}}}
    assert shop.post(update).status_code == 202
    shop.work()
    [row] = _figures(shop)
    assert (row["birth_month"], row["birth_day"], row["gender"]) == (11, 4, "female")
    assert {"BIRTHDAY_MONTH", "BIRTHDAY_NEXT_7", "GENDER_FEMALE"} <= set(row["segments"].split("|"))
    with shop.session() as s:  # no full rebuild yet: the portal's baseline is still to come, so no transitions
        assert s.scalar(select(SegmentTransition.id).limit(1)) is None


def test_a_failing_segment_refresh_never_loses_the_order(shop, monkeypatch):
    from bitrix_app.segments.engine import core as engine
    from bitrix_app.store.shop_models import OrderRecord

    def broken(*_args, **_kwargs):
        raise RuntimeError("segment bug")

    monkeypatch.setattr(engine, "refresh_customers", broken)
    shop.post(order_event("F1", status="paid"))
    shop.work()
    with shop.session() as s:
        assert s.scalar(select(OrderRecord.order_id).where(OrderRecord.member_id == shop.member_id)) == "F1"
    assert _figures(shop) == [] and len(shop.deals()) == 1

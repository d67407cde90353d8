"""Through the order sync: a stored definition that fails does not stop the customer's other memberships."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.scope import portal_scope
from bitrix_app.segments.kinds import definitions
from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import InboxEvent, OrderRecord
from tests.fixtures.segment_portal import definition_views, force_definition
from tests.fixtures.shop_env import T0, connect_shop, iso, order_event

NOW = T0 + timedelta(hours=1)


@pytest.fixture
def shop(portal_env):
    return connect_shop(portal_env(CLOCK=FrozenClock(NOW)))


def _row(shop) -> dict:
    with shop.session() as s:
        [row] = s.execute(select(CustomerFigures.__table__).where(
            CustomerFigures.member_id == shop.member_id)).mappings().all()
        return dict(row)


def test_the_order_sync_isolates_a_failing_definition_and_updates_the_rest(shop):
    shop.post(order_event("S1", status="paid", created_at=iso(T0 - timedelta(days=100))))
    shop.work()
    assert _row(shop)["orders"] == 1
    with shop.session() as s:
        definitions.create(s, shop.member_id, {"code": "TWO_ORDERS", "kind": "custom", "name_en": "Two orders",
                                               "name_ru": "Два заказа",
                                               "params": {"field": "orders", "op": ">=", "value": 2}}, NOW)
    force_definition(shop, "POISONED", {"field": "orders", "op": ">", "value": 10**30}, NOW)

    shop.post(order_event("S2", status="completed"))
    shop.work()
    row = _row(shop)
    assert row["orders"] == 2 and row["lifecycle"] == "PROMISING_ACTIVE"
    assert {"TWO_ORDERS", "PROMISING_ACTIVE"} <= set(row["segments"].split("|"))
    assert "POISONED" not in row["segments"]
    views = definition_views(shop)
    assert views["POISONED"]["status"] == "failed" and views["POISONED"]["error"]["reason"] == "invalid_rule"
    assert views["TWO_ORDERS"]["status"] == "active"
    with shop.session() as s:
        assert set(s.scalars(select(OrderRecord.order_id).where(OrderRecord.member_id == shop.member_id))) == {
            "S1", "S2"}
        assert s.scalar(select(InboxEvent.id).where(InboxEvent.status == "failed")) is None

    shop.post(order_event("S2", kind="order.updated", status="cancelled", version=T0 + timedelta(minutes=5)))
    shop.work()  # the failed definition is left alone: the refresh runs at once
    row = _row(shop)
    assert row["orders"] == 1 and "TWO_ORDERS" not in row["segments"]


def test_the_segment_list_shows_each_stored_segment_and_a_failed_ones_error(portal_env):
    """What the admin workspace lists: every stored segment's state, and for a failed one its error in words
    (both languages) and since when; never a traceback."""
    from bitrix_app.segments.engine import core as engine
    from tests.fixtures.shell_page import token_of
    from tests.placement.placement_env import placement_env

    pe = placement_env(portal_env)
    pe.sync_order("A1", T0 - timedelta(days=10), status="paid")
    with pe.session() as s:
        definitions.create(s, pe.member_id, {"code": "BIG_SPENDERS", "kind": "custom", "name_en": "Big spenders",
                                             "name_ru": "Крупные покупатели",
                                             "params": {"field": "revenue", "op": ">", "value": 500}}, NOW)
        definitions.create(s, pe.member_id, {"code": "QUIET", "kind": "lapsed", "name_en": "Quiet",
                                             "name_ru": "Тихие", "params": {"days": 45}, "enabled": False}, NOW)
    force_definition(pe, "POISONED", {"field": "age", "op": "<", "value": float("inf")}, NOW)
    with pe.env.app.app_context():
        assert engine.rebuild(portal_scope(pe.member_id), pe.clock.now())["failed_definitions"] == ["POISONED"]

    admin = token_of(pe.open("DEFAULT")["body"])
    res = pe.api("GET", "/segments", admin)
    assert res.status_code == 200, res.text
    listed = {row["code"]: row for row in res.json()["segments"]}
    assert listed["BIG_SPENDERS"]["status"] == "active" and listed["BIG_SPENDERS"]["name_en"] == "Big spenders"
    assert listed["QUIET"]["enabled"] is False
    failed = listed["POISONED"]
    assert failed["status"] == "failed" and "Traceback" not in str(failed)
    error = failed["error"]
    assert "The rule no longer passes the checks (value: age is compared with numbers from 0 to 150)" in (
        error["message_en"] + " " + error.get("detail", ""))
    assert "Правило больше не проходит проверку" in error["message_ru"]
    assert error["failed_at"].startswith(f"{pe.clock.now():%Y-%m-%dT%H:%M}")

"""Events that pass the old validation but poison the portal: unknown currencies, vanishing quantities, control
characters; the portal's own currency list; a currency refusal in the drain."""
from __future__ import annotations

from datetime import timedelta

import jsonschema_rs
import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from bitrix_app.orders.openapi import openapi_spec
from bitrix_app.orders.schemas import load_events
from bitrix_app.portals import for_ingest, known_currencies, refresh_currencies
from bitrix_app.scope import app_services
from bitrix_app.shops.cache import GENERATION_KEY, changed
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import connect_shop, order_event


def _shop(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_shop)


def _inbox(shop) -> list[InboxEvent]:
    with shop.session() as s:
        return list(s.scalars(select(InboxEvent)))


def test_unknown_currency_is_422_at_the_edge_with_the_allowed_codes_and_nothing_is_stored(shop):
    event = order_event("1")
    event["data"]["currency"] = "MWL"
    res = shop.post({"events": [event]})
    assert res.status_code == 422
    message = " ".join(res.json()["details"]["fields"]["events.0.data.currency"])
    assert "ISO 4217" in message and "EUR" in message and "RUB" in message
    assert _inbox(shop) == []


def test_vanishing_quantity_is_422_and_nothing_is_stored(shop):
    event = order_event("2")
    event["data"]["items"][0]["quantity"] = "1e-999999"
    res = shop.post(event)
    assert res.status_code == 422 and "data.items.0.quantity" in res.json()["details"]["fields"]
    assert _inbox(shop) == []


def test_control_characters_never_reach_the_crm(shop):
    event = order_event("3")
    event["data"]["customer"]["first_name"] = "An\x01n\x1b"
    event["data"]["items"][0]["name"] = "City\x85 bike\x7f"
    assert shop.post(event).status_code == 202
    shop.work()
    [deal] = shop.deals()
    assert [r["PRODUCT_NAME"] for r in shop.rows(deal["ID"])][0] == "City bike [BIKE-1]"
    assert [c["NAME"] for c in shop.contacts()] == ["Ann"]


def test_nul_is_dropped_from_every_text_field_when_loading():
    event = order_event("4")
    event["data"]["items"][0]["name"] = "City\x00 bike"
    event["data"]["customer"]["last_name"] = "Le\x00e\tSmith\n"
    event["data"]["order_id"] = " 4\x00 "
    [loaded] = load_events(event)
    assert loaded["data"]["items"][0]["name"] == "City bike"
    assert loaded["data"]["customer"]["last_name"] == "Lee Smith "
    assert loaded["data"]["order_id"] == "4"


def test_a_name_of_control_characters_only_is_refused():
    event = order_event("5")
    event["data"]["items"][0]["name"] = "\x00\x07 "
    with pytest.raises(ValidationError) as err:
        load_events(event)
    assert list(err.value.messages) == ["data.items.0.name"]


def test_amount_bounds():
    def errors(path_value):
        event = order_event("6")
        item = event["data"]["items"][0]
        item.update(path_value)
        try:
            return load_events(event) and {}
        except ValidationError as err:
            return err.messages
    assert errors({"quantity": 0.00001}) and errors({"quantity": "1000001"}) and errors({"quantity": 1e400})
    assert errors({"price": "1e12"}) and errors({"price": 1e12}) and errors({"price": "0.00001"})
    assert not errors({"quantity": 0.1 + 0.2, "price": 999999999999.9})
    [loaded] = load_events(order_event("7", items=[{"sku": "A", "name": "A", "price": 0.1 + 0.2, "quantity": 1}]))
    assert str(loaded["data"]["items"][0]["price"]) == "0.3000"  # JSON numbers rounded to 4 places


def test_a_currency_not_in_the_portals_list_is_refused_with_its_codes(shop):
    with shop.env.app.app_context():
        known = for_ingest(app_services(), shop.member_id)  # read and cached by setup
    assert known == {"RUB", "USD", "EUR"}
    event = order_event("8")
    event["data"]["currency"] = "GBP"  # ISO 4217, but not the portal's
    with pytest.raises(ValidationError) as err:
        load_events({"events": [order_event("9"), event]}, known)
    assert err.value.messages == {"events.1.data.currency": [
        "GBP is not a currency of this portal; allowed: EUR, RUB, USD."]}


def test_iso_4217_alone_while_the_portals_list_is_unknown(shop):
    redis = shop.env.redis
    redis.delete(f"bitrix_app:currencies:{shop.member_id}")
    with shop.env.app.app_context():
        assert for_ingest(app_services(), shop.member_id) is None
    event = order_event("10")
    event["data"]["currency"] = "GBP"
    assert load_events(event, None)[0]["data"]["currency"] == "GBP"

    class Down:
        def get(self, key):
            from redis.exceptions import ConnectionError
            raise ConnectionError("down")

    assert known_currencies(Down(), shop.member_id, shop.env.app.extensions["bitrix_app"]["clock"].now()) is None


def test_a_stale_list_is_used_and_refreshed_once_per_period(shop):
    queued = []
    clock = shop.env.app.extensions["bitrix_app"]["clock"]
    later = clock.now() + timedelta(days=2)
    for _ in range(3):
        assert known_currencies(shop.env.redis, shop.member_id, later, queued.append) == {"RUB", "USD", "EUR"}
    assert queued == [shop.member_id]
    shop.env.sandbox.portal.table("crm_currency")[99] = {
        "CURRENCY": "GBP", "NAME": "Pound", "BASE": "N", "SORT": "900", "AMOUNT_CNT": "1", "AMOUNT": "110"}
    with shop.env.app.app_context():
        assert "GBP" in refresh_currencies(shop.member_id)
        assert "GBP" in for_ingest(app_services(), shop.member_id)


def test_an_order_the_portal_refuses_for_its_currency_is_a_dead_letter_at_once(shop):
    event = order_event("11")
    event["data"]["currency"] = "GBP"  # an ISO code; the edge cannot know the portal lacks it (list not cached)
    shop.env.redis.delete(f"bitrix_app:currencies:{shop.member_id}")
    assert shop.post(event).status_code == 202
    shop.work()
    [row] = _inbox(shop)
    assert row.status == "failed" and row.attempts == 1
    assert "refused the currency" in row.last_error and 'Invalid value for the "Currency" field' in row.last_error
    with shop.session() as s:
        assert s.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.status == "pending")) == 0


def _validator(name: str):
    """A JSON Schema validator of one component (OpenAPI 3.0's nullable turned into a null type)."""
    from schemathesis.specs.openapi.converter import to_json_schema

    spec = openapi_spec("https://app.example.com")
    schemas = {k: to_json_schema(v, nullable_keyword="nullable", update_quantifiers=False) for k, v in spec["components"]["schemas"].items()}
    return jsonschema_rs.Draft4Validator({"$ref": f"#/components/schemas/{name}",
                                          "components": {"schemas": schemas}})


def test_the_openapi_union_validates_real_events_and_refuses_mismatched_data():
    validator = _validator("ShopEvent")
    order = order_event("12")
    cart = {"event_id": "c1", "type": "cart.updated", "occurred_at": "2026-11-02T10:00:00+03:00",
            "data": {"cart_id": "c-1", "customer": {"email": "ann@example.com"}, "items": [], "total": "0",
                     "currency": "RUB", "updated_at": "2026-11-02T10:00:00+03:00"}}
    cleared = {"event_id": "c2", "type": "cart.cleared", "occurred_at": "2026-11-02T10:00:00Z",
               "data": {"cart_id": "c-1", "updated_at": "2026-11-02T10:00:00Z"}}
    customer = {"event_id": "u1", "type": "customer.updated", "occurred_at": "2026-11-02T10:00:00Z",
                "data": {"customer": {"phone": "+7 999 123-45-67"}, "updated_at": "2026-11-02T10:00:00Z"}}
    for event in (order, cart, cleared, customer):
        assert validator.is_valid(event), list(validator.iter_errors(event))
        load_events(event)  # and the server agrees
    assert not validator.is_valid({**cleared, "type": "order.created"})  # data must follow its type
    nobody = {**customer, "data": {"customer": {"phone": " ", "email": None}, "updated_at": "2026-11-02T10:00:00Z"}}
    assert not validator.is_valid(nobody)
    with pytest.raises(ValidationError):
        load_events(nobody)
    bad = order_event("13")
    bad["data"]["currency"] = "MWL"
    assert not validator.is_valid(bad)


def test_the_shop_endpoint_refuses_a_currency_the_portal_does_not_have_and_stores_nothing(shop):
    event = order_event("11")
    event["data"]["currency"] = "GBP"
    res = shop.post({"events": [event]})
    assert res.status_code == 422
    assert res.json()["details"]["fields"]["events.0.data.currency"] == [
        "GBP is not a currency of this portal; allowed: EUR, RUB, USD."]
    assert _inbox(shop) == []
    shop.env.redis.delete(f"bitrix_app:currencies:{shop.member_id}")  # list unknown: ISO 4217 alone ...
    assert shop.post({"events": [event]}).status_code == 422  # ... once the cached shop, which holds it, is gone
    changed(shop.env.redis)
    assert shop.post({"events": [event]}).status_code == 202


def test_the_currency_list_is_read_with_the_shop_not_on_every_event(shop):
    reads = []
    redis = shop.env.app.extensions["bitrix_app"]["redis"]
    real_get = redis.get

    def counting_get(key, *args, **kwargs):
        reads.append(key if isinstance(key, str) else key.decode())
        return real_get(key, *args, **kwargs)

    redis.get = counting_get
    try:
        for n in range(3):
            assert shop.post(order_event(f"c{n}")).status_code == 202
    finally:
        del redis.get
    assert reads.count(GENERATION_KEY) == 3  # each event still checks the shop is current
    assert reads.count(f"bitrix_app:currencies:{shop.member_id}") == 1

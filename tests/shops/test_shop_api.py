"""The shop endpoint over HTTP: signatures, validation, size, idempotency, durability before 2xx."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bitrix_app.orders.adapters.signatures import sign_generic
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import connect_shop, order_event


def _shop(portal_env):
    return connect_shop(portal_env())


@pytest.fixture
def shop(shared_portal):
    return shared_portal(_shop)


def _inbox(shop) -> int:
    with shop.session() as s:
        return s.scalar(select(func.count()).select_from(InboxEvent))


def test_accepted_event_is_stored_before_202_and_a_retry_answers_200(shop):
    event = order_event("1001")
    first = shop.post(event)
    assert first.status_code == 202
    assert first.json() == {"status": "accepted", "accepted": 1, "duplicates": 0}
    assert _inbox(shop) == 1  # committed before the answer went out
    again = shop.post(event)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert _inbox(shop) == 1


def test_bad_or_missing_signature_is_401_and_stores_nothing(shop):
    event = order_event("1002")
    assert shop.post(event, secret="not-the-secret").status_code == 401
    res = shop.post(event, headers={"X-Signature": ""})
    assert res.status_code == 401 and res.json()["error"] == "bad_signature"
    raw = json.dumps(event).encode()
    tampered = shop.post(None, raw=raw.replace(b"1002", b"1003"), headers={
        "X-Signature": sign_generic(raw, shop.secret)})
    assert tampered.status_code == 401
    assert _inbox(shop) == 0


def test_unknown_shop_is_404(shop):
    unknown = replace(shop, shop_id="shp_0000000000000000")  # the module's shop is left as built
    res = unknown.post(order_event("1"))
    assert res.status_code == 404 and res.json()["error"] == "unknown_shop"


def test_invalid_fields_are_422_with_paths_and_nothing_is_stored(shop):
    good, bad = order_event("1"), order_event("2")
    bad["data"]["items"][0]["price"] = "-3"
    bad["data"]["status"] = "lost"
    res = shop.post({"events": [good, bad]})
    assert res.status_code == 422
    fields = res.json()["details"]["fields"]
    assert "events.1.data.items.0.price" in fields and "events.1.data.status" in fields
    assert _inbox(shop) == 0  # a batch is all or nothing


def test_not_json_is_400_and_over_one_megabyte_is_413(shop):
    assert shop.post(None, raw=b"{not json").status_code == 400
    huge = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    res = shop.post(None, raw=huge)
    assert res.status_code == 413 and res.json()["error"] == "payload_too_large"
    assert _inbox(shop) == 0


def test_a_batch_counts_new_and_repeated_events(shop):
    events = [order_event(str(n)) for n in range(5)]
    assert shop.post({"events": events[:2]}).status_code == 202
    res = shop.post({"events": events + [events[0]]})
    assert res.status_code == 202
    assert res.json() == {"status": "accepted", "accepted": 3, "duplicates": 3}
    assert _inbox(shop) == 5


def test_the_same_event_five_times_at_once_makes_one_deal_and_one_contact(shop):
    event = order_event("5005")
    with ThreadPoolExecutor(5) as pool:
        codes = sorted(r.status_code for r in pool.map(lambda _: shop.post(event), range(5)))
    assert codes == [200, 200, 200, 200, 202]
    shop.work()
    deals = shop.deals()
    assert len(deals) == 1 and deals[0]["ORIGIN_ID"] == "5005"
    assert len(shop.contacts()) == 1


def test_openapi_description_is_served(shop):
    import requests

    spec = requests.get(f"{shop.env.live.url}/shop/v1/openapi.json", timeout=10).json()
    assert "/shop/v1/{shop_id}/events" in spec["paths"]
    assert "/shop/v1/{shop_id}/woocommerce" in spec["paths"] and "/shop/v1/{shop_id}/shopify" in spec["paths"]

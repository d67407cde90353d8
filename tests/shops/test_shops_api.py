"""The Shops screen's admin API: /api/v1/portals/<member_id>/shops (connect, secrets, test events, disconnect),
the order status -> stage mapping against the portal's real pipeline, and the abandoned-cart settings."""
from __future__ import annotations

import json

import pytest
import requests

from bitrix_app.orders.adapters.signatures import sign_generic
from tests.fixtures.shell_page import token_of
from tests.fixtures.shop_env import order_event

TOKEN = "operator-token-for-shops"
MANAGER = 2


def _portal(portal_env):
    e = portal_env(ADMIN_API_TOKEN=TOKEN)
    e.member_id = e.install()["member_id"]
    return e


@pytest.fixture
def env(shared_portal):
    return shared_portal(_portal)


def api(env, method: str, tail: str = "", token: str = TOKEN, **kwargs) -> requests.Response:
    return requests.request(method, f"{env.live.url}/api/v1/portals/{env.member_id}/shops{tail}",
                            headers={"Authorization": f"Bearer {token}"}, timeout=30, **kwargs)


def connect(env, name: str = "Bike shop", platform: str = "custom") -> dict:
    res = api(env, "POST", json={"name": name, "platform": platform})
    assert res.status_code == 201, res.text
    return res.json()


def post_event(env, shop: dict, event: dict, secret: str) -> requests.Response:
    raw = json.dumps(event).encode()
    return requests.post(shop["events_url"], data=raw, timeout=30, headers={
        "Content-Type": "application/json", "X-Signature": sign_generic(raw, secret)})


def staff_token(env) -> str:
    ans = env.control("placements/open", {"placement": "CRM_DEAL_DETAIL_TAB", "user_id": MANAGER, "lang": "en",
                                          "options": {"ID": "1"}})
    return token_of(ans["body"])


def test_staff_get_403_for_every_shops_view(env):
    shop = connect(env)
    token = staff_token(env)
    sid = shop["shop_id"]
    for method, tail, body in (("GET", "", None), ("POST", "", {"name": "X", "platform": "custom"}),
                               ("POST", f"/{sid}/rotate-secret", {}), ("DELETE", f"/{sid}", None),
                               ("POST", f"/{sid}/test-event", None), ("GET", f"/{sid}/events", None),
                               ("GET", "/stages", None), ("PUT", "/stages", {"mapping": {}}),
                               ("GET", "/cart-settings", None), ("PUT", "/cart-settings", {})):
        res = api(env, method, tail, token, json=body)
        assert res.status_code == 403, (method, tail, res.text)
    assert [s["shop_id"] for s in api(env, "GET").json()["shops"]] == [sid]


def test_connecting_shows_the_secret_once_with_the_platforms_setup(env):
    woo = connect(env, "Woo", "woocommerce")
    assert woo["secret"] and woo["events_url"].endswith(f"/shop/v1/{woo['shop_id']}/woocommerce")
    assert woo["setup"]["topics"] == ["order.created", "order.updated"]
    assert woo["setup"]["signature_header"] == "X-WC-Webhook-Signature"
    shopify = connect(env, "Shopify", "shopify")
    assert "orders/create" in shopify["setup"]["topics"] and shopify["setup"]["key_from_platform"] is True
    custom = connect(env, "Own", "custom")
    assert custom["platform"] == "custom" and custom["setup"]["signing"] == "sha256_hex"
    assert custom["events_url"].endswith("/events")

    listed = api(env, "GET").json()["shops"]
    assert [s["name"] for s in listed] == ["Woo", "Shopify", "Own"]
    assert all("secret" not in s for s in listed) and woo["secret"] not in json.dumps(listed)
    assert listed[0]["events_count"] == 0 and listed[0]["last_event_at"] is None and listed[0]["connected_at"]
    # the secret works: the shop's own delivery is accepted
    assert post_event(env, custom, order_event("o-1"), custom["secret"]).status_code == 202


@pytest.mark.parametrize("body", [{"name": "", "platform": "custom"}, {"name": "A", "platform": "magento"},
                                  {"platform": "custom"}, {"name": "A", "platform": "shopify", "secret": "short"},
                                  {"name": "A" * 256, "platform": "custom"}])
def test_bad_connect_input_is_a_422_and_connects_nothing(env, body):
    res = api(env, "POST", json=body)
    assert res.status_code == 422, res.text
    assert res.json()["details"]["fields"]
    assert api(env, "GET").json()["shops"] == []


def test_a_body_that_is_no_json_object_connects_nothing(env):
    for raw in ("[1]", "not json"):
        res = requests.post(f"{env.live.url}/api/v1/portals/{env.member_id}/shops", data=raw, timeout=30,
                            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        assert res.status_code in (400, 422), res.text
    assert api(env, "GET").json()["shops"] == []


def test_rotating_gives_a_new_secret_once_and_the_old_one_stops(env):
    shop = connect(env)
    res = api(env, "POST", f"/{shop['shop_id']}/rotate-secret")
    assert res.status_code == 200, res.text
    fresh = res.json()["secret"]
    assert fresh and fresh != shop["secret"]
    assert post_event(env, shop, order_event("o-1"), shop["secret"]).status_code == 401
    assert post_event(env, shop, order_event("o-1"), fresh).status_code == 202
    pasted = "shpss_" + "k" * 30  # Shopify's own signing key, pasted back
    assert api(env, "POST", f"/{shop['shop_id']}/rotate-secret", json={"secret": pasted}).json()["secret"] == pasted
    assert post_event(env, shop, order_event("o-2"), pasted).status_code == 202
    bad = api(env, "POST", f"/{shop['shop_id']}/rotate-secret", json={"secret": "short"})
    assert bad.status_code == 422 and "secret" in bad.json()["details"]["fields"]
    assert post_event(env, shop, order_event("o-3"), pasted).status_code == 202  # unchanged
    assert api(env, "POST", "/shp_nope/rotate-secret").status_code == 404


def test_a_test_event_goes_through_the_inbox_and_is_done_without_crm_work(env):
    shop = connect(env)
    res = api(env, "POST", f"/{shop['shop_id']}/test-event")
    assert res.status_code == 202, res.text
    assert res.json()["type"] == "shop.test" and res.json()["status"] == "pending"
    deals_before = env.rest("crm.deal.list", {"select": ["ID"]})
    env.work()
    events = api(env, "GET", f"/{shop['shop_id']}/events", params={"limit": 5}).json()["events"]
    assert [(e["type"], e["status"]) for e in events] == [("shop.test", "done")]
    assert events[0]["received_at"] and events[0]["processed_at"]
    assert env.rest("crm.deal.list", {"select": ["ID"]}) == deals_before
    listed = api(env, "GET").json()["shops"][0]
    assert listed["events_count"] == 1 and listed["last_event_at"]
    assert api(env, "GET", f"/{shop['shop_id']}/events", params={"limit": 0}).status_code == 422
    assert api(env, "GET", "/shp_nope/events").status_code == 404


def test_a_disconnected_shop_is_refused_and_leaves_the_list(env):
    shop = connect(env)
    assert api(env, "DELETE", f"/{shop['shop_id']}").status_code == 200
    assert api(env, "GET").json()["shops"] == []
    assert post_event(env, shop, order_event("o-1"), shop["secret"]).status_code == 404
    assert api(env, "DELETE", f"/{shop['shop_id']}").status_code == 404
    assert api(env, "POST", f"/{shop['shop_id']}/test-event").status_code == 404


def test_the_stage_mapping_reads_and_checks_the_portals_own_stages(env):
    connect(env)
    got = api(env, "GET", "/stages").json()
    ids = {s["id"]: s["name"] for s in got["stages"]}
    paid = got["mapping"]["paid"]
    assert paid in ids and ids[paid] == "Paid" and got["missing"] == []
    assert got["statuses"][0] == "new" and len(got["mapping"]) == len(got["statuses"])
    category = paid.split(":")[0][1:]
    # the admin's own stage, added in the portal, can be chosen
    env.rest("crm.status.add", {"fields": {"ENTITY_ID": f"DEAL_STAGE_{category}", "STATUS_ID": "PACKED",
                                           "NAME": "Packed", "SORT": 35}})
    packed = f"C{category}:PACKED"
    res = api(env, "PUT", "/stages", json={"mapping": {"paid": packed}})
    assert res.status_code == 200, res.text
    assert res.json()["mapping"]["paid"] == packed and res.json()["mapping"]["new"] == got["mapping"]["new"]
    assert {"id": packed, "name": "Packed", "semantics": "process"} in res.json()["stages"]

    for body in ({"mapping": {"paid": "C999:NOPE"}}, {"mapping": {"lost": packed}}, {"mapping": "x"}, {}):
        bad = api(env, "PUT", "/stages", json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert "mapping" in bad.json()["details"]["fields"]
    assert api(env, "GET", "/stages").json()["mapping"]["paid"] == packed  # nothing changed


def test_an_order_lands_in_the_mapped_stage(env):
    shop = connect(env)
    stages = api(env, "GET", "/stages").json()
    shipped = next(s["id"] for s in stages["stages"] if s["id"].endswith(":SHIPPED"))
    assert api(env, "PUT", "/stages", json={"mapping": {"new": shipped}}).status_code == 200
    assert post_event(env, shop, order_event("o-9"), shop["secret"]).status_code == 202
    env.work()
    deals = env.rest("crm.deal.list", {"filter": {"ORIGIN_ID": "o-9"}, "select": ["ID", "STAGE_ID", "ORIGIN_ID"]})
    assert [d["STAGE_ID"] for d in deals] == [shipped]


def test_cart_settings_read_and_change_with_422_for_bad_input(env):
    connect(env)
    got = api(env, "GET", "/cart-settings").json()
    assert got["carts_enabled"] is True and got["cart_delay_minutes"] == 60 and got["reminder_minutes"] == [60, 1440]
    res = api(env, "PUT", "/cart-settings", json={"cart_delay_minutes": 90, "reminder_minutes": []})
    assert res.status_code == 200, res.text
    assert res.json()["cart_delay_minutes"] == 90 and res.json()["reminder_minutes"] == []
    for body in ({"cart_delay_minutes": 1}, {"stage_map": {"paid": "WON"}}, {"timezone": "Mars/Base"},
                 {"reminder_minutes": [60, 120, 180]}, {"quiet_hours": {"start": "25:00", "end": "09:00"}}):
        bad = api(env, "PUT", "/cart-settings", json=body)
        assert bad.status_code == 422, (body, bad.text)
        assert bad.json()["details"]["fields"]
    assert api(env, "GET", "/cart-settings").json() == res.json()

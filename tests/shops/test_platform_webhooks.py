"""WooCommerce and Shopify deliveries over HTTP, from the platforms' own payloads to deals in the portal."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from bitrix_app.orders.adapters.signatures import sign_base64, sign_generic
from bitrix_app.shops.connections import add_shop
from bitrix_app.store.shop_models import InboxEvent
from tests.fixtures.shop_env import ShopEnv, connect_shop

SAMPLES = Path(__file__).parent.parent / "orders" / "samples"
WC_AGENT = "WooCommerce/8.7.0 Hookshot (WordPress/6.5.2)"


def raw_sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


class Platform:
    """A shop of one platform connected to the portal, posting the way that platform does."""

    def __init__(self, shop: ShopEnv, platform: str, name: str):
        ext = shop.env.app.extensions["bitrix_app"]
        with shop.session() as s:
            view, secret = add_shop(s, ext["cipher"], shop.member_id, name, platform, ext["clock"].now())
        self.shop, self.platform, self.shop_id, self.secret = shop, platform, view.shop_id, secret
        self.url = f"{shop.env.live.url}/shop/v1/{view.shop_id}/{platform}"

    def deliver(self, raw: bytes, topic: str | None, secret: str | None = None, signature: str | None = None,
                content_type: str = "application/json", extra: dict | None = None) -> requests.Response:
        headers = {"Content-Type": content_type}
        sig = signature if signature is not None else sign_base64(raw, secret or self.secret)
        if self.platform == "woocommerce":
            headers.update({"User-Agent": WC_AGENT, "X-WC-Webhook-Source": "https://tea.example.com/",
                            "X-WC-Webhook-Resource": "order", "X-WC-Webhook-ID": "12",
                            "X-WC-Webhook-Delivery-ID": "a6c2b1f0", "X-WC-Webhook-Signature": sig})
            if topic:
                headers["X-WC-Webhook-Topic"] = topic
                headers["X-WC-Webhook-Event"] = topic.split(".")[-1]
        else:
            headers.update({"X-Shopify-Hmac-Sha256": sig, "X-Shopify-Shop-Domain": "knits.myshopify.com",
                            "X-Shopify-API-Version": "2024-04", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37"})
            if topic:
                headers["X-Shopify-Topic"] = topic
        headers.update(extra or {})
        return requests.post(self.url, data=raw, headers=headers, timeout=30)

    def deals(self) -> list[dict]:
        return [d for d in self.shop.deals() if d["ORIGINATOR_ID"] == self.shop_id]

    def stored(self) -> int:
        with self.shop.session() as s:
            return s.scalar(select(func.count()).select_from(InboxEvent).where(InboxEvent.shop_id == self.shop_id))


def _woo(portal_env):
    return Platform(connect_shop(portal_env()), "woocommerce", "Tea shop")


def _shopify(portal_env):
    return Platform(connect_shop(portal_env()), "shopify", "Knits")


@pytest.fixture
def woo(shared_portal):
    return shared_portal(_woo)


@pytest.fixture
def shopify(shared_portal):
    return shared_portal(_shopify)


@pytest.fixture
def shop(request):
    """The portal's generic shop, beside the platform's shop the test asked for."""
    return request.getfixturevalue("woo" if "woo" in request.fixturenames else "shopify").shop


def rows(shop: ShopEnv, deal: dict) -> list[tuple]:
    return [(r["PRODUCT_NAME"], float(r["PRICE"]), float(r["QUANTITY"])) for r in shop.rows(deal["ID"])]


def deal_field(shop: ShopEnv, deal: dict, name: str):
    return shop.env.rest("crm.deal.get", {"id": deal["ID"]})[name]


# --- WooCommerce ------------------------------------------------------------------------------------------------

def test_woocommerce_created_then_updated_is_one_deal_that_moves_to_paid(woo, shop):
    res = woo.deliver(raw_sample("woocommerce_order_created"), "order.created")
    assert res.status_code == 202 and res.json() == {"status": "accepted", "accepted": 1, "duplicates": 0}
    shop.work()
    [deal] = woo.deals()
    assert deal["TITLE"] == "Order #1843 (Tea shop)" and deal["ORIGIN_ID"] == "1843"
    assert deal["STAGE_ID"] == shop.stage("PENDING_PAYMENT") and deal["UF_CRM_SHOP_ORDER_STATUS"] == "pending_payment"
    assert (float(deal["OPPORTUNITY"]), deal["CURRENCY_ID"]) == (3890.0, "RUB")
    assert (deal["UTM_SOURCE"], deal["UTM_CAMPAIGN"]) == ("yandex", "spring_tea")
    assert rows(shop, deal) == [("Ceramic Teapot 1.2 L [TP-120]", 2490.0, 1.0),
                                ("Green Tea Sencha - 100 g [GT-SEN-100]", 450.0, 3.0)]
    [contact] = shop.contacts()
    assert deal["CONTACT_ID"] == contact["ID"]
    assert (contact["NAME"], contact["LAST_NAME"]) == ("Marina", "Fedotova")
    assert [p["VALUE"] for p in contact["PHONE"]] == ["+79175550123"]
    assert [e["VALUE"] for e in contact["EMAIL"]] == ["marina.fedotova@example.com"]

    res = woo.deliver(raw_sample("woocommerce_order_updated"), "order.updated")
    assert res.status_code == 202
    shop.work()
    [moved] = woo.deals()
    assert moved["ID"] == deal["ID"] and moved["STAGE_ID"] == shop.stage("PAID")
    assert moved["UF_CRM_SHOP_ORDER_STATUS"] == "paid" and float(moved["OPPORTUNITY"]) == 3890.0
    assert len(rows(shop, moved)) == 2 and len(shop.contacts()) == 1


def test_woocommerce_redelivery_is_a_duplicate(woo, shop):
    raw = raw_sample("woocommerce_order_created")
    assert woo.deliver(raw, "order.created").status_code == 202
    again = woo.deliver(raw, "order.created", extra={"X-WC-Webhook-Delivery-ID": "a6c2b1f1"})
    assert again.status_code == 200 and again.json() == {"status": "duplicate", "accepted": 0, "duplicates": 1}
    shop.work()
    assert len(woo.deals()) == 1 and woo.stored() == 1


def test_woocommerce_update_arriving_before_the_creation_still_ends_paid(woo, shop):
    assert woo.deliver(raw_sample("woocommerce_order_updated"), "order.updated").status_code == 202
    shop.work()
    assert woo.deliver(raw_sample("woocommerce_order_created"), "order.created").status_code == 202
    shop.work()
    [deal] = woo.deals()
    assert deal["STAGE_ID"] == shop.stage("PAID")


@pytest.mark.parametrize("how", ["wrong secret", "missing", "not base64", "hex digest", "tampered body"])
def test_woocommerce_bad_signature_is_401_and_stores_nothing(woo, how):
    raw = raw_sample("woocommerce_order_created")
    if how == "wrong secret":
        res = woo.deliver(raw, "order.created", secret="not-the-shops-secret")
    elif how == "missing":
        res = woo.deliver(raw, "order.created", signature="")
    elif how == "not base64":
        res = woo.deliver(raw, "order.created", signature="%%%not-base64%%%")
    elif how == "hex digest":
        res = woo.deliver(raw, "order.created", signature=sign_generic(raw, woo.secret))
    else:
        res = woo.deliver(raw.replace(b'"3890.00"', b'"1.00"'), "order.created", signature=sign_base64(raw, woo.secret))
    assert res.status_code == 401 and res.json()["error"] == "bad_signature"
    assert woo.stored() == 0


def test_another_shops_secret_does_not_sign_for_this_shop(woo, shop):
    raw = raw_sample("woocommerce_order_created")
    res = woo.deliver(raw, "order.created", secret=shop.secret)  # the generic shop's secret, same portal
    assert res.status_code == 401 and woo.stored() == 0


@pytest.mark.parametrize("topic", ["order.deleted", "order.restored", "product.updated", "coupon.created"])
def test_woocommerce_unhandled_topics_are_acknowledged_and_ignored(woo, topic):
    res = woo.deliver(raw_sample("woocommerce_order_created"), topic)
    assert res.status_code == 200 and res.json() == {"status": "ignored", "accepted": 0, "duplicates": 0}
    assert woo.stored() == 0


def test_woocommerce_signed_ping_is_200(woo):
    res = woo.deliver(b"webhook_id=12", None, content_type="application/x-www-form-urlencoded")
    assert res.status_code == 200 and res.json()["status"] == "ignored"
    assert woo.stored() == 0


def test_woocommerce_real_ping_without_signature_is_200(woo):
    """WC_Webhook::deliver_ping sends only a User-Agent and the form body, unsigned, and wants exactly 200."""
    res = requests.post(woo.url, data=b"webhook_id=12", timeout=30, headers={
        "User-Agent": WC_AGENT, "Content-Type": "application/x-www-form-urlencoded"})
    assert res.status_code == 200
    assert woo.stored() == 0


def test_an_unsigned_ping_shaped_body_never_stores_anything(woo, shop):
    raw = b"webhook_id=12&id=1843&status=processing"
    res = woo.deliver(raw, "order.created", signature="", content_type="application/x-www-form-urlencoded")
    assert res.status_code == 200 and res.json()["status"] == "ignored"
    unsigned_json = woo.deliver(raw_sample("woocommerce_order_created"), "order.created", signature="",
                                content_type="text/plain")
    assert unsigned_json.status_code == 401
    shop.work()
    assert woo.stored() == 0 and woo.deals() == []


# --- Shopify ----------------------------------------------------------------------------------------------------

def test_shopify_create_then_updated_is_one_deal_that_moves_to_shipped(shopify, shop):
    res = shopify.deliver(raw_sample("shopify_orders_create"), "orders/create")
    assert res.status_code == 202 and res.json()["accepted"] == 1
    shop.work()
    [deal] = shopify.deals()
    assert deal["ORIGIN_ID"] == "5873201946781" and deal["TITLE"].endswith("1057 (Knits)")
    assert deal["STAGE_ID"] == shop.stage("PAID") and deal["UF_CRM_SHOP_ORDER_STATUS"] == "paid"
    assert (float(deal["OPPORTUNITY"]), deal["CURRENCY_ID"]) == (67.27, "EUR")
    assert (deal["UTM_SOURCE"], deal["UTM_CAMPAIGN"]) == ("newsletter", "may_knitwear")
    assert rows(shop, deal) == [("Merino Wool Beanie - Charcoal [MWB-CHR]", 24.9, 2.0),
                                ("Trail Socks 3-Pack - M [TS3-M]", 19.5, 1.0)]
    [contact] = shop.contacts()
    assert (contact["NAME"], contact["LAST_NAME"]) == ("Lena", "Hartmann")
    assert [p["VALUE"] for p in contact["PHONE"]] == ["+4915550123456"]
    assert contact["UF_CRM_SHOP_CONSENT_EMAIL"] in ("Y", "1")  # subscribed to e-mail marketing
    assert deal_field(shop, deal, "UF_CRM_SHOP_DELIVERY") == "DHL Paket"

    res = shopify.deliver(raw_sample("shopify_orders_updated"), "orders/updated")
    assert res.status_code == 202
    shop.work()
    [moved] = shopify.deals()
    assert moved["ID"] == deal["ID"] and moved["STAGE_ID"] == shop.stage("SHIPPED")
    assert deal_field(shop, moved, "UF_CRM_SHOP_DELIVERY") == "DHL Paket; tracking: 00340434161094042557"
    assert len(rows(shop, moved)) == 2 and len(shop.contacts()) == 1


def test_shopify_redelivery_and_sibling_topics_of_one_change_are_duplicates(shopify, shop):
    raw = raw_sample("shopify_orders_create")
    assert shopify.deliver(raw, "orders/create").status_code == 202
    again = shopify.deliver(raw, "orders/create")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    paid = shopify.deliver(raw, "orders/paid")  # Shopify fires it for the same change, same updated_at
    assert paid.status_code == 200 and paid.json()["status"] == "duplicate"
    shop.work()
    assert len(shopify.deals()) == 1 and shopify.stored() == 1


def test_shopify_order_name_is_not_double_hashed(shopify, shop):
    shopify.deliver(raw_sample("shopify_orders_create"), "orders/create")
    shop.work()
    shopify.deliver(raw_sample("shopify_orders_updated"), "orders/updated")
    shop.work()
    [deal] = shopify.deals()
    comments = shop.env.rest("crm.timeline.comment.list", {"filter": {"ENTITY_ID": deal["ID"], "ENTITY_TYPE": "deal"}})
    assert (deal["TITLE"], [c["COMMENT"] for c in comments]) == (
        "Order #1057 (Knits)", ["Order #1057: paid → shipped"])


@pytest.mark.parametrize("how", ["wrong secret", "missing", "tampered body"])
def test_shopify_bad_signature_is_401_and_stores_nothing(shopify, how):
    raw = raw_sample("shopify_orders_create")
    if how == "wrong secret":
        res = shopify.deliver(raw, "orders/create", secret="someone-elses-secret")
    elif how == "missing":
        res = shopify.deliver(raw, "orders/create", signature="")
    else:
        res = shopify.deliver(raw.replace(b'"67.27"', b'"0.01"'), "orders/create",
                              signature=sign_base64(raw, shopify.secret))
    assert res.status_code == 401 and res.json()["error"] == "bad_signature"
    assert shopify.stored() == 0


@pytest.mark.parametrize("topic", ["customers/create", "products/update", "orders/delete", "app/uninstalled"])
def test_shopify_unhandled_topics_are_acknowledged_and_ignored(shopify, topic):
    res = shopify.deliver(raw_sample("shopify_orders_create"), topic)
    assert res.status_code == 200 and res.json()["status"] == "ignored"
    assert shopify.stored() == 0


def test_an_unmappable_order_is_422_and_not_stored(shopify):
    order = json.loads(raw_sample("shopify_orders_create"))
    order["currency"] = "EURO"
    res = shopify.deliver(json.dumps(order).encode(), "orders/create")
    assert res.status_code == 422
    assert res.json()["error"] == "unmappable_payload" and "currency" in res.json()["message"]
    assert shopify.stored() == 0


def test_an_unknown_platform_route_is_404(shopify):
    res = requests.post(shopify.url.replace("/shopify", "/magento"), data=b"{}", timeout=30,
                        headers={"Content-Type": "application/json"})
    assert res.status_code == 404

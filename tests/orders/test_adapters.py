"""Native WooCommerce and Shopify webhooks: signatures, mapping onto canonical events, status tables, event ids."""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from bitrix_app.orders.adapters import PLATFORMS, AdapterError, shopify, woocommerce
from bitrix_app.orders.adapters.signatures import (sign_base64, sign_generic, verify_generic, verify_shopify,
                                                   verify_woocommerce)

SAMPLES = Path(__file__).parent / "samples"
SECRET = "whsec-test-4f1c"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def raw_sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.json").read_bytes()


def only(events: list[dict]) -> dict:
    assert len(events) == 1
    return events[0]


# --- signatures -------------------------------------------------------------------------------------------------

def _b64(raw: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


BASE64_VERIFIERS = [(verify_woocommerce, "woocommerce_order_created"), (verify_shopify, "shopify_orders_create")]


@pytest.mark.parametrize("verify,name", BASE64_VERIFIERS)
def test_platform_signature_good(verify, name):
    raw = raw_sample(name)
    assert verify(raw, _b64(raw, SECRET), SECRET)
    assert verify(raw, sign_base64(raw, SECRET.encode()), SECRET.encode())


@pytest.mark.parametrize("verify,name", BASE64_VERIFIERS)
def test_platform_signature_tampered_body(verify, name):
    raw = raw_sample(name)
    header = _b64(raw, SECRET)
    assert not verify(raw.replace(b'"total', b'"totaL', 1), header, SECRET)
    assert not verify(raw + b" ", header, SECRET)


@pytest.mark.parametrize("verify,name", BASE64_VERIFIERS)
def test_platform_signature_wrong_secret(verify, name):
    raw = raw_sample(name)
    assert not verify(raw, _b64(raw, "another-secret"), SECRET)


@pytest.mark.parametrize("verify,name", BASE64_VERIFIERS)
@pytest.mark.parametrize("header", [None, "", "   ", "not base64!!", "c2hvcnQ=", "sha256=abcdef", "é"])
def test_platform_signature_missing_or_malformed_header(verify, name, header):
    assert not verify(raw_sample(name), header, SECRET)


@pytest.mark.parametrize("verify", [verify_woocommerce, verify_shopify, verify_generic])
def test_empty_secret_never_verifies(verify):
    raw = b'{"id": 1}'
    assert not verify(raw, sign_base64(raw, ""), "")
    assert not verify(raw, sign_generic(raw, ""), None)


def test_generic_signature_good():
    raw = b'{"event_id":"e1","type":"cart.cleared"}'
    header = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert header == sign_generic(raw, SECRET)
    assert verify_generic(raw, header, SECRET)
    assert verify_generic(raw, header.upper().replace("SHA256=", "sha256="), SECRET)  # hex case is irrelevant


def test_generic_signature_tampered_body_and_wrong_secret():
    raw = b'{"event_id":"e1"}'
    header = sign_generic(raw, SECRET)
    assert not verify_generic(b'{"event_id":"e2"}', header, SECRET)
    assert not verify_generic(raw, header, "another-secret")


@pytest.mark.parametrize("header", [None, "", "sha256=", "sha256=zz", "sha1=" + "0" * 40, "0" * 64,
                                   "sha256:" + "0" * 64, "sha256=" + "0" * 63])
def test_generic_signature_missing_or_malformed_header(header):
    assert not verify_generic(b"{}", header, SECRET)


def test_signature_rejects_non_bytes_body():
    assert not verify_generic("{}", sign_generic(b"{}", SECRET), SECRET)
    assert not verify_shopify("{}", sign_base64(b"{}", SECRET), SECRET)


# --- WooCommerce mapping ----------------------------------------------------------------------------------------

WC_CUSTOMER = {
    "email": "marina.fedotova@example.com", "phone": "8 (917) 555-01-23", "first_name": "Marina",
    "last_name": "Fedotova", "birthday": None, "gender": None, "consent": {"email": False, "sms": False},
}
WC_ITEMS = [
    {"sku": "TP-120", "name": "Ceramic Teapot 1.2 L", "category": None, "price": "2490.00", "quantity": 1},
    {"sku": "GT-SEN-100", "name": "Green Tea Sencha - 100 g", "category": None, "price": "450.00", "quantity": 3},
]


def test_woocommerce_order_created_maps_to_canonical_event():
    event = only(woocommerce.to_events(sample("woocommerce_order_created"), "order.created"))
    assert event["type"] == "order.created"
    assert event["occurred_at"] == "2024-04-18T09:04:38+00:00"
    assert event["data"] == {
        "order_id": "1843", "number": "1843", "status": "pending_payment", "customer": WC_CUSTOMER,
        "items": WC_ITEMS, "total": "3890.00", "currency": "RUB",
        "created_at": "2024-04-18T09:04:37+00:00", "updated_at": "2024-04-18T09:04:38+00:00",
        "utm": {"source": "yandex", "medium": "cpc", "campaign": "spring_tea"},
        "delivery": {"method": "Courier delivery", "pickup_point": None, "tracking": None},
        "promo_code": "tea300",
    }


def test_woocommerce_order_updated_maps_to_canonical_event():
    event = only(woocommerce.to_events(sample("woocommerce_order_updated"), "order.updated"))
    data = event["data"]
    assert (event["type"], data["status"], data["order_id"]) == ("order.updated", "paid", "1843")
    assert data["updated_at"] == event["occurred_at"] == "2024-04-18T09:06:02+00:00"
    assert data["created_at"] == "2024-04-18T09:04:37+00:00"
    assert data["customer"] == WC_CUSTOMER and data["items"] == WC_ITEMS
    assert (data["total"], data["currency"]) == ("3890.00", "RUB")


def test_woocommerce_events_are_json_serialisable():
    event = only(woocommerce.to_events(sample("woocommerce_order_updated"), "order.updated"))
    assert json.loads(json.dumps(event)) == event


def test_woocommerce_unit_price_includes_tax_when_prices_include_it():
    order = sample("woocommerce_order_created")
    order["prices_include_tax"] = True
    order["line_items"][0].update(subtotal="2075.00", subtotal_tax="415.00")
    order["line_items"][1].update(subtotal="1125.00", subtotal_tax="225.01")
    items = woocommerce.order_data(order)["items"]
    assert [i["price"] for i in items] == ["2490.00", "450.00"]  # 1350.01 / 3 rounds half-up to cents


def test_woocommerce_unit_price_falls_back_to_price_field():
    order = sample("woocommerce_order_created")
    del order["line_items"][1]["subtotal"]
    assert woocommerce.order_data(order)["items"][1]["price"] == "414.8433333333333"


def test_woocommerce_pickup_tracking_category_and_sparse_order():
    order = sample("woocommerce_order_created")
    order["shipping_lines"] = [{"method_title": "Pickup", "method_id": "pickup_location",
                                "meta_data": [{"key": "pickup_location", "value": "Kazan, Baumana 12"}]}]
    order["meta_data"] = [{"key": "_wc_shipment_tracking_items",
                           "value": [{"tracking_number": "RA123456789RU"}, {"tracking_number": "RA123456789RU"},
                                     {"tracking_number": "80087654321"}]}]
    order["line_items"][0]["category"] = "Teaware"
    order["coupon_lines"] = []
    data = woocommerce.order_data(order)
    assert data["delivery"] == {"method": "Pickup", "pickup_point": "Kazan, Baumana 12",
                                "tracking": "RA123456789RU, 80087654321"}
    assert data["utm"] == {"source": None, "medium": None, "campaign": None}
    assert data["items"][0]["category"] == "Teaware"
    assert "promo_code" not in data


def test_woocommerce_missing_modified_date_uses_created_date():
    order = sample("woocommerce_order_created")
    order["date_modified_gmt"] = None
    assert woocommerce.order_data(order)["updated_at"] == "2024-04-18T09:04:37+00:00"


@pytest.mark.parametrize("change,message", [
    ({"date_created_gmt": None}, "date_created_gmt"),
    ({"date_created_gmt": "yesterday"}, "date_created_gmt"),
    ({"currency": "RUBLES"}, "currency"),
    ({"total": "a lot"}, "total"),
    ({"id": None}, "id"),
])
def test_woocommerce_malformed_payload_raises(change, message):
    order = {**sample("woocommerce_order_created"), **change}
    with pytest.raises(AdapterError, match=message):
        woocommerce.to_events(order, "order.created")


def test_woocommerce_malformed_line_quantity_names_its_path():
    order = sample("woocommerce_order_created")
    order["line_items"][1]["quantity"] = 1.5
    with pytest.raises(AdapterError, match=r"line_items\.1\.quantity"):
        woocommerce.to_events(order, "order.created")


@pytest.mark.parametrize("topic", ["order.deleted", "order.restored", "product.updated", "", None])
def test_woocommerce_other_topics_give_no_events(topic):
    assert woocommerce.to_events(sample("woocommerce_order_created"), topic) == []


def test_woocommerce_webhook_ping_is_not_an_order():
    assert woocommerce.to_events({"webhook_id": 12}, "action.woocommerce_ping") == []
    with pytest.raises(AdapterError):
        woocommerce.to_events(["not", "an", "object"], "order.created")


# --- Shopify mapping --------------------------------------------------------------------------------------------

SH_CUSTOMER = {
    "email": "lena.hartmann@example.com", "phone": "+49 155 50123456", "first_name": "Lena",
    "last_name": "Hartmann", "birthday": None, "gender": None, "consent": {"email": True, "sms": False},
}
SH_ITEMS = [
    {"sku": "MWB-CHR", "name": "Merino Wool Beanie - Charcoal", "category": None, "price": "24.90", "quantity": 2},
    {"sku": "TS3-M", "name": "Trail Socks 3-Pack - M", "category": None, "price": "19.50", "quantity": 1},
]
SH_UTM = {"source": "newsletter", "medium": "email", "campaign": "may_knitwear"}
SH_CART = "Z2NwLWV1cm9wZS13ZXN0NDowMUhYM0s3UjJQRDZCNUs4WjlNQTFRV0ZDNw"


def test_shopify_orders_create_maps_to_canonical_event():
    event = only(shopify.to_events(sample("shopify_orders_create"), "orders/create"))
    assert event["type"] == "order.created"
    assert event["occurred_at"] == "2024-05-06T14:22:11+02:00"
    assert event["data"] == {
        "order_id": "5873201946781", "number": "#1057", "status": "paid", "customer": SH_CUSTOMER,
        "items": SH_ITEMS, "total": "67.27", "currency": "EUR",
        "created_at": "2024-05-06T14:22:09+02:00", "updated_at": "2024-05-06T14:22:11+02:00",
        "utm": SH_UTM, "delivery": {"method": "DHL Paket", "pickup_point": None, "tracking": None},
        "cart_id": SH_CART, "promo_code": "SPRING10",
    }


def test_shopify_orders_updated_maps_to_canonical_event():
    event = only(shopify.to_events(sample("shopify_orders_updated"), "orders/updated"))
    data = event["data"]
    assert (event["type"], data["status"], data["order_id"]) == ("order.updated", "shipped", "5873201946781")
    assert data["updated_at"] == event["occurred_at"] == "2024-05-08T09:41:30+02:00"
    assert data["delivery"] == {"method": "DHL Paket", "pickup_point": None, "tracking": "00340434161094042557"}
    assert data["customer"] == SH_CUSTOMER and data["items"] == SH_ITEMS and data["utm"] == SH_UTM
    assert json.loads(json.dumps(event)) == event


def test_shopify_customer_falls_back_to_billing_address_and_checkout_consent():
    order = sample("shopify_orders_create")
    order.update(customer=None, email=None, phone=None, buyer_accepts_marketing=False)
    customer = shopify.order_data(order)["customer"]
    assert customer == {"email": "lena.hartmann@example.com", "phone": "+49 155 50123456", "first_name": "Lena",
                        "last_name": "Hartmann", "birthday": None, "gender": None,
                        "consent": {"email": False, "sms": False}}


@pytest.mark.parametrize("email_consent,accepts,expected", [
    ({"state": "subscribed"}, False, True),
    ({"state": "unsubscribed"}, True, False),   # a later unsubscribe beats the checkout checkbox
    ({"state": "pending"}, True, False),        # double opt-in not confirmed yet
    (None, True, True),
    (None, False, False),
])
def test_shopify_email_consent(email_consent, accepts, expected):
    order = sample("shopify_orders_create")
    order["customer"]["email_marketing_consent"] = email_consent
    order["buyer_accepts_marketing"] = accepts
    assert shopify.order_data(order)["customer"]["consent"]["email"] is expected


def test_shopify_sms_consent():
    order = sample("shopify_orders_create")
    order["customer"]["sms_marketing_consent"] = {"state": "subscribed", "opt_in_level": "single_opt_in",
                                                  "consent_updated_at": "2024-05-06T14:22:08+02:00",
                                                  "consent_collected_from": "SHOPIFY"}
    assert shopify.order_data(order)["customer"]["consent"]["sms"] is True


@pytest.mark.parametrize("landing_site,source_name,expected", [
    ("/?utm_source=google&utm_medium=cpc&utm_campaign=brand", "web", ("google", "cpc", "brand")),
    ("/products/beanie", "web", ("web", None, None)),
    (None, "pos", ("pos", None, None)),
    ("https://alpine-knits.example/?utm_campaign=x", None, (None, None, "x")),
])
def test_shopify_utm(landing_site, source_name, expected):
    order = sample("shopify_orders_create")
    order.update(landing_site=landing_site, source_name=source_name)
    utm = shopify.order_data(order)["utm"]
    assert (utm["source"], utm["medium"], utm["campaign"]) == expected


def test_shopify_sparse_order_omits_optional_keys():
    order = sample("shopify_orders_create")
    order.update(cart_token=None, discount_codes=[], shipping_lines=[])
    data = shopify.order_data(order)
    assert "cart_id" not in data and "promo_code" not in data
    assert data["delivery"] == {"method": None, "pickup_point": None, "tracking": None}


def test_shopify_time_without_offset_is_rejected():
    order = sample("shopify_orders_create")
    order["created_at"] = "2024-05-06T14:22:09"
    with pytest.raises(AdapterError, match="offset"):
        shopify.to_events(order, "orders/create")


@pytest.mark.parametrize("topic,expected", [
    ("orders/create", "order.created"), ("orders/updated", "order.updated"), ("orders/paid", "order.updated"),
    ("orders/fulfilled", "order.updated"), ("orders/cancelled", "order.updated"), ("ORDERS/CREATE", "order.created"),
])
def test_shopify_order_topics(topic, expected):
    assert only(shopify.to_events(sample("shopify_orders_create"), topic))["type"] == expected


@pytest.mark.parametrize("topic", ["orders/delete", "orders/edited", "carts/update", "customers/create", None])
def test_shopify_other_topics_give_no_events(topic):
    assert shopify.to_events(sample("shopify_orders_create"), topic) == []


# --- status tables ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status,expected", [
    ("pending", "pending_payment"), ("processing", "paid"), ("on-hold", "pending_payment"),
    ("completed", "completed"), ("cancelled", "cancelled"), ("refunded", "refunded"), ("failed", "cancelled"),
    ("checkout-draft", "new"), ("wc-processing", "paid"), ("Completed", "completed"),
    ("awaiting-shipment", "new"), ("", "new"), (None, "new"),
])
def test_woocommerce_status_table(status, expected):
    assert woocommerce.order_status(status) == expected


def test_woocommerce_unknown_status_keeps_progress_from_dates():
    assert woocommerce.order_status("awaiting-shipment", "2024-04-18T09:06:01") == "paid"
    completed = woocommerce.order_status("delivered-to-customer", "2024-04-18T09:06:01", "2024-04-20T10:00:00")
    assert completed == "completed"
    assert woocommerce.order_status("pending", "2024-04-18T09:06:01") == "pending_payment"  # known wins


def test_woocommerce_status_reaches_the_event():
    order = sample("woocommerce_order_updated")
    order["status"] = "refunded"
    assert woocommerce.order_data(order)["status"] == "refunded"


@pytest.mark.parametrize("financial,fulfillment,cancelled_at,shipment,expected", [
    ("refunded", None, "2024-05-07T10:00:00+02:00", None, "cancelled"),
    ("paid", "fulfilled", "2024-05-07T10:00:00+02:00", None, "cancelled"),
    ("refunded", "fulfilled", None, None, "refunded"),
    ("voided", None, None, None, "cancelled"),
    ("paid", "fulfilled", None, None, "shipped"),
    ("paid", "fulfilled", None, "in_transit", "shipped"),
    ("paid", "fulfilled", None, "delivered", "delivered"),
    ("paid", "fulfilled", None, "ready_for_pickup", "ready_for_pickup"),
    ("pending", "fulfilled", None, None, "shipped"),          # cash on delivery ships before it is paid
    ("paid", "partial", None, None, "paid"),
    ("paid", None, None, None, "paid"),
    ("partially_refunded", None, None, None, "paid"),
    ("pending", None, None, None, "pending_payment"),
    ("authorized", None, None, None, "pending_payment"),
    ("partially_paid", "partial", None, None, "pending_payment"),
    ("expired", None, None, None, "new"),
    (None, None, None, None, "new"),
])
def test_shopify_status_table(financial, fulfillment, cancelled_at, shipment, expected):
    assert shopify.order_status(financial, fulfillment, cancelled_at, shipment) == expected


def test_shopify_last_fulfilment_decides_shipment_status():
    order = sample("shopify_orders_updated")
    first = copy.deepcopy(order["fulfillments"][0])
    order["fulfillments"][0]["shipment_status"] = "in_transit"
    order["fulfillments"].append({**first, "id": 2, "shipment_status": "delivered", "tracking_number": "JJD01",
                                  "tracking_numbers": ["JJD01"]})
    data = shopify.order_data(order)
    assert data["status"] == "delivered"
    assert data["delivery"]["tracking"] == "00340434161094042557, JJD01"


def test_shopify_cancelled_sample_maps_to_cancelled():
    order = sample("shopify_orders_create")
    order.update(cancelled_at="2024-05-06T15:00:00+02:00", cancel_reason="customer", financial_status="refunded")
    assert only(shopify.to_events(order, "orders/cancelled"))["data"]["status"] == "cancelled"


# --- stable event ids -------------------------------------------------------------------------------------------

CASES = [(woocommerce, "woocommerce_order_created", "order.created", "date_modified_gmt", "2024-04-18T09:05:00"),
         (shopify, "shopify_orders_create", "orders/create", "updated_at", "2024-05-06T14:30:00+02:00")]


@pytest.mark.parametrize("module,name,topic,version_field,later", CASES)
def test_retried_delivery_gives_the_same_event_id(module, name, topic, version_field, later):
    first = only(module.to_events(sample(name), topic))
    retry = only(module.to_events(json.loads(raw_sample(name)), topic))
    assert first["event_id"] == retry["event_id"] and first == retry


@pytest.mark.parametrize("module,name,topic,version_field,later", CASES)
def test_real_change_gives_a_new_event_id(module, name, topic, version_field, later):
    order = sample(name)
    first = only(module.to_events(order, topic))["event_id"]
    order[version_field] = later
    assert only(module.to_events(order, topic))["event_id"] != first


@pytest.mark.parametrize("module,name,topic,version_field,later", CASES)
def test_event_id_ignores_delivery_noise_but_not_the_order(module, name, topic, version_field, later):
    order = sample(name)
    first = only(module.to_events(order, topic))["event_id"]
    order["id"] = 999
    assert only(module.to_events(order, topic))["event_id"] != first


def test_same_instant_written_with_another_offset_keeps_the_id():
    order = sample("shopify_orders_create")
    first = only(shopify.to_events(order, "orders/create"))["event_id"]
    order["updated_at"] = "2024-05-06T12:22:11+00:00"
    assert only(shopify.to_events(order, "orders/create"))["event_id"] == first


def test_topics_for_the_same_order_version_share_one_event_id():
    order = sample("shopify_orders_updated")
    ids = {only(shopify.to_events(order, topic))["event_id"] for topic in ("orders/updated", "orders/fulfilled")}
    assert len(ids) == 1


def test_platforms_never_share_event_ids():
    wc = only(woocommerce.to_events(sample("woocommerce_order_created"), "order.created"))["event_id"]
    order = sample("shopify_orders_create")
    order.update(id=1843, updated_at="2024-04-18T09:04:38+00:00")
    assert only(shopify.to_events(order, "orders/create"))["event_id"] != wc


def test_the_sample_updates_are_new_versions_of_the_created_orders():
    for module, created, updated, t1, t2 in [
        (woocommerce, "woocommerce_order_created", "woocommerce_order_updated", "order.created", "order.updated"),
        (shopify, "shopify_orders_create", "shopify_orders_updated", "orders/create", "orders/updated"),
    ]:
        a, b = only(module.to_events(sample(created), t1)), only(module.to_events(sample(updated), t2))
        assert a["data"]["order_id"] == b["data"]["order_id"] and a["event_id"] != b["event_id"]


# --- registry ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform,name,topic", [("woocommerce", "woocommerce_order_updated", "order.updated"),
                                                 ("shopify", "shopify_orders_updated", "orders/updated")])
def test_registry_verifies_and_maps_a_delivery(platform, name, topic):
    entry = PLATFORMS[platform]
    raw = raw_sample(name)
    headers = {entry.signature_header: sign_base64(raw, SECRET), entry.topic_header: topic}
    assert entry.verify(raw, headers.get(entry.signature_header), SECRET)
    assert only(entry.to_events(json.loads(raw), headers[entry.topic_header]))["type"] == "order.updated"
    assert set(PLATFORMS) == {"woocommerce", "shopify"}


# --- what the canonical edge needs -----------------------------------------------------------------------------

def test_items_without_sku_get_a_platform_product_id():
    wc = sample("woocommerce_order_created")
    wc["line_items"][0]["sku"] = ""
    wc["line_items"][1]["sku"] = None
    assert [i["sku"] for i in woocommerce.order_data(wc)["items"]] == ["woocommerce:812", "woocommerce:794"]
    sh = sample("shopify_orders_create")
    sh["line_items"][0]["sku"] = None
    sh["line_items"][1].update(sku="", variant_id=None, product_id=None)
    assert [i["sku"] for i in shopify.order_data(sh)["items"]] == ["shopify:47218839781533",
                                                                   "shopify:line:14392816304285"]


def test_zero_quantity_lines_are_skipped():
    order = sample("shopify_orders_create")
    order["line_items"][1]["quantity"] = 0
    assert [i["sku"] for i in shopify.order_data(order)["items"]] == ["MWB-CHR"]


def test_long_free_text_is_clipped_to_the_canonical_limit():
    order = sample("shopify_orders_create")
    order["landing_site"] = "/?utm_campaign=" + "x" * 400
    order["discount_codes"] = [{"code": "Y" * 300, "amount": "1.00", "type": "fixed_amount"}]
    data = shopify.order_data(order)
    assert len(data["utm"]["campaign"]) == 255 and len(data["promo_code"]) == 255


def _all_sample_events() -> list[dict]:
    events = []
    for platform, name, topic in [("woocommerce", "woocommerce_order_created", "order.created"),
                                  ("woocommerce", "woocommerce_order_updated", "order.updated"),
                                  ("shopify", "shopify_orders_create", "orders/create"),
                                  ("shopify", "shopify_orders_updated", "orders/updated")]:
        events += PLATFORMS[platform].to_events(sample(name), topic)
    sparse = sample("shopify_orders_create")
    sparse.update(customer=None, email=None, phone=None, billing_address=None, cart_token=None, discount_codes=[],
                  shipping_lines=[], landing_site=None, source_name=None)
    for line in sparse["line_items"]:
        line["sku"] = None
    events += shopify.to_events(sparse, "orders/updated")
    return events


def test_adapter_events_pass_the_canonical_schema():
    schemas = pytest.importorskip("bitrix_app.orders.schemas")
    events = _all_sample_events()
    loaded = schemas.load_events({"events": events})
    assert [e["event_id"] for e in loaded] == [e["event_id"] for e in events]

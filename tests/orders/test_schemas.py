"""Shop event bodies are loaded strictly, errors name their field paths, contacts are normalised."""
from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from bitrix_app.orders.normalise import email_key, phone_e164
from bitrix_app.orders.openapi import EVENTS_PATH, PROMO_CODE_PATH, openapi_spec
from bitrix_app.orders.schemas import event_to_json, flatten_errors, load_events

_DROP = object()


def _customer(**over) -> dict:
    customer = {"email": " Anna.Lee@Example.COM ", "phone": "8 (999) 123-45-67", "first_name": "Anna",
                "last_name": "Lee", "birthday": "1990-05-01", "gender": "female",
                "consent": {"email": True, "sms": False}}
    return {**customer, **over}


def _order(**over) -> dict:
    order = {"order_id": "A-100", "number": "100", "status": "paid", "customer": _customer(),
             "items": [{"sku": "TEA-1", "name": "Green tea", "category": "Tea", "price": "450.50", "quantity": 2},
                       {"sku": 77, "name": "Cup", "price": 99, "quantity": "1.5"}],
             "total": 1049.5, "currency": "RUB", "created_at": "2026-01-15T09:00:00+03:00",
             "updated_at": "2026-01-15T09:05:00Z", "utm": {"source": "yandex", "medium": "cpc", "campaign": "w"},
             "delivery": {"method": "pickup", "pickup_point": "PVZ-12", "tracking": None},
             "cart_id": "C-9", "promo_code": "WINTER"}
    return {**order, **over}


def _event(kind: str = "order.created", data: dict | None = None, **over) -> dict:
    event = {"event_id": "evt-1", "type": kind, "occurred_at": "2026-01-15T09:05:01+03:00",
             "data": _order() if data is None else data}
    return {**event, **over}


def _all_kinds() -> list[dict]:
    return [
        _event("order.created", event_id="e1"),
        _event("order.updated", _order(status="shipped"), event_id="e2"),
        _event("cart.updated", {"cart_id": "C-9", "customer": _customer(), "items": [],
                                "total": "0", "currency": "EUR", "updated_at": "2026-01-15T08:00:00+01:00"},
               event_id="e3"),
        _event("cart.cleared", {"cart_id": "C-9", "updated_at": "2026-01-15T09:00:00Z"}, event_id="e4"),
        _event("customer.updated", {"customer": {"phone": "+7 999 1234567"},
                                    "updated_at": "2026-01-15T09:00:00Z"}, event_id="e5"),
    ]


def _with(body: dict, path: str, value) -> dict:
    """Copy body with the value at a dotted path replaced, or removed when value is _DROP."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    if value is _DROP:
        del node[key]
    else:
        node[key] = value
    return body


def _errors(body) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_events(body)
    return caught.value.messages


# Loading valid bodies


def test_single_event_is_loaded_with_types_and_normalised_contacts():
    [event] = load_events(_event(extra="ignored"))
    order = event["data"]
    # 09:05:01+03:00 as sent, held as the same moment in UTC (SQLite keeps no offset)
    assert event["event_id"] == "evt-1" and event["occurred_at"].utcoffset() == timedelta(0)
    assert event["occurred_at"].hour == 6
    assert order["items"][0]["price"] == Decimal("450.50") and order["items"][1]["quantity"] == Decimal("1.5")
    assert order["items"][1]["sku"] == "77" and order["total"] == Decimal("1049.5")
    assert order["updated_at"].utcoffset() == timedelta(0)
    customer = order["customer"]
    assert customer["phone"] == "8 (999) 123-45-67" and customer["phone_e164"] == "+79991234567"
    assert customer["email"] == " Anna.Lee@Example.COM " and customer["email_key"] == "anna.lee@example.com"
    assert customer["birthday"] == date(1990, 5, 1) and customer["consent"] == {"email": True, "sms": False}
    assert "extra" not in event


def test_optional_parts_get_defaults_and_unknown_or_derived_input_is_dropped():
    data = _order(customer={"email": "x@y.ru", "phone_e164": "+10000000000", "vip": True}, extra=1)
    for key in ("number", "utm", "delivery", "cart_id", "promo_code"):
        del data[key]
    order = load_events(_event(data=data))[0]["data"]
    assert order["utm"] == {"source": None, "medium": None, "campaign": None}
    assert order["delivery"] == {"method": None, "pickup_point": None, "tracking": None}
    assert order["number"] is None and order["cart_id"] is None and order["promo_code"] is None
    customer = order["customer"]
    assert customer["phone_e164"] is None and customer["consent"] == {"email": False, "sms": False}
    assert "vip" not in customer and "extra" not in order


def test_batch_of_every_kind_is_loaded_in_order():
    events = load_events({"events": _all_kinds()})
    assert [e["event_id"] for e in events] == ["e1", "e2", "e3", "e4", "e5"]
    assert events[1]["data"]["status"] == "shipped" and events[2]["data"]["items"] == []
    assert events[3]["data"] == {"cart_id": "C-9", "updated_at": events[3]["data"]["updated_at"]}
    assert events[4]["data"]["customer"]["phone_e164"] == "+79991234567"


def test_batch_of_500_is_accepted_and_0_or_501_are_rejected():
    assert len(load_events({"events": [_event(event_id=f"e{i}") for i in range(500)]})) == 500
    assert _errors({"events": []}) == {"events": ["Length must be between 1 and 500."]}
    # The size is checked before any item is loaded: 501 invalid items give only the length error.
    assert _errors({"events": [{}] * 501}) == {"events": ["Length must be between 1 and 500."]}


def test_loaded_events_dump_to_json_and_load_back_unchanged():
    events = load_events({"events": _all_kinds()})
    dumped = json.loads(json.dumps([event_to_json(e) for e in events]))
    assert dumped[0]["data"]["total"] == "1049.5" and dumped[0]["occurred_at"] == "2026-01-15T06:05:01+00:00"
    assert dumped[0]["data"]["customer"]["phone_e164"] == "+79991234567"
    assert load_events({"events": dumped}) == events


# Rejected bodies and their error paths


@pytest.mark.parametrize(("path", "value", "error_path", "fragment"), [
    ("event_id", _DROP, "event_id", "Missing data"),
    ("event_id", "  ", "event_id", "Length"),
    ("type", "order.deleted", "type", "Must be one of"),
    ("type", ["order.created"], "type", "Not a valid string"),
    ("occurred_at", "2026-01-15T09:05:01", "occurred_at", "UTC offset"),
    ("occurred_at", "yesterday", "occurred_at", "ISO 8601"),
    ("data", [1], "data", "JSON object"),
    ("data.order_id", _DROP, "data.order_id", "Missing data"),
    ("data.order_id", True, "data.order_id", "Not a valid string"),
    ("data.status", "lost", "data.status", "Must be one of"),
    ("data.customer", _DROP, "data.customer", "Missing data"),
    ("data.customer", "anna", "data.customer", "Invalid input type"),
    ("data.customer.gender", "other", "data.customer.gender", "Must be one of"),
    ("data.customer.birthday", "1990-02-30", "data.customer.birthday", "Not a valid date"),
    ("data.customer.consent.sms", "maybe", "data.customer.consent.sms", "Not a valid boolean"),
    ("data.items", [], "data.items", "Length"),
    ("data.items.0.price", "abc", "data.items.0.price", "Not a valid number"),
    ("data.items.0.price", "-1", "data.items.0.price", "greater than or equal to 0"),
    ("data.items.0.price", True, "data.items.0.price", "Not a valid number"),
    ("data.items.1.quantity", 0, "data.items.1.quantity", "greater than 0"),
    ("data.items.1.name", _DROP, "data.items.1.name", "Missing data"),
    ("data.total", "NaN", "data.total", "Special numeric values"),
    ("data.currency", "rub", "data.currency", "ISO 4217"),
    ("data.currency", "RUBL", "data.currency", "ISO 4217"),
    ("data.created_at", "2026-01-15", "data.created_at", "UTC offset"),
    ("data.updated_at", "2026-01-15T09:05:00", "data.updated_at", "UTC offset"),
])
def test_field_error_is_reported_at_its_path(path, value, error_path, fragment):
    errors = _errors(_with(_event(), path, value))
    assert list(errors) == [error_path]
    assert fragment in " ".join(errors[error_path])


def test_error_inside_a_batch_is_prefixed_with_the_event_index():
    events = [_event(event_id=f"e{i}") for i in range(5)]
    body = _with({"events": events}, "events.3.data.items.0.price", "12,50")
    errors = _errors(body)
    assert list(errors) == ["events.3.data.items.0.price"] and errors["events.3.data.items.0.price"][0].startswith(
        "Not a valid number")


def test_every_error_of_a_body_is_reported_at_once():
    body = _with(_with(_event(), "occurred_at", "2026-01-15T09:05:01"), "data.currency", "rub")
    body = _with(body, "data.items.0.quantity", -2)
    assert set(_errors({"events": [_event(), body]})) == {
        "events.1.occurred_at", "events.1.data.currency", "events.1.data.items.0.quantity"}


def test_data_is_checked_against_the_schema_of_its_type():
    assert set(_errors(_event("cart.cleared", {}))) == {"data.cart_id", "data.updated_at"}
    cart = {"cart_id": "C-1", "customer": {}, "items": [{"sku": "S"}], "total": 1, "currency": "RUB",
            "updated_at": "2026-01-15T09:00:00"}
    assert set(_errors(_event("cart.updated", cart))) == {
        "data.items.0.name", "data.items.0.price", "data.items.0.quantity", "data.updated_at"}


def test_customer_update_must_name_a_phone_or_an_email():
    body = _event("customer.updated", {"customer": {"first_name": "Anna", "email": "  "},
                                       "updated_at": "2026-01-15T09:00:00Z"})
    assert _errors(body) == {"data.customer": ["Give the customer's phone or e-mail."]}


@pytest.mark.parametrize("body", [[], "events", None, 42])
def test_body_that_is_not_an_object_is_rejected(body):
    assert _errors(body) == {"_schema": ["Body must be a JSON object."]}


@pytest.mark.parametrize(("body", "path"), [({"events": "x"}, "events"), ({"events": [1]}, "events.0")])
def test_malformed_batch_shapes_are_rejected(body, path):
    assert list(_errors(body)) == [path]


def test_flatten_errors_merges_schema_level_messages_into_the_parent_path():
    nested = {"_schema": ["top"], "events": {0: {"_schema": ["a"], "data": {"x": ["b"]}}, "_schema": ["c"]}}
    assert flatten_errors(nested) == {"_schema": ["top"], "events.0": ["a"], "events.0.data.x": ["b"],
                                      "events": ["c"]}


# Normalisation


@pytest.mark.parametrize(("raw", "expected"), [
    ("8 (999) 123-45-67", "+79991234567"),
    ("+7 999 1234567", "+79991234567"),
    ("79991234567", "+79991234567"),
    ("9991234567", "+79991234567"),
    (" +7 (495) 123-45-67 ", "+74951234567"),
    ("8-800-555-35-35", "+78005553535"),
    ("0049 30 1234567", "+49301234567"),
    ("+49 (30) 123-4567", "+49301234567"),
    ("+1 415 555 2671", "+14155552671"),
    ("+375 29 123 45 67", "+375291234567"),
    ("00 44 20 7946 0958", "+442079460958"),
    ("+683 4002", "+6834002"),
])
def test_phone_is_normalised_to_e164(raw, expected):
    assert phone_e164(raw) == expected


@pytest.mark.parametrize("raw", [
    None, 42, "", "   ", "garbage", "call me", "+7 999 123 45 6", "8 (999) 123-45-67 8", "8 999 123",
    "+7 999 123-45-67 ext. 5", "++79991234567", "+7 999 +1234567", "+0 999 123 45 67", "+1 415 555 267",
    "+375 29 123 45 6", "+12345678901234567", "00", "0 999 123 45 67", "+123456", "123-45-67",
])
def test_impossible_phone_gives_none(raw):
    assert phone_e164(raw) is None


def test_phone_region_decides_national_numbers_only():
    assert phone_e164("8 701 123 45 67", default_region="kz") == "+77011234567"
    assert phone_e164("+49 30 1234567", default_region="KZ") == "+49301234567"
    with pytest.raises(ValueError):
        phone_e164("030 1234567", default_region="DE")


@pytest.mark.parametrize(("raw", "expected"), [
    (" Anna.Lee@Example.COM ", "anna.lee@example.com"),
    ("user+tag@mail.ru", "user+tag@mail.ru"),
    ("ivan@почта.рф", "ivan@почта.рф"),
    ("a@b.co", "a@b.co"),
])
def test_email_key_is_trimmed_and_lower_cased(raw, expected):
    assert email_key(raw) == expected


@pytest.mark.parametrize("raw", [
    None, 7, "", "  ", "no-at-sign", "a@b", "a@@b.ru", "a@b@c.ru", "a b@c.ru", "@b.ru", "a@.ru", "a@b..ru",
    "a@b.ru.", ".a@b.ru", "a.@b.ru", "a..b@c.ru", "a@b.c", "x" * 65 + "@b.ru", "a@" + "b" * 250 + ".ru",
])
def test_invalid_email_gives_none(raw):
    assert email_key(raw) is None


# OpenAPI description


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(spec: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_openapi_document_is_structurally_valid_openapi_3():
    spec = json.loads(json.dumps(openapi_spec("https://app.example.com/")))
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": "https://app.example.com"}]
    assert {"Order", "Cart", "CartCleared", "CustomerUpdated", "Customer", "Item", "ShopEvent",
            "ShopEventBatch", "Ack", "Error", "PromoCode"} <= set(spec["components"]["schemas"])
    refs = list(_refs(spec))
    assert len(refs) > 20
    for ref in refs:
        assert isinstance(_resolve(spec, ref), dict), ref
    for name, schema in spec["components"]["schemas"].items():
        assert schema["type"] == "object" and set(schema.get("required", [])) <= set(schema["properties"]), name
    operation_ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def _parameters(spec: dict, operation: dict) -> dict:
    params = [_resolve(spec, p["$ref"]) if "$ref" in p else p for p in operation["parameters"]]
    return {(p["in"], p["name"]): p for p in params}


def test_openapi_events_endpoint_is_signed_and_answers_every_status():
    spec = openapi_spec("https://app.example.com")
    post = spec["paths"][EVENTS_PATH]["post"]
    params = _parameters(spec, post)
    assert params[("header", "X-Signature")]["required"] is True
    assert params[("header", "X-Signature")]["schema"]["pattern"] == "^sha256=[0-9a-fA-F]{64}$"
    assert params[("path", "shop_id")]["required"] is True
    assert {"200", "202", "401", "404", "413", "422"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert [s["$ref"] for s in body["oneOf"]] == ["#/components/schemas/ShopEvent",
                                                  "#/components/schemas/ShopEventBatch"]
    error = _resolve(spec, post["responses"]["422"]["$ref"])["content"]["application/json"]["schema"]
    assert set(_resolve(spec, error["$ref"])["properties"]) == {"error", "message", "details"}
    batch = spec["components"]["schemas"]["ShopEventBatch"]["properties"]["events"]
    assert (batch["minItems"], batch["maxItems"]) == (1, 500)
    event = spec["components"]["schemas"]["ShopEvent"]
    assert event["discriminator"]["propertyName"] == "type"
    assert event["discriminator"]["mapping"]["order.updated"] == "#/components/schemas/OrderUpdatedEvent"
    updated = spec["components"]["schemas"]["OrderUpdatedEvent"]["properties"]
    assert updated["data"] == {"$ref": "#/components/schemas/Order"} and updated["type"]["enum"] == ["order.updated"]
    assert ("(order.created and order.updated: Order; cart.updated: Cart; cart.cleared: CartCleared; "
            "customer.updated: CustomerUpdated; shop.test: ShopTest)") in event["description"]  # what the registry declares


def test_the_openapi_shop_event_follows_the_event_type_registry(monkeypatch):
    from bitrix_app.orders import openapi_events
    from bitrix_app.orders.event_data import CartSchema

    monkeypatch.setattr(openapi_events, "DATA_SCHEMAS", {"order.created": CartSchema, "order.updated": CartSchema})
    components = openapi_events.event_components(openapi_spec("https://app.example.com")["components"]["schemas"])
    assert "(order.created and order.updated: Cart)" in components["ShopEvent"]["description"]
    assert components["OrderCreatedEvent"]["properties"]["data"] == {"$ref": "#/components/schemas/Cart"}


def test_openapi_platform_webhooks_and_decimal_bounds():
    spec = openapi_spec("https://app.example.com")
    for platform, header in (("woocommerce", "X-WC-Webhook-Signature"), ("shopify", "X-Shopify-Hmac-Sha256")):
        post = spec["paths"][f"/shop/v1/{{shop_id}}/{platform}"]["post"]
        assert {("path", "shop_id"), ("header", header)} == set(_parameters(spec, post))
        assert {"200", "202", "401", "404", "413", "422"} <= set(post["responses"])
    quantity = spec["components"]["schemas"]["Item"]["properties"]["quantity"]
    number, string = quantity["oneOf"]
    assert number == {"type": "number", "minimum": 0.0001, "maximum": 1000000}
    assert string["type"] == "string" and string["pattern"].startswith("^")
    customer = spec["components"]["schemas"]["Customer"]["properties"]
    assert "phone_e164" not in customer and "email_key" not in customer  # computed by the server, not sent


def test_openapi_promo_code_check_is_a_signed_fresh_get_answering_promo_code():
    spec = openapi_spec("https://app.example.com")
    get = spec["paths"][PROMO_CODE_PATH]["get"]
    params = _parameters(spec, get)
    assert set(params) == {("path", "shop_id"), ("path", "code"), ("header", "X-Signature"),
                           ("header", "X-Timestamp")}
    assert all(p["required"] is True for p in params.values())
    assert "GET\\n<path>\\n<X-Timestamp value>" in params[("header", "X-Signature")]["description"]
    assert "300 seconds" in params[("header", "X-Timestamp")]["description"]
    assert set(get["responses"]) == {"200", "401", "404"}
    answer = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/PromoCode"}
    promo = spec["components"]["schemas"]["PromoCode"]
    assert {"code", "valid", "reason", "discount_percent", "expires_at"} == set(promo["properties"])
    assert promo["properties"]["expires_at"]["format"] == "date-time"

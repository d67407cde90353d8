"""Hostile bodies on every route that takes one: a clear 4xx, never a 5xx, and nothing stored.

The routes come from the app's URL map (every rule accepting POST, PUT, PATCH or DELETE), so a new route is
covered without editing this file; its URL variables are filled with an installed portal's member_id, a
connected shop's id and plausible codes, and shop bodies are signed with the shop's real secret so they reach
the parser. `bitrix_app.jsonsafe.loads` itself is tested at the end.
"""
from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from bitrix_app import jsonsafe
from bitrix_app.clock import FrozenClock
from bitrix_app.orders.adapters import PLATFORMS
from bitrix_app.orders.adapters.signatures import GENERIC_HEADER, sign_base64, sign_generic
from bitrix_app.phpform import UnsafeFormText, nest
from bitrix_app.shops.connections import add_shop
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from bitrix_app.store.tables import all_tables
from tests.fixtures.shop_env import T0, order_event

TOKEN = "operator-token"
MEMBER_ID = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4"
APP_TOKEN = "0123456789abcdef0123456789abcdef"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _rules(app: Flask) -> list[tuple[str, str, str]]:
    return sorted((rule.rule, method, rule.endpoint) for rule in app.url_map.iter_rules()
                  for method in sorted(WRITES & (rule.methods or set())))


def _url_map_rules() -> list[tuple[str, str, str]]:
    """The app's writable routes, read at collection time from the blueprints the app factory registers."""
    from handlers import register_blueprints

    probe = Flask("probe")
    register_blueprints(probe)
    return _rules(probe)


ROUTES = _url_map_rules()


def _event(**changes) -> dict:
    event = order_event("1001")
    event["data"]["customer"].update(changes.pop("customer", {}))
    event.update(changes)
    return event


def _dumps(value) -> bytes:
    return json.dumps(value).encode()  # ensure_ascii: a lone surrogate or NUL goes out as a \\u escape


HOSTILE = {
    "deep arrays": b"[" * 100_000,
    "deep arrays, closed": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 3000,
    "deep objects, closed": b'{"a":' * 3000 + b"1" + b"}" * 3000,
    "deeper than the limit, within the decoder's": b"[" * 200 + b"]" * 200,
    "scalar 5": b"5",
    "scalar true": b"true",
    "null": b"null",
    "an array": b"[]",
    "lone surrogate in event_id": _dumps(_event(event_id="\ud800")),
    "lone surrogate in first_name": _dumps(_event(customer={"first_name": "Ann\udc00"})),
    "lone surrogate in an unknown field": _dumps(_event(note="\udfff")),
    "lone surrogate in a key": _dumps({**_event(), "\ud800": 1}),
    "NUL in first_name": _dumps(_event(customer={"first_name": "Ann\x00"})),
    "NUL in a key": _dumps({**_event(), "a\x00": 1}),
    "NaN": b'{"event_id": "e", "amount": NaN}',
    "number out of range": b'{"event_id": "e", "amount": 1e999}',
    "not UTF-8": b'{"event_id": "\xff"}',
}
HOSTILE_FORMS = {
    "NUL in a form value": b"event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=1%00&auth%5Bmember_id%5D="
                           + MEMBER_ID.encode(),
    "NUL in a form key": b"event=ONCRMDEALUPDATE&data%5BFI%00ELDS%5D=1",
}
PLAUSIBLE = {"name": "deal", "robots.code": "customer_profile", "code": "VIP_BUYERS", "event_id": 1, "call_id": 1,
             "kind": "deal", "entity_id": 1,
             "token": "e30.0123456789abcdef0123456789abcdef"}


def _edge(portal_env):
    """The app with the operator's admin token, an installed portal and a connected shop (its sandbox portal is
    not used: the portal row is written by hand)."""
    clock = FrozenClock(T0)
    app = portal_env(ADMIN_API_TOKEN=TOKEN, CLOCK=clock, APP_BASE_URL="http://127.0.0.1:5000").app
    ext = app.extensions["bitrix_app"]
    with transaction(ext["sessions"]) as s:
        s.execute(insert(PortalRecord).values(
            member_id=MEMBER_ID, domain="shop.bitrix24.com", client_endpoint="https://shop.bitrix24.com/rest/",
            scope="crm", status="active", application_token_enc=ext["cipher"].encrypt(APP_TOKEN),
            installed_at=T0, updated_at=T0))
        s.flush()
        shop, secret = add_shop(s, ext["cipher"], MEMBER_ID, "Bike shop", "generic", T0)
    app.config["TEST_SHOP"] = (shop.shop_id, secret)
    return app


@pytest.fixture
def edge(shared_portal):
    return shared_portal(_edge)


def _urls(rule: str, endpoint: str, app: Flask) -> list[str]:
    """The rule with its variables filled; `<platform>` once per platform adapter."""
    from werkzeug.routing import Map, Rule

    shop_id, _ = app.config["TEST_SHOP"]
    parsed = Rule(rule, endpoint="x")
    bound, names = Map([parsed]).bind("localhost"), parsed.arguments
    choices: list[dict] = [{}]
    for name in sorted(names):
        if name == "member_id":
            values = [MEMBER_ID]
        elif name == "shop_id":
            values = [shop_id]
        elif name == "platform":
            values = sorted(PLATFORMS)
        else:
            value = PLAUSIBLE.get(f"{endpoint.split('.')[0]}.{name}", PLAUSIBLE.get(name))
            if value is None:
                pytest.fail(f"give the URL variable <{name}> of {rule} a plausible value in PLAUSIBLE")
            values = [value]
        choices = [{**c, name: v} for c in choices for v in values]
    return [bound.build("x", c) for c in choices]


def _headers(app: Flask, raw: bytes, content_type: str) -> dict:
    """Admin bearer token, and the body signed every way a shop route checks (so it gets to the parser)."""
    _, secret = app.config["TEST_SHOP"]
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}",
               GENERIC_HEADER: sign_generic(raw, secret)}
    headers.update({platform.signature_header: sign_base64(raw, secret) for platform in PLATFORMS.values()})
    return headers


def _stored(app: Flask) -> dict:
    ext = app.extensions["bitrix_app"]
    with transaction(ext["sessions"]) as s:
        rows = {t.name: s.scalar(select(func.count()).select_from(t)) for t in all_tables().sorted_tables}
    return {**rows, "redis keys": ext["redis"].dbsize()}


def test_the_routes_come_from_the_apps_url_map(edge):
    assert ROUTES and _rules(edge) == ROUTES
    assert any(endpoint.startswith("shop_api.") for _, _, endpoint in ROUTES)


@pytest.mark.parametrize(("rule", "method", "endpoint"), ROUTES, ids=[f"{m} {r}" for r, m, _ in ROUTES])
def test_a_hostile_body_is_a_4xx_and_stores_nothing(edge, rule, method, endpoint):
    client, before = edge.test_client(), _stored(edge)
    wrong = []
    for url in _urls(rule, endpoint, edge):
        sent = [(name, raw, "application/json") for name, raw in HOSTILE.items()]
        sent += [(name, raw, "application/x-www-form-urlencoded") for name, raw in HOSTILE_FORMS.items()]
        for name, raw, content_type in sent:
            res = client.open(url, method=method, data=raw, headers=_headers(edge, raw, content_type))
            body = res.get_json(silent=True) or {}
            if not 400 <= res.status_code < 500 or not body.get("error") or not body.get("message"):
                wrong.append(f"{method} {url} with {name}: {res.status_code} {res.get_data()[:200]!r}")
    assert not wrong, "\n".join(wrong)
    assert _stored(edge) == before


def test_what_the_client_is_told(edge):
    client, url = edge.test_client(), f"/api/v1/portals/{MEMBER_ID}/segments/definitions"
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    res = client.post(url, data=b"[" * 100_000, headers=auth)
    assert res.status_code == 400
    assert res.get_json() == {"error": "invalid_json", "message": "the JSON nests deeper than 32 levels",
                              "details": {}}
    res = client.post("/install", data=b"5", content_type="application/json")
    assert res.status_code == 422 and res.get_json()["message"] == "the body must be a JSON object, not a number"
    res = client.post("/events", data=_dumps({"event": "ONCRMDEALUPDATE", "data": {"x": "\ud800"}}),
                      content_type="application/json")
    assert res.get_json()["message"] == "a JSON string has a lone surrogate (\\ud800) at $.data.x"
    shop_id, secret = edge.config["TEST_SHOP"]
    raw = _dumps(_event(event_id="\ud800"))
    res = client.post(f"/shop/v1/{shop_id}/events", data=raw, content_type="application/json",
                      headers={GENERIC_HEADER: sign_generic(raw, secret)})
    assert res.status_code == 400 and res.get_json()["error"] == "invalid_json"
    assert "lone surrogate" in res.get_json()["message"] and "$.event_id" in res.get_json()["message"]
    res = client.post(f"/shop/v1/{shop_id}/events", data=raw, content_type="application/json",
                      headers={GENERIC_HEADER: sign_generic(raw, "not-the-secret")})
    assert res.status_code == 401  # unsigned junk is refused before it is parsed


def test_a_query_parameter_with_nul_is_refused(edge):
    res = edge.test_client().post(f"/?member_id={MEMBER_ID}&LANG=en%00", data={"APPLICATION_TOKEN": APP_TOKEN})
    assert res.status_code == 400 and res.get_json()["error"] == "invalid_query"


def test_good_bodies_still_pass_the_edge(edge):
    client, shop = edge.test_client(), edge.config["TEST_SHOP"]
    raw = _dumps(_event(customer={"first_name": "Аня 😀"}))
    res = client.post(f"/shop/v1/{shop[0]}/events", data=raw, content_type="application/json",
                      headers={GENERIC_HEADER: sign_generic(raw, shop[1])})
    assert res.status_code == 202
    rebuild = f"/api/v1/portals/{MEMBER_ID}/segments/rebuild"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    # a route without a body still takes an empty request, even one labelled JSON
    assert client.post(rebuild, headers=auth, data=b"", content_type="application/json").status_code == 202
    assert client.post(rebuild, headers=auth, json={}).status_code == 202
    assert client.get("/no-such-page", data=b"[[[", content_type="application/json").status_code == 404


@pytest.mark.parametrize(("text", "why"), [
    (b"[" * 100_000, "nests deeper than 32 levels"),
    ('{"a":' * 3000, "nests deeper than 32 levels"),
    ("[" * 33 + "]" * 33, "nests deeper than 32 levels"),
    ('{"a": [1, {"b": "x\\u0000"}]}', "a JSON string has a NUL character at $.a[1].b"),
    ('{"k\\u0000": 1}', "a JSON key has a NUL character at $.k\\u0000"),
    ('{"a": "\\uDBFF"}', "a JSON string has a lone surrogate (\\udbff) at $.a"),
    ('"\\udc00"', "a JSON string has a lone surrogate (\\udc00) at $"),
    ('{"a": "\ud800"}', "a JSON string has a lone surrogate (\\ud800) at $.a"),  # raw, in text input
    ("[NaN]", "non-finite number (NaN)"),
    ('{"a": -Infinity}', "non-finite number (-Infinity)"),
    ("[1e400]", "number out of range (1e400)"),
    (b'{"a": "\xff"}', "not UTF-8 (byte 0xff at position 7)"),
    ("{not json", "not valid JSON: Expecting property name"),
    ("", "not valid JSON"),
    ("1" * 5000, "not valid JSON: Exceeds the limit"),
])
def test_loads_refuses_with_a_readable_reason(text, why):
    with pytest.raises(jsonsafe.UnsafeJson) as err:
        jsonsafe.loads(text)
    assert why in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(("text", "value"), [
    ("5", 5), ("true", True), ("null", None), ('"x"', "x"), ("[]", []),
    ('{"name": "\\u0410\\u043d\\u044f \\ud83d\\ude00", "n": 1.5}', {"name": "Аня 😀", "n": 1.5}),  # a pair is fine
    ("[" * 32 + "]" * 32, eval("[" * 32 + "]" * 32)),
    (b'\xef\xbb\xbf{"a": "\\\\u0000"}', {"a": "\\u0000"}),  # a BOM, and an escaped backslash, not a NUL
    ('{"[": "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{"}', {"[": "{" * 41}),  # brackets in strings are text
])
def test_loads_accepts_ordinary_json(text, value):
    assert jsonsafe.loads(text) == value


def test_loads_takes_its_depth_limit():
    options = '{"ID": "7", "x": {"y": {"z": []}}}'
    assert jsonsafe.loads(options, max_depth=4)["ID"] == "7"
    with pytest.raises(jsonsafe.UnsafeJson, match="deeper than 3 levels"):
        jsonsafe.loads(options, max_depth=3)


def test_a_portal_form_with_nul_or_a_lone_surrogate_is_refused():
    assert nest([("data[FIELDS][ID]", "7")]) == {"data": {"FIELDS": {"ID": "7"}}}
    for pairs in ([("data[FIELDS][ID]", "7\x00")], [("data[\x00]", "7")], [("x", "\udfff")]):
        with pytest.raises(UnsafeFormText):
            nest(pairs)


@pytest.mark.parametrize("url", ["/events", "/robots/customer_profile", "/install", "/", "/placement/deal"])
def test_an_empty_json_body_on_a_portal_callback_names_the_missing_fields(edge, url):
    res = edge.test_client().post(url, data=b"", content_type="application/json")
    assert res.status_code == 422 and res.get_json()["error"] == "validation_error"
    assert res.get_json()["details"]["fields"]  # which fields the callback lacks, not only "send an object"

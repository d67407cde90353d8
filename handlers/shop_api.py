"""The shop-facing API: signed events in, 202 once they are durably stored; platform webhooks; the signed
promo-code check; OpenAPI."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from bitrix_app import jsonsafe
from webedge import services
from bitrix_app.inbox.accept import accept
from bitrix_app.inbox.dispatch import kick
from bitrix_app.orders.adapters import PLATFORMS, AdapterError, verify_generic
from bitrix_app.orders.adapters.signatures import GENERIC_HEADER
from bitrix_app.orders.openapi import openapi_spec
from bitrix_app.orders.schemas import PromoCodeSchema, load_events
from bitrix_app.portals import for_ingest as portal_currencies
from bitrix_app.promo.codes import check as check_promo_code
from bitrix_app.scope import app_services
from bitrix_app.promo.signing import request_problem
from bitrix_app.shops.cache import generation
from bitrix_app.shops.connections import IngestShop, for_ingest
from bitrix_app.store.db import transaction
from webedge.errors import RETRY_AFTER, ApiError, database_down

bp = Blueprint("shop_api", __name__, url_prefix="/shop/v1")
MAX_BODY = 1024 * 1024
# Nothing can be stored: the shop keeps the event and sends it again later.
database_down(bp, "events cannot be stored right now; send them again later", {"retry_after": RETRY_AFTER})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec(services.settings().APP_BASE_URL))


@bp.post("/<shop_id>/events")
def events(shop_id: str):
    shop, raw = _shop_and_body(shop_id)
    if not verify_generic(raw, request.headers.get(GENERIC_HEADER), shop.secret):
        raise ApiError(401, "bad_signature", f"{GENERIC_HEADER} is missing or does not match the body")
    body = _json(raw)
    try:
        loaded = load_events(body, shop.currencies)
    except ValidationError as err:
        raise ApiError(422, "validation_error", "the events have invalid fields", {"fields": err.messages}) from err
    return _store(shop, loaded, body["events"] if "events" in body else [body])


@bp.get("/<shop_id>/promo-codes/<code>")
def promo_code(shop_id: str, code: str):
    shop, now = _shop(shop_id), services.clock().now()
    problem = request_problem("GET", request.path, request.headers, shop.secret, now)
    if problem:
        raise ApiError(401, "bad_signature", problem)
    with transaction(services.session_factory()) as s:
        answer = check_promo_code(s, shop.member_id, code, now)
    return jsonify(PromoCodeSchema().dump(answer)), 200, {"Cache-Control": "no-store"}


@bp.post("/<shop_id>/<platform>")
def platform_webhook(shop_id: str, platform: str):
    adapter = PLATFORMS.get(platform)
    if adapter is None:
        raise ApiError(404, "not_found", f"no endpoint {platform!r}; use events, woocommerce or shopify")
    shop, raw = _shop_and_body(shop_id)
    if request.mimetype != "application/json" and raw.startswith(b"webhook_id="):
        return jsonify({"status": "ignored", "accepted": 0, "duplicates": 0}), 200  # WooCommerce's ping: a no-op
    if not adapter.verify(raw, request.headers.get(adapter.signature_header), shop.secret):
        raise ApiError(401, "bad_signature", f"{adapter.signature_header} is missing or does not match the body")
    try:
        canonical = adapter.to_events(_json(raw), request.headers.get(adapter.topic_header))
        if not canonical:
            return jsonify({"status": "ignored", "accepted": 0, "duplicates": 0}), 200
        loaded = load_events({"events": canonical}, shop.currencies)
    except AdapterError as err:
        raise ApiError(422, "unmappable_payload", str(err)) from err
    except ValidationError as err:
        raise ApiError(422, "validation_error", "the mapped order has invalid fields",
                       {"fields": err.messages}) from err
    return _store(shop, loaded, canonical)


def _lookup(shop_id: str) -> IngestShop | None:
    """The shop with its portal's currency codes, cached together (same generation and TTL) by `_shop`."""
    svc = app_services()
    with svc.transaction() as s:
        shop = for_ingest(s, svc.cipher, shop_id)
    return replace(shop, currencies=portal_currencies(svc, shop.member_id)) if shop else None


def _shop(shop_id: str) -> IngestShop:
    current = generation(services.redis())  # unknown while Redis is down: the database answers alone
    shop = services.ext("shop_cache").get(shop_id, lambda: _lookup(shop_id), current)
    if shop is None:
        raise ApiError(404, "unknown_shop", "no connected shop has this id")
    return shop


def _shop_and_body(shop_id: str) -> tuple[IngestShop, bytes]:
    shop = _shop(shop_id)
    if (request.content_length or 0) > MAX_BODY:
        raise ApiError(413, "payload_too_large", f"the body is over {MAX_BODY} bytes")
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError(413, "payload_too_large", f"the body is over {MAX_BODY} bytes")
    return shop, raw


def _json(raw: bytes) -> dict:
    """The signed body, parsed by the edge's one JSON parser; every body a shop or platform sends is an object."""
    try:
        body = jsonsafe.loads(raw)
    except jsonsafe.UnsafeJson as err:
        raise ApiError(400, "invalid_json", str(err)) from err
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object: one event or {\"events\": [...]}")
    return body


def _store(shop: IngestShop, loaded: list[dict], originals: list[dict]):
    with transaction(services.session_factory()) as s:
        result = accept(s, shop.shop_id, shop.member_id, loaded, services.clock().now(), originals)
    if result.accepted:
        kick(services.redis(), shop.member_id)  # best effort: without Redis the sweeper queues the drain later
    status = "accepted" if result.accepted else "duplicate"
    body = {"status": status, "accepted": result.accepted, "duplicates": result.duplicates}
    return jsonify(body), 202 if result.accepted else 200

"""OpenAPI 3 description of the shop-facing API, generated from the event schemas."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields
from marshmallow.validate import Range

from bitrix_app import jsonsafe
from bitrix_app.orders.fields import MAX_INT_ID, Currency, Id, Timestamp, _Amount
from bitrix_app.orders.normalise import MEANINGFUL
from bitrix_app.orders.openapi_events import CURRENCY_DESCRIPTION, EVENT_BODY, event_components
from bitrix_app.orders.schemas import (
    MAX_EVENTS,
    DATA_SCHEMAS,
    AckSchema,
    ErrorSchema,
    EventData,
    PromoCodeSchema,
    ShopEventBatchSchema,
    ShopEventSchema,
)
from bitrix_app.promo.signing import MAX_SKEW

OPENAPI_VERSION = "3.0.3"
MAX_BODY_BYTES = 1024 * 1024  # the shop endpoints' body limit (handlers/shop_api.py MAX_BODY)
EVENTS_PATH = "/shop/v1/{shop_id}/events"
PROMO_CODE_PATH = "/shop/v1/{shop_id}/promo-codes/{code}"

_SIGNATURE = {
    "in": "header",
    "name": "X-Signature",
    "required": True,
    "description": "sha256=<hex HMAC-SHA256 of the raw request body, keyed with the shop's secret>. "
                   "The body is signed byte for byte as sent.",
    "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"},
}
_GET_SIGNATURE = {
    "in": "header",
    "name": "X-Signature",
    "required": True,
    "description": "sha256=<hex HMAC-SHA256 keyed with the shop's secret> of the UTF-8 string "
                   "`GET\\n<path>\\n<X-Timestamp value>`. path is the request path as the server decodes it: "
                   "percent-escapes decoded (a code sent as AUT%2D1 or %C3%A9 is signed as AUT-1 or é), no "
                   "query string, e.g. /shop/v1/shp_1/promo-codes/AUTUMN-7KQ2M9XT.",
    "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"},
}
_TIMESTAMP = {
    "in": "header",
    "name": "X-Timestamp",
    "required": True,
    "description": f"The request time in unix seconds; refused when more than {MAX_SKEW} seconds away "
                   "from the server's clock, so a captured request cannot be replayed later.",
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}
_CODE = {"in": "path", "name": "code", "required": True, "schema": {"type": "string", "pattern": "^[^/]+$"},
         "description": "The promo code as the customer typed it (compared case-insensitively); any code "
                        "that is not one of the portal's answers valid=false with reason unknown."}
_SHOP_ID = {"in": "path", "name": "shop_id", "required": True, "schema": {"type": "string"},
            "description": "The shop's id, issued when the shop is connected to a portal."}
_ERRORS = {
    "BadRequest": "The body is not a JSON object this API accepts: not UTF-8 JSON, too deeply nested, a "
                  "non-finite number, or a NUL character or lone surrogate in a string.",
    "Unauthorized": "X-Signature is missing or does not match the body.",
    "NotFound": "No connected shop has this id.",
    "PayloadTooLarge": "The body is larger than the configured limit.",
    "Unprocessable": "The body failed validation; details maps field paths such as "
                     "events.3.data.items.0.price to their messages.",
}


def openapi_spec(base_url: str) -> dict:
    """Return the OpenAPI document of the shop endpoints served at base_url."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Shop events API", version="1.0.0", openapi_version=OPENAPI_VERSION,
                   plugins=[plugin], servers=[{"url": base_url.rstrip("/")}],
                   info={"description": "Shops push order, cart and customer events; the app turns them "
                                        "into Bitrix24 deals and contacts."})
    plugin.converter.add_attribute_function(_event_data2properties)
    plugin.converter.add_attribute_function(_decimal2properties)
    plugin.converter.add_attribute_function(_shop_fields2properties)
    _add_components(spec)
    spec.path(path=EVENTS_PATH, operations={"post": _events_operation()})
    spec.path(path=PROMO_CODE_PATH, operations={"get": _promo_code_operation()})
    for platform, header in (("woocommerce", "X-WC-Webhook-Signature"), ("shopify", "X-Shopify-Hmac-Sha256")):
        spec.path(path=f"/shop/v1/{{shop_id}}/{platform}", operations={"post": _platform_operation(platform, header)})
    document = spec.to_dict()
    schemas = document["components"]["schemas"]
    schemas.update(event_components(schemas))
    return document


def _shop_fields2properties(self, field, ret, **_):
    """Ids, amounts, times and currencies as the server checks them (bitrix_app/orders/fields.py)."""
    if isinstance(field, Id):
        for key in ("type", "pattern"):
            ret.pop(key, None)
        return {"description": "An identifier: a string of 1 to 100 characters holding a character other than "
                               "whitespace or control characters (trimmed, control characters dropped), or a "
                               "non-negative integer.",
                "oneOf": [{"type": "string", "minLength": 1, "maxLength": Id.MAX, "pattern": MEANINGFUL},
                          {"type": "integer", "minimum": 0, "maximum": MAX_INT_ID}]}
    if isinstance(field, _Amount):
        for key in ("type", "format", "description"):
            ret.pop(key, None)
        number = {"type": "number", "minimum": _number(field.minimum), "maximum": _number(field.maximum)}
        if field.exclusive_maximum:
            number["exclusiveMaximum"] = True
        return {"description": f"{type(field).__doc__.strip()} JSON numbers with more decimal places are "
                               "rounded half up to 4.",
                "oneOf": [number, {"type": "string", "pattern": field.pattern}]}
    if isinstance(field, Timestamp):
        return {"description": "An RFC 3339 date-time with a UTC offset, dated from 1900 to 2199 as written."}
    if isinstance(field, Currency):
        return {"description": CURRENCY_DESCRIPTION}
    return {}


def _event_data2properties(self, field, **_):
    """An event's data is an object; event_components gives ShopEvent its union by type."""
    return {"type": "object"} if isinstance(field, EventData) else {}


def _decimal2properties(self, field, **_):
    """Give decimal bounds as JSON numbers (apispec writes them as strings) and keep exclusive minimums."""
    if not isinstance(field, fields.Decimal) or isinstance(field, _Amount):
        return {}
    props = {"description": "A decimal: a JSON number or a string such as \"1990.50\"."}
    for rule in field.validators:
        if isinstance(rule, Range) and rule.min is not None:
            props["minimum"] = _number(rule.min)
            if not rule.min_inclusive:
                props["exclusiveMinimum"] = True
        if isinstance(rule, Range) and rule.max is not None:
            props["maximum"] = _number(rule.max)
            if not rule.max_inclusive:
                props["exclusiveMaximum"] = True
    return props


def _number(value) -> int | float:
    return int(value) if value == int(value) else float(value)


def _add_components(spec: APISpec) -> None:
    """Register schemas (data types before the envelope that refers to them), parameters and errors."""
    data = tuple((schema.__name__.removesuffix("Schema"), schema) for schema in dict.fromkeys(DATA_SCHEMAS.values()))
    for name, schema in (*data, ("ShopEvent", ShopEventSchema),
                         ("ShopEventBatch", ShopEventBatchSchema), ("Ack", AckSchema),
                         ("Error", ErrorSchema), ("PromoCode", PromoCodeSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.parameter("XSignature", "header", _SIGNATURE)
    spec.components.parameter("ShopId", "path", _SHOP_ID)
    spec.components.parameter("XTimestamp", "header", _TIMESTAMP)
    for name, description in _ERRORS.items():
        spec.components.response(name, {"description": description,
                                         "content": {"application/json": {"schema": ErrorSchema}}})


def _ack(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": AckSchema}}}


def _events_operation() -> dict:
    return {
        "operationId": "postShopEvents",
        "summary": "Deliver one event or a batch of events",
        "description": f"A batch holds 1 to {MAX_EVENTS} events. event_id is the idempotency key: "
                       "a retried event is acknowledged again and never processed twice. The body must be a "
                       f"UTF-8 JSON object of at most {MAX_BODY_BYTES} bytes, nested at most {jsonsafe.MAX_DEPTH} "
                       "levels deep, with finite numbers and no NUL character or lone surrogate in any string "
                       "or key (else 400 invalid_json or 413). Other control characters are dropped from text "
                       "fields.",
        "parameters": ["ShopId", "XSignature"],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": EVENT_BODY}}},
        "responses": {
            "202": _ack("Stored for processing; at least one event was new."),
            "200": _ack("Every event was received before; nothing new was stored."),
            "400": "BadRequest", "401": "Unauthorized", "404": "NotFound",
            "413": "PayloadTooLarge", "422": "Unprocessable",
        },
    }


def _platform_operation(platform: str, header: str) -> dict:
    signature = {"in": "header", "name": header, "required": True, "schema": {"type": "string"},
                 "description": "base64 HMAC-SHA256 of the raw body, keyed with the shop's secret."}
    return {
        "operationId": f"post{platform.title()}Webhook",
        "summary": f"Receive {platform.title()} order webhooks as the platform sends them",
        "description": "Order create/update deliveries are mapped onto order.created / order.updated "
                       "(see the README for the status mapping); other topics are acknowledged and ignored.",
        "parameters": ["ShopId", signature],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "202": _ack("Stored for processing."), "200": _ack("Received before, or a topic we ignore."),
            "400": "BadRequest", "401": "Unauthorized", "404": "NotFound",
            "413": "PayloadTooLarge", "422": "Unprocessable",
        },
    }


def _promo_code_operation() -> dict:
    def error(description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": ErrorSchema}}}

    return {
        "operationId": "getPromoCode",
        "summary": "Check a promo code issued by the issue_promo_code robot",
        "description": "Answers whether the code may be applied now. Unknown codes, codes of another portal, "
                       "expired and used codes answer 200 with valid=false and the reason. Report the use "
                       "by sending the order with data.promo_code; the code is then marked used.",
        "parameters": ["ShopId", _CODE, _GET_SIGNATURE, "XTimestamp"],
        "responses": {
            "200": {"description": "The code's state.",
                    "content": {"application/json": {"schema": PromoCodeSchema}}},
            "401": error("X-Signature is missing or wrong, or X-Timestamp is missing or not within "
                         f"{MAX_SKEW} seconds of the server's clock."),
            "404": "NotFound",
        },
    }

"""OpenAPI 3 description of the shop-facing API, generated from the event schemas."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields
from marshmallow.validate import Range

from bitrix_app.orders.schemas import (
    DATA_SCHEMAS,
    MAX_EVENTS,
    AckSchema,
    CartClearedSchema,
    CartSchema,
    CustomerUpdatedSchema,
    ErrorSchema,
    EventData,
    OrderSchema,
    ShopEventBatchSchema,
    ShopEventSchema,
)

OPENAPI_VERSION = "3.0.3"
EVENTS_PATH = "/shop/v1/{shop_id}/events"

_SIGNATURE = {
    "in": "header",
    "name": "X-Signature",
    "required": True,
    "description": "sha256=<hex HMAC-SHA256 of the raw request body, keyed with the shop's secret>. "
                   "The body is signed byte for byte as sent; an empty body (GET) is signed as the empty string.",
    "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"},
}
_SHOP_ID = {"in": "path", "name": "shop_id", "required": True, "schema": {"type": "string"},
            "description": "The shop's id, issued when the shop is connected to a portal."}
_ERRORS = {
    "BadRequest": "The body is not JSON.",
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
    _add_components(spec)
    spec.path(path=EVENTS_PATH, operations={"post": _events_operation()})
    for platform, header in (("woocommerce", "X-WC-Webhook-Signature"), ("shopify", "X-Shopify-Hmac-Sha256")):
        spec.path(path=f"/shop/v1/{{shop_id}}/{platform}", operations={"post": _platform_operation(platform, header)})
    return spec.to_dict()


def _event_data2properties(self, field, **_):
    """Describe an event's data as one of the data schemas, chosen by the event's type."""
    if not isinstance(field, EventData):
        return {}
    by_type = ", ".join(f"{kind} -> {schema.__name__.removesuffix('Schema')}"
                        for kind, schema in DATA_SCHEMAS.items())
    return {"type": "object", "description": f"Depends on type: {by_type}.",
            "oneOf": [self.resolve_nested_schema(schema) for schema in dict.fromkeys(DATA_SCHEMAS.values())]}


def _decimal2properties(self, field, **_):
    """Give decimal bounds as JSON numbers (apispec writes them as strings) and keep exclusive minimums."""
    if not isinstance(field, fields.Decimal):
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
    for name, schema in (("Order", OrderSchema), ("Cart", CartSchema), ("CartCleared", CartClearedSchema),
                         ("CustomerUpdated", CustomerUpdatedSchema), ("ShopEvent", ShopEventSchema),
                         ("ShopEventBatch", ShopEventBatchSchema), ("Ack", AckSchema),
                         ("Error", ErrorSchema)):
        spec.components.schema(name, schema=schema)
    spec.components.parameter("XSignature", "header", _SIGNATURE)
    spec.components.parameter("ShopId", "path", _SHOP_ID)
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
                       "a retried event is acknowledged again and never processed twice.",
        "parameters": ["ShopId", "XSignature"],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"oneOf": [ShopEventSchema, ShopEventBatchSchema]}}}},
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

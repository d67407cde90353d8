"""The OpenAPI shape of a shop event: a union discriminated by `type`, and the rules marshmallow states in code
(customer.updated needs a phone or an e-mail; a body is one event or a batch, never both)."""
from __future__ import annotations

from bitrix_app.orders.iso4217 import ISO_4217
from bitrix_app.orders.normalise import MEANINGFUL
from bitrix_app.orders.schemas import DATA_SCHEMAS

_REF = "#/components/schemas/"
EVENT_BODY = {"oneOf": [{"$ref": f"{_REF}ShopEvent"}, {"$ref": f"{_REF}ShopEventBatch"}]}


def _data_name(kind: str) -> str:
    """The component name of an event type's data schema (apispec's: OrderSchema -> Order)."""
    return DATA_SCHEMAS[kind].__name__.removesuffix("Schema")


def _envelope(kind: str, base: dict) -> dict:
    data = _data_name(kind)
    return {
        "type": "object",
        "description": f"An event of type {kind}; its data follows the {data} schema.",
        "required": ["event_id", "type", "occurred_at", "data"],
        "properties": {
            "event_id": base["properties"]["event_id"],
            "type": {"type": "string", "enum": [kind]},
            "occurred_at": base["properties"]["occurred_at"],
            "data": {"$ref": f"{_REF}{data}"},
        },
    }


def _event_name(kind: str) -> str:
    """order.created -> OrderCreatedEvent: one envelope per type keeps the discriminator's mapping one-to-one."""
    return "".join(part.title() for part in kind.split(".")) + "Event"


def _type_to_data() -> str:
    """`order.created and order.updated: Order; cart.updated: Cart; ...` from the registry's data schemas."""
    kinds: dict[str, list[str]] = {}
    for kind in DATA_SCHEMAS:
        kinds.setdefault(_data_name(kind), []).append(kind)
    return "; ".join(f"{' and '.join(names)}: {data}" for data, names in kinds.items())


def event_components(generated: dict) -> dict[str, dict]:
    """Components that replace or add to apispec's output: ShopEvent as a discriminated union of one
    envelope per data schema, and CustomerUpdated with its phone-or-e-mail rule."""
    base = generated["ShopEvent"]
    envelopes = {_event_name(kind): _envelope(kind, base) for kind in DATA_SCHEMAS}
    shop_event = {
        "type": "object",
        "description": f"One shop event. type selects the schema of data ({_type_to_data()}). "
                       "A body with an events array is a batch, not a single event.",
        "required": base["required"],
        "properties": {**base["properties"], "data": {"type": "object"}},
        "not": {"required": ["events"]},
        "oneOf": [{"$ref": f"{_REF}{name}"} for name in envelopes],
        "discriminator": {"propertyName": "type",
                          "mapping": {kind: f"{_REF}{_event_name(kind)}" for kind in DATA_SCHEMAS}},
    }
    customer_updated = dict(generated["CustomerUpdated"])
    contact = {"type": "string", "pattern": MEANINGFUL}
    customer_updated["properties"] = {**customer_updated["properties"], "customer": {"allOf": [
        {"$ref": f"{_REF}Customer"},
        {"description": "A phone or an e-mail is required: at least one of them is a string holding a "
                        "character other than whitespace or control characters.",
         "anyOf": [{"required": ["phone"], "properties": {"phone": contact}},
                   {"required": ["email"], "properties": {"email": contact}}]},
    ]}}
    customer = dict(generated["Customer"])  # the normalised keys are the server's, never read from a request
    customer["properties"] = {k: v for k, v in customer["properties"].items() if not v.get("readOnly")}
    return {**envelopes, "ShopEvent": shop_event, "CustomerUpdated": customer_updated, "Customer": customer}


CURRENCY_DESCRIPTION = (
    "An ISO 4217 code (the enum). Where the app knows the portal's own currencies (crm.currency.list, read at "
    "setup and refreshed daily), the code must also be one of them, else the event is refused with 422 at "
    "data.currency and the allowed codes. " + f"{len(ISO_4217)} codes are known.")

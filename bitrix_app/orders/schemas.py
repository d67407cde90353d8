"""Marshmallow schemas of the canonical shop events, and load_events for the events endpoint body."""
from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from bitrix_app.orders.fields import BoundedList, Id, Timestamp
from bitrix_app.orders.event_data import (  # noqa: F401  (the edge's schemas, re-exported)
    GENDERS,
    MAX_ITEMS,
    ORDER_STATUSES,
    Base,
    CartClearedSchema,
    CartSchema,
    ConsentSchema,
    CustomerSchema,
    CustomerUpdatedSchema,
    DeliverySchema,
    ItemSchema,
    OrderSchema,
    UtmSchema,
)
from bitrix_app.orders.event_types import shop_schemas
from bitrix_app.orders.iso4217 import allowed_codes

MAX_EVENTS = 500
DATA_SCHEMAS = MappingProxyType(shop_schemas())  # type -> data schema, from the event-type registry


class EventData(fields.Field):
    """The data object of an event, loaded and dumped by the schema its sibling type names."""

    default_error_messages = {"invalid": "Not a valid JSON object."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        kind = data.get("type")
        schema = DATA_SCHEMAS.get(kind) if isinstance(kind, str) else None
        # An unknown type is reported on its own field; there is no schema to check data against.
        return schema_instance(schema).load(value) if schema else value

    def _serialize(self, value, attr, obj, **kwargs):
        return DATA_SCHEMAS[obj["type"]]().dump(value)


class ShopEventSchema(Base):
    """One shop event; data is checked against the schema of its type."""

    event_id = Id(required=True)
    type = fields.String(required=True, validate=OneOf(tuple(DATA_SCHEMAS)))
    occurred_at = Timestamp(required=True)
    data = EventData(required=True)


class ShopEventBatchSchema(Base):
    """Several events in one body, delivered in order."""

    events = BoundedList(fields.Nested(ShopEventSchema), required=True, validate=Length(1, MAX_EVENTS))


class AckSchema(Base):
    """Answer to an accepted (202) or fully duplicate (200) delivery."""

    status = fields.String(required=True, validate=OneOf(("accepted", "duplicate", "ignored")))
    accepted = fields.Integer(required=True, metadata={"description": "Events stored for processing."})
    duplicates = fields.Integer(required=True, metadata={"description": "Events already received before."})


class ErrorSchema(Base):
    """Every error answer: a code, a readable message and details such as field paths."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(load_default=dict, metadata={
        "description": "For validation errors: field path (events.3.data.items.0.price) -> list of messages."})


class PromoCodeSchema(Base):
    """Answer of the promo-code check."""

    code = fields.String(required=True, metadata={"description": "The code as stored (upper case)."})
    valid = fields.Boolean(required=True, metadata={"description": "True: not expired, not used, of this portal."})
    reason = fields.String(allow_none=True, load_default=None, validate=OneOf(("unknown", "expired", "used")),
                           metadata={"description": "Why valid is false; null when valid. Codes of another "
                                                    "portal are unknown."})
    discount_percent = fields.Decimal(required=True, as_string=True, allow_none=True, validate=Range(0, 100))
    expires_at = Timestamp(required=True, allow_none=True)


@lru_cache(maxsize=None)
def schema_instance(cls: type[Schema]) -> Schema:
    """One reusable instance per schema class: building a schema deep-copies its fields, which costs more than
    loading a small event (schemas hold no per-load state)."""
    return cls()


def load_events(body, currencies=None) -> list[dict]:
    """Load a single event or an {"events": [...]} batch; errors carry dotted field paths.

    `currencies` are the portal's own currency codes when known: an event in another currency is refused
    here rather than by the portal on every retry. None (not known yet) leaves the ISO 4217 check alone."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["Body must be a JSON object."]})
    batch = "events" in body
    try:
        events = schema_instance(ShopEventBatchSchema).load(body)["events"] if batch else \
            [schema_instance(ShopEventSchema).load(body)]
    except ValidationError as err:
        raise ValidationError(flatten_errors(err.messages)) from err
    if currencies:
        _check_currencies(events, allowed_codes(currencies), "events." if batch else "")
    return events


def _check_currencies(events: list[dict], allowed: frozenset[str], prefix: str) -> None:
    wrong = {f"{prefix}{n}.data.currency" if prefix else "data.currency": ev["data"]["currency"]
             for n, ev in enumerate(events) if "currency" in ev["data"] and ev["data"]["currency"] not in allowed}
    if wrong:
        codes = ", ".join(sorted(allowed))
        raise ValidationError({path: [f"{code} is not a currency of this portal; allowed: {codes}."]
                               for path, code in wrong.items()})


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into {"events.3.data.items.0.price": [...]}."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": list(messages) if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        path = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
        for sub_path, errors in flatten_errors(value, path).items():
            flat.setdefault(sub_path, []).extend(errors)
    return flat


def event_to_json(event: dict) -> dict:
    """Dump a loaded event to JSON-safe primitives (decimals as strings, ISO datetimes) for queues."""
    return schema_instance(ShopEventSchema).dump(event)

"""Marshmallow schemas of the canonical shop events, and load_events for the events endpoint body."""
from __future__ import annotations

from datetime import timezone
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf, Range, Regexp

from bitrix_app.orders.normalise import email_key, phone_e164

ORDER_STATUSES = ("new", "pending_payment", "paid", "shipped", "ready_for_pickup", "delivered",
                  "completed", "cancelled", "refunded")
GENDERS = ("male", "female")
MAX_EVENTS = 500
MAX_ITEMS = 1000
MAX_MONEY = Decimal("1e12")


class _Base(Schema):
    class Meta:
        unknown = EXCLUDE


class Id(fields.String):
    """A shop identifier: a string, or an integer the shop did not quote; kept as a trimmed string."""

    def __init__(self, **kwargs):
        super().__init__(validate=Length(1, 100), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Text(fields.String):
    """Free text up to 255 characters, absent or null allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("load_default", None)
        super().__init__(allow_none=True, validate=Length(max=255), **kwargs)


class Money(fields.Decimal):
    """A non-negative amount: a JSON number or a decimal string, dumped as a string to keep precision."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, validate=Range(0, MAX_MONEY), **kwargs)


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 datetime that must carry a UTC offset; naive ones are ambiguous and rejected."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 datetime.",
        "invalid_awareness": "Datetime must carry a UTC offset, e.g. 2026-01-15T10:00:00+03:00.",
    }

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # stored as UTC everywhere: SQLite keeps no offset, so +03:00 would come back three hours off
        return super()._deserialize(value, attr, data, **kwargs).astimezone(timezone.utc)


class BoundedList(fields.List):
    """A list whose Length validators run before its items are loaded, so oversized bodies fail fast."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            for validator in self.validators:
                if isinstance(validator, Length):
                    validator(value)
        return super()._deserialize(value, attr, data, **kwargs)


class ConsentSchema(_Base):
    email = fields.Boolean(load_default=False)
    sms = fields.Boolean(load_default=False)


class CustomerSchema(_Base):
    """The buyer as the shop knows them; loading adds phone_e164 and email_key next to the raw values."""

    email = Text()
    phone = Text()
    first_name = Text()
    last_name = Text()
    birthday = fields.Date(allow_none=True, load_default=None)
    gender = fields.String(allow_none=True, load_default=None, validate=OneOf(GENDERS))
    consent = fields.Nested(ConsentSchema, load_default=lambda: {"email": False, "sms": False})
    phone_e164 = fields.String(dump_only=True, allow_none=True)
    email_key = fields.String(dump_only=True, allow_none=True)

    @post_load
    def _normalise(self, data, **_):
        data["phone_e164"] = phone_e164(data["phone"])
        data["email_key"] = email_key(data["email"])
        return data


class ItemSchema(_Base):
    sku = Id(required=True)
    name = fields.String(required=True, validate=Length(1, 255))
    category = Text()
    price = Money(required=True)
    quantity = fields.Decimal(required=True, as_string=True,
                              validate=Range(0, 1_000_000, min_inclusive=False))


class UtmSchema(_Base):
    source = Text()
    medium = Text()
    campaign = Text()


class DeliverySchema(_Base):
    method = Text()
    pickup_point = Text()
    tracking = Text()


def _currency(**kwargs) -> fields.String:
    """An ISO 4217 alphabetic code such as RUB."""
    return fields.String(validate=Regexp(r"^[A-Z]{3}$", error="Must be an ISO 4217 code of 3 capital letters."),
                         **kwargs)


class OrderSchema(_Base):
    """Data of order.created and order.updated; updated_at is the version the sync keeps the newest of."""

    order_id = Id(required=True)
    number = Text()
    status = fields.String(required=True, validate=OneOf(ORDER_STATUSES))
    customer = fields.Nested(CustomerSchema, required=True)
    items = BoundedList(fields.Nested(ItemSchema), required=True, validate=Length(1, MAX_ITEMS))
    total = Money(required=True)
    currency = _currency(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    utm = fields.Nested(UtmSchema, load_default=lambda: {"source": None, "medium": None, "campaign": None})
    delivery = fields.Nested(DeliverySchema,
                             load_default=lambda: {"method": None, "pickup_point": None, "tracking": None})
    cart_id = Id(allow_none=True, load_default=None)
    promo_code = Text()


class CartSchema(_Base):
    """Data of cart.updated: the basket a customer left, the input of abandoned-cart reminders."""

    cart_id = Id(required=True)
    customer = fields.Nested(CustomerSchema, required=True)
    items = BoundedList(fields.Nested(ItemSchema), required=True, validate=Length(max=MAX_ITEMS))
    total = Money(required=True)
    currency = _currency(required=True)
    updated_at = Timestamp(required=True)


class CartClearedSchema(_Base):
    """Data of cart.cleared: the basket was emptied or turned into an order."""

    cart_id = Id(required=True)
    updated_at = Timestamp(required=True)


class CustomerUpdatedSchema(_Base):
    """Data of customer.updated; without a phone or an e-mail there is no contact to update."""

    customer = fields.Nested(CustomerSchema, required=True)
    updated_at = Timestamp(required=True)

    @validates_schema
    def _identifies_someone(self, data, **_):
        customer = data.get("customer") or {}
        if not (customer.get("email") or "").strip() and not (customer.get("phone") or "").strip():
            raise ValidationError({"customer": {"_schema": ["Give the customer's phone or e-mail."]}})


DATA_SCHEMAS = MappingProxyType({
    "order.created": OrderSchema,
    "order.updated": OrderSchema,
    "cart.updated": CartSchema,
    "cart.cleared": CartClearedSchema,
    "customer.updated": CustomerUpdatedSchema,
})


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


class ShopEventSchema(_Base):
    """One shop event; data is checked against the schema of its type."""

    event_id = Id(required=True)
    type = fields.String(required=True, validate=OneOf(tuple(DATA_SCHEMAS)))
    occurred_at = Timestamp(required=True)
    data = EventData(required=True)


class ShopEventBatchSchema(_Base):
    """Several events in one body, delivered in order."""

    events = BoundedList(fields.Nested(ShopEventSchema), required=True, validate=Length(1, MAX_EVENTS))


class AckSchema(_Base):
    """Answer to an accepted (202) or fully duplicate (200) delivery."""

    status = fields.String(required=True, validate=OneOf(("accepted", "duplicate", "ignored")))
    accepted = fields.Integer(required=True, metadata={"description": "Events stored for processing."})
    duplicates = fields.Integer(required=True, metadata={"description": "Events already received before."})


class ErrorSchema(_Base):
    """Every error answer: a code, a readable message and details such as field paths."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(load_default=dict, metadata={
        "description": "For validation errors: field path (events.3.data.items.0.price) -> list of messages."})


class PromoCodeSchema(_Base):
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


def load_events(body) -> list[dict]:
    """Load a single event or an {"events": [...]} batch; errors carry dotted field paths."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["Body must be a JSON object."]})
    try:
        if "events" in body:
            return schema_instance(ShopEventBatchSchema).load(body)["events"]
        return [schema_instance(ShopEventSchema).load(body)]
    except ValidationError as err:
        raise ValidationError(flatten_errors(err.messages)) from err


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

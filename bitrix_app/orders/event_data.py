"""Marshmallow schemas of the data objects of canonical shop events (one per event type; the event-type
registry in `event_types` names which type uses which)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf

from bitrix_app.orders.fields import (
    BoundedList,
    Currency,
    Id,
    Money,
    Quantity,
    Text,
    Timestamp,
)
from bitrix_app.orders.normalise import email_key, phone_e164

ORDER_STATUSES = ("new", "pending_payment", "paid", "shipped", "ready_for_pickup", "delivered",
                  "completed", "cancelled", "refunded")
GENDERS = ("male", "female")
MAX_ITEMS = 1000


class Base(Schema):
    class Meta:
        unknown = EXCLUDE


class ConsentSchema(Base):
    email = fields.Boolean(load_default=False)
    sms = fields.Boolean(load_default=False)


class CustomerSchema(Base):
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


class ItemSchema(Base):
    sku = Id(required=True)
    name = Text(required=True, required_text=True)
    category = Text()
    price = Money(required=True)
    quantity = Quantity(required=True)


class UtmSchema(Base):
    source = Text()
    medium = Text()
    campaign = Text()


class DeliverySchema(Base):
    method = Text()
    pickup_point = Text()
    tracking = Text()


class OrderSchema(Base):
    """Data of order.created and order.updated; updated_at is the version the sync keeps the newest of."""

    order_id = Id(required=True)
    number = Text()
    status = fields.String(required=True, validate=OneOf(ORDER_STATUSES))
    customer = fields.Nested(CustomerSchema, required=True)
    items = BoundedList(fields.Nested(ItemSchema), required=True, validate=Length(1, MAX_ITEMS))
    total = Money(required=True)
    currency = Currency(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    utm = fields.Nested(UtmSchema, load_default=lambda: {"source": None, "medium": None, "campaign": None})
    delivery = fields.Nested(DeliverySchema,
                             load_default=lambda: {"method": None, "pickup_point": None, "tracking": None})
    cart_id = Id(allow_none=True, load_default=None)
    promo_code = Text()


class CartSchema(Base):
    """Data of cart.updated: the basket a customer left, the input of abandoned-cart reminders."""

    cart_id = Id(required=True)
    customer = fields.Nested(CustomerSchema, required=True)
    items = BoundedList(fields.Nested(ItemSchema), required=True, validate=Length(max=MAX_ITEMS))
    total = Money(required=True)
    currency = Currency(required=True)
    updated_at = Timestamp(required=True)


class CartClearedSchema(Base):
    """Data of cart.cleared: the basket was emptied or turned into an order."""

    cart_id = Id(required=True)
    updated_at = Timestamp(required=True)


class CustomerUpdatedSchema(Base):
    """Data of customer.updated; without a phone or an e-mail there is no contact to update."""

    customer = fields.Nested(CustomerSchema, required=True)
    updated_at = Timestamp(required=True)

    @validates_schema
    def _identifies_someone(self, data, **_):
        customer = data.get("customer") or {}
        if not (customer.get("email") or "").strip() and not (customer.get("phone") or "").strip():
            raise ValidationError({"customer": {"_schema": ["Give the customer's phone or e-mail."]}})


class ShopTestSchema(Base):
    """Data of shop.test: a harmless event that proves the shop's signing and delivery work; it is stored,
    marked done and changes nothing in the CRM."""

    test_id = Id(required=True)
    note = Text()
    updated_at = Timestamp(required=True)

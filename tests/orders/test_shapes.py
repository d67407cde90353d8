"""The frozen shapes of an event's customer and items read the same from what the schemas load and what they dump
(a cart row's data, an order row's items)."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bitrix_app.orders.schemas import CartSchema, OrderSchema
from bitrix_app.orders.shapes import CustomerData, LineItem, line_items

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc).isoformat()
CUSTOMER = {"email": " Ann@Example.COM ", "phone": "8 (999) 123-45-67", "first_name": "Анна", "last_name": "Lee",
            "birthday": "1990-05-17", "gender": "female", "consent": {"email": True}}
ITEMS = [{"sku": 42, "name": "City bike", "category": "bikes", "price": "1990.50", "quantity": 2},
         {"sku": "TEA", "name": "Чай", "price": 0.1, "quantity": "0.5"}]
CART = {"cart_id": "C1", "customer": CUSTOMER, "items": ITEMS, "total": "3981.05", "currency": "RUB", "updated_at": T}


def test_a_loaded_customer_and_the_same_customer_dumped_read_the_same():
    loaded = CartSchema().load(CART)
    from_event = CustomerData.from_dict(loaded["customer"])
    from_row = CustomerData.from_dict(CartSchema().dump(loaded)["customer"])
    assert from_event.birthday == date(1990, 5, 17) and from_row.birthday == "1990-05-17"
    assert dataclasses.replace(from_event, birthday=None) == dataclasses.replace(from_row, birthday=None)
    assert from_event == CustomerData(first_name="Анна", last_name="Lee", email=" Ann@Example.COM ",
                                      phone="8 (999) 123-45-67", phone_e164="+79991234567",
                                      email_key="ann@example.com", birthday=date(1990, 5, 17), gender="female",
                                      consent_email=True, consent_sms=False)
    assert from_event.birthday_text == from_row.birthday_text == "1990-05-17"
    assert from_event.reach == ("+79991234567", "ann@example.com")


def test_no_customer_is_an_empty_one():
    assert CustomerData.from_dict(None) == CustomerData.from_dict({}) == CustomerData()
    assert CustomerData().reach == () and CustomerData().birthday_text is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        CustomerData().email = "x@example.com"


def test_loaded_and_stored_items_read_the_same_and_store_as_decimal_strings():
    loaded = OrderSchema().load({**CART, "order_id": "O1", "status": "paid", "created_at": T})
    items = line_items(loaded["items"])
    assert items == (LineItem("42", "City bike", Decimal("1990.50"), Decimal(2), "bikes"),
                     LineItem("TEA", "Чай", Decimal("0.1"), Decimal("0.5"), None))
    stored = [i.stored() for i in items]
    assert stored == [{"sku": "42", "name": "City bike", "category": "bikes", "price": "1990.50", "quantity": "2"},
                      {"sku": "TEA", "name": "Чай", "category": None, "price": "0.1", "quantity": "0.5"}]
    assert line_items(stored) == items
    assert line_items(CartSchema().dump(CartSchema().load(CART))["items"]) == items
    assert [i.amount for i in items] == [Decimal("3981.00"), Decimal("0.05")]


def test_an_item_imported_without_amounts_counts_one_at_no_price():
    assert LineItem.from_dict({"sku": "X"}) == LineItem("X", "", Decimal(0), Decimal(1), None)
    assert line_items(None) == line_items([]) == ()

"""Frozen shapes of the nested data of shop events and shop rows: the customer an event names and the line items
of an order or a cart.

`from_dict` takes what the schemas of `event_data` load (a date, decimals) as well as what they dump (ISO text,
decimal strings: a cart row's data, an order row's items), so code reads attributes instead of digging into
nested dicts; the stored documents keep their JSON form (`LineItem.stored`)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CustomerData:
    """The buyer as an order, a cart or a customer.updated event names them (CustomerSchema)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_e164: str | None = None  # the phone in E.164; None when it cannot be a real number
    email_key: str | None = None  # the lower-cased e-mail, the match key
    birthday: date | str | None = None  # a date as loaded, ISO text as dumped
    gender: str | None = None
    consent_email: bool = False
    consent_sms: bool = False

    @classmethod
    def from_dict(cls, data: Mapping | None) -> CustomerData:
        """A loaded or dumped customer; missing keys (a cart without a customer) are empty."""
        data = data or {}
        consent = data.get("consent") or {}
        return cls(first_name=data.get("first_name"), last_name=data.get("last_name"), email=data.get("email"),
                   phone=data.get("phone"), phone_e164=data.get("phone_e164"), email_key=data.get("email_key"),
                   birthday=data.get("birthday"), gender=data.get("gender"),
                   consent_email=bool(consent.get("email")), consent_sms=bool(consent.get("sms")))

    @property
    def birthday_text(self) -> str | None:
        """The birthday as ISO text (YYYY-MM-DD), as the stored profile keeps it."""
        return self.birthday.isoformat() if isinstance(self.birthday, date) else self.birthday

    @property
    def reach(self) -> tuple[str, ...]:
        """The normalised phone and e-mail the customer can be reached by, phone first."""
        return tuple(v for v in (self.phone_e164, self.email_key) if v)


@dataclass(frozen=True)
class LineItem:
    """One item of an order or a cart (ItemSchema); amounts as decimals."""

    sku: str
    name: str
    price: Decimal
    quantity: Decimal
    category: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping) -> LineItem:
        """A loaded or stored item; an item imported without an amount counts one at no price."""
        category = data.get("category")
        return cls(sku=str(data["sku"]), name=str(data.get("name") or ""), price=_decimal(data.get("price", 0)),
                   quantity=_decimal(data.get("quantity", 1)), category=None if category is None else str(category))

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity

    def stored(self) -> dict:
        """The item as an order row keeps it (JSON: amounts as decimal strings)."""
        return {"sku": self.sku, "name": self.name, "category": self.category, "price": str(self.price),
                "quantity": str(self.quantity)}


def line_items(raw: Iterable[Mapping] | None) -> tuple[LineItem, ...]:
    """The items of an event's data or of a stored document (None: no items)."""
    return tuple(LineItem.from_dict(item) for item in raw or ())


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))

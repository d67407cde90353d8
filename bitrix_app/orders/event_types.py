"""The event-type registry: every inbox event type in one place, with its data schema, its subject, the
phase of a drain window it is applied in and the function that applies it.

Adding a shop event type is one `EventType` entry below (plus its data schema in `event_data` and its
handler). The edge reads the schemas (`orders.schemas`: validation, OpenAPI), the inbox reads the subjects
(`inbox.accept`) and the drain reads phases and handlers (`sync.apply`).

Why here, and why handlers are dotted paths: the registry sits with the shop-event schemas, at the bottom of
the packages that read it, so the edge can load it without importing the sync. Handlers live above it
(`sync`, `carts`); naming them by dotted path (`module.attribute`), resolved by `jobs.registry.resolve` only
when a window is applied, keeps every import pointing down: the drain does not import `carts`, and neither
`carts` nor `sync` imports the other.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from marshmallow import Schema

from bitrix_app.orders.event_data import (CartClearedSchema, CartSchema, CustomerUpdatedSchema, OrderSchema,
                                          ShopTestSchema)
from bitrix_app.orders.shapes import CustomerData


class Phase(StrEnum):
    """The phases of a drain window, applied in this order: carts first (local state), then orders (which
    close carts), then customers, then the carts' own due steps (which re-read what orders closed)."""

    CARTS = "carts"
    ORDERS = "orders"
    CUSTOMERS = "customers"
    DUE = "due"
    CHECKS = "checks"  # shop.test: proves delivery, changes nothing


PHASES = tuple(Phase)


@dataclass(frozen=True)
class EventType:
    name: str
    schema: type[Schema] | None  # the data schema of a shop event; None: internal (stored JSON, loaded as is)
    subject: Callable[[dict], str] | None  # what a shop event is about (events of one subject keep their order)
    phase: Phase
    handler: str  # dotted path of `handler(ctx, events) -> {inbox row id: Outcome}`; one handler per phase

    @property
    def internal(self) -> bool:
        return self.schema is None


def _order(data: dict) -> str:
    return f"order:{data['order_id']}"


def _cart(data: dict) -> str:
    return f"cart:{data['cart_id']}"


def _customer(data: dict) -> str:
    customer = CustomerData.from_dict(data["customer"])
    return "customer:" + (customer.phone_e164 or customer.email_key or "")


def _test(data: dict) -> str:
    return f"test:{data['test_id']}"


_ORDERS = "bitrix_app.sync.orders.apply"
_CARTS = "bitrix_app.carts.events.apply"
_CUSTOMERS = "bitrix_app.sync.contacts.apply"
_DUE = "bitrix_app.carts.events.apply_due"
_CHECKS = "bitrix_app.inbox.test_event.apply"

EVENT_TYPES: tuple[EventType, ...] = (
    EventType("order.created", OrderSchema, _order, Phase.ORDERS, _ORDERS),
    EventType("order.updated", OrderSchema, _order, Phase.ORDERS, _ORDERS),
    EventType("cart.updated", CartSchema, _cart, Phase.CARTS, _CARTS),
    EventType("cart.cleared", CartClearedSchema, _cart, Phase.CARTS, _CARTS),
    EventType("customer.updated", CustomerUpdatedSchema, _customer, Phase.CUSTOMERS, _CUSTOMERS),
    # a test delivery (the admin's "send a test event", or a shop checking its signing): marked done, no CRM work
    EventType("shop.test", ShopTestSchema, _test, Phase.CHECKS, _CHECKS),
    # the carts' own timer steps (queued by `carts.timers`, never sent by a shop)
    EventType("cart.abandon_due", None, None, Phase.DUE, _DUE),
    EventType("cart.reminder_due", None, None, Phase.DUE, _DUE),
)

# Dotted paths of the `crm.hooks.OrderHook`s that react to the orders of a window (`find_takeovers` before the
# deals are built, `mark_ordered` while the orders are stored): carts close and hand over their deals.
ORDER_HOOKS: tuple[str, ...] = ("bitrix_app.carts.link.ORDER_HOOK",)

BY_NAME = {t.name: t for t in EVENT_TYPES}


def shop_schemas() -> dict[str, type[Schema]]:
    """Type -> data schema of every event a shop may send."""
    return {t.name: t.schema for t in EVENT_TYPES if t.schema is not None}


def is_internal(name: str) -> bool:
    entry = BY_NAME.get(name)
    return entry is not None and entry.internal


def subject_of(event: dict) -> str:
    """What a loaded shop event is about."""
    return BY_NAME[event["type"]].subject(event["data"])

"""What other packages may do while the sync applies a window's orders, without the sync importing them.

The modules named in the event-type registry's `ORDER_HOOKS` (today `carts.link`: an order closes its
customer's carts and takes over an abandoned-cart deal) provide the two functions of `OrderHook`; the order
sync calls them at the two points named there."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from bitrix_app.orders.event_types import ORDER_HOOKS, resolve

from .context import SyncContext
from .customers import Person
from .window import WindowEvent


class OrderUnderWay(Protocol):
    """The part of the order sync's job that hooks read (`deal_id`) and set (`takeover_deal`)."""

    ev: WindowEvent
    person: Person
    deal_id: int | None
    takeover_deal: int | None

    @property
    def order(self) -> dict: ...


class OrderHook(Protocol):
    def find_takeovers(self, ctx: SyncContext, jobs: list[OrderUnderWay]) -> None:
        """Before the deals are built, for the orders without a deal yet: may set `takeover_deal`."""

    def mark_ordered(self, session: Session, ctx: SyncContext, job: OrderUnderWay) -> None:
        """In the transaction that stores the order (every job of the window, failed ones too)."""


def order_hooks() -> list[OrderHook]:
    return [resolve(path) for path in ORDER_HOOKS]

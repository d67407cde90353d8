"""What other packages may do while the sync applies a window's orders, without the sync importing them.

The event-type registry's `ORDER_HOOKS` names `OrderHook`s by dotted path (today `carts.link.ORDER_HOOK`: an
order closes its customer's carts and takes over an abandoned-cart deal); the order sync calls their two
functions at the two points named there."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from sqlalchemy.orm import Session

from bitrix_app.jobs.registry import resolve
from bitrix_app.orders.event_types import ORDER_HOOKS

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


@dataclass(frozen=True)
class OrderHook:
    """`find_takeovers(ctx, jobs)`: before the deals are built, for the orders without a deal yet; may set
    `takeover_deal`. `mark_ordered(session, ctx, job)`: in the transaction that stores the order (every job of
    the window, failed ones too)."""

    find_takeovers: Callable[[SyncContext, list[OrderUnderWay]], None]
    mark_ordered: Callable[[Session, SyncContext, OrderUnderWay], None]


def order_hooks() -> list[OrderHook]:
    return [resolve(path) for path in ORDER_HOOKS]

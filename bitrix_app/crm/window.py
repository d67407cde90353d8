"""The unit of work of a drain: inbox events loaded back into canonical form."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from bitrix_app.inbox.outcomes import skipped
from bitrix_app.orders.event_types import is_internal
from bitrix_app.orders.schemas import ShopEventSchema, schema_instance
from bitrix_app.orders.shapes import CustomerData, LineItem, line_items


@dataclass
class WindowEvent:
    id: int
    shop_id: str
    type: str
    event: dict
    attempts: int

    @property
    def data(self) -> dict:
        return self.event["data"]

    @property
    def version(self) -> datetime:
        return self.event["data"]["updated_at"]

    @cached_property
    def customer(self) -> CustomerData:
        """The customer an order, cart or customer event names (empty when the data names none)."""
        return CustomerData.from_dict(self.data.get("customer"))

    @cached_property
    def items(self) -> tuple[LineItem, ...]:
        """The items of an order or cart event (none for the other events)."""
        return line_items(self.data.get("items"))


def load(row_id: int, shop_id: str, kind: str, payload: str, attempts: int) -> WindowEvent:
    """Shop events are loaded through their schema again (typed values); internal ones (the registry says
    which) stay JSON."""
    raw = json.loads(payload)
    event = raw if is_internal(kind) else schema_instance(ShopEventSchema).load(raw)
    return WindowEvent(row_id, shop_id, kind, event, attempts)


def newest_per(events: list[WindowEvent], id_field: str, what: str) -> tuple[dict, dict]:
    """The newest event per (shop, data[id_field]) (ties: the later row); the others are superseded."""
    newest: dict[tuple[str, str], WindowEvent] = {}
    outcomes: dict = {}
    for ev in events:
        key = (ev.shop_id, ev.data[id_field])
        current = newest.get(key)
        if current is None or (ev.version, ev.id) > (current.version, current.id):
            if current is not None:
                outcomes[current.id] = skipped(f"superseded by a newer version of the {what}")
            newest[key] = ev
        else:
            outcomes[ev.id] = skipped(f"superseded by a newer version of the {what}")
    return newest, outcomes

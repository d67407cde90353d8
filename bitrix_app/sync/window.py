"""The unit of work of a drain: inbox events loaded back into canonical form."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bitrix_app.orders.schemas import ShopEventSchema

INTERNAL_TYPES = ("cart.abandon_due", "cart.reminder_due")


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


def load(row_id: int, shop_id: str, kind: str, payload: str, attempts: int) -> WindowEvent:
    """Shop events are loaded through their schema again (typed values); internal ones stay JSON."""
    raw = json.loads(payload)
    event = raw if kind in INTERNAL_TYPES else ShopEventSchema().load(raw)
    return WindowEvent(row_id, shop_id, kind, event, attempts)

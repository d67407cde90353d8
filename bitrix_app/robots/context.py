"""What a robot action works with: the call's deal and properties, the portal client, local history."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from bitrix_app.segments.lifecycle import OrderFact
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer, OrderRecord


class RobotError(Exception):
    """An action cannot do its work; the message is shown to managers in the workflow log."""


@dataclass
class Outcome:
    """What an action hands back: return values and a log line for the workflow."""

    values: dict
    log: str


@dataclass
class RobotContext:
    member_id: str
    document_id: list
    properties: dict
    client: Any  # PortalClient, high lane
    sessions: Any
    redis: Any
    now: datetime
    call_id: int | None = None  # the stored robot call (an idempotency key for what the action sends)
    _deal: dict | None = field(default=None, repr=False)

    @property
    def deal_id(self) -> int:
        """The deal's ID from `DEAL_123`; robots of this app run on deals only."""
        last = str(self.document_id[-1] if self.document_id else "")
        kind, _, number = last.rpartition("_")
        if kind.upper() != "DEAL" or not number.isdigit():
            raise RobotError(f"this robot works on deals, not on {last or 'an unknown document'}")
        return int(number)

    def deal(self) -> dict:
        if self._deal is None:
            self._deal = self.client.call("crm.deal.get", {"id": self.deal_id}) or {}
        return self._deal

    def prop(self, name: str, default: Any = None) -> Any:
        value = self.properties.get(name)
        return default if value in (None, "", []) else value

    def int_prop(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.prop(name, default)
        try:
            value = int(str(raw).strip())
        except ValueError as exc:
            raise RobotError(f"property {name} must be a whole number, not {raw!r}") from exc
        if not low <= value <= high:
            raise RobotError(f"property {name} must be between {low} and {high}, not {value}")
        return value

    def customer_id(self) -> int | None:
        """The local customer behind the deal: its order's customer, else the deal's contact."""
        with transaction(self.sessions) as s:
            found = s.scalar(select(OrderRecord.customer_id).where(
                OrderRecord.member_id == self.member_id, OrderRecord.deal_id == self.deal_id,
                OrderRecord.customer_id.is_not(None)).limit(1))
        if found is not None:
            return found
        contact = user_id(self.deal().get("CONTACT_ID"))
        if not contact:
            return None
        with transaction(self.sessions) as s:
            return s.scalar(select(Customer.id).where(Customer.member_id == self.member_id,
                                                      Customer.contact_id == contact).order_by(Customer.id).limit(1))

    def orders(self, customer_id: int | None) -> list[OrderRecord]:
        if customer_id is None:
            return []
        with transaction(self.sessions) as s:
            return list(s.scalars(select(OrderRecord).where(
                OrderRecord.member_id == self.member_id, OrderRecord.customer_id == customer_id)
                .order_by(OrderRecord.ordered_at)))


def facts(orders: list[OrderRecord]) -> list[OrderFact]:
    return [OrderFact(o.status, money(o.total), utc(o.ordered_at), o.currency) for o in orders]


def items_of(stored: str | None) -> list[dict]:
    """An order's items (stored as JSON); unreadable items count as none."""
    try:
        items = json.loads(stored or "[]")
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def user_id(value: Any) -> int | None:
    """`user_5`, `U5` or `5` (how user values travel) -> 5."""
    text = str(value or "").strip().lower()
    for prefix in ("user_", "u"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return int(text) if text.isdigit() and int(text) > 0 else None


def user_ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [v for v in str(value or "").split(",")]
    return [u for u in (user_id(v) for v in values) if u is not None]

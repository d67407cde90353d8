"""What a robot action works with: the call's document (a deal or a lead) and properties, the portal client,
local history."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bitrix_app.scope import ScopedContext
from bitrix_app.segments import OrderFact
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import OrderRecord

from . import documents
from .documents import Kind

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope


class RobotError(Exception):
    """An action cannot do its work; the message is shown to managers in the workflow log."""


@dataclass
class Outcome:
    """What an action hands back: return values and a log line for the workflow."""

    values: dict
    log: str


@dataclass
class RobotContext(ScopedContext):
    scope: "PortalScope"  # the portal, on the high lane
    document_id: list
    properties: dict
    now: datetime
    call_id: int | None = None  # the stored robot call (an idempotency key for what the action sends)
    _document: dict | None = field(default=None, repr=False)

    def _parsed(self) -> tuple[Kind, int]:
        parsed = documents.parse(self.document_id)
        if parsed is None:
            doc = self.document_id
            last = (doc[-1] if doc else None) if isinstance(doc, (list, tuple)) else doc
            raise RobotError(f"this robot works on deals and leads, not on {last or 'an unknown document'}")
        return parsed

    @property
    def kind(self) -> Kind:
        """DEAL or LEAD, from `DEAL_123` / `LEAD_7`; any other document is a RobotError."""
        return self._parsed()[0]

    @property
    def doc_id(self) -> int:
        """The ID of the deal or lead the robot runs on."""
        return self._parsed()[1]

    @property
    def owner_type_id(self) -> int:
        """What activities and messages of this call are owned by: 2 a deal, 1 a lead."""
        return self.kind.owner_type_id

    @property
    def noun(self) -> str:
        return self.kind.noun

    @property
    def deal_id(self) -> int | None:
        """The deal's ID when the robot runs on a deal; None on a lead."""
        kind, number = self._parsed()
        return number if kind is documents.DEAL else None

    def document(self) -> dict:
        """The deal or lead as crm.deal.get / crm.lead.get answer it (read once per run)."""
        if self._document is None:
            self._document = self.client.call(self.kind.get_method, {"id": self.doc_id}) or {}
        return self._document

    def deal(self) -> dict:
        """The document (kept for callers written for deals): a lead has the same ASSIGNED_BY_ID and CONTACT_ID."""
        return self.document()

    def update_document(self, fields: dict) -> None:
        self.client.call(self.kind.update_method, {"id": self.doc_id, "fields": fields})
        if self._document is not None:
            self._document.update(fields)

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
        """The local customer behind the document: a deal's order customer, else the customer of the document's
        contact, else (a lead) the customer owning one of the lead's phones or e-mails; None when there is none."""
        if self.deal_id is not None:
            with transaction(self.sessions) as s:
                found = s.scalar(select(OrderRecord.customer_id).where(
                    OrderRecord.member_id == self.member_id, OrderRecord.deal_id == self.deal_id,
                    OrderRecord.customer_id.is_not(None)).limit(1))
            if found is not None:
                return found
        doc = self.document()
        with transaction(self.sessions) as s:
            found = documents.customer_by_contact(s, self.member_id, user_id(doc.get("CONTACT_ID")))
            if found is None and self.kind is documents.LEAD:
                found = documents.customer_by_keys(s, self.member_id, documents.match_keys(doc))
        return found

    def orders(self, customer_id: int | None) -> list[OrderRecord]:
        if customer_id is None:
            return []
        with transaction(self.sessions) as s:
            return list(s.scalars(select(OrderRecord).where(
                OrderRecord.member_id == self.member_id, OrderRecord.customer_id == customer_id)
                .order_by(OrderRecord.ordered_at)))


def facts(orders: list[OrderRecord]) -> list[OrderFact]:
    return [OrderFact(o.status, money(o.total), utc(o.ordered_at), o.currency) for o in orders]


def items_of(stored: list | None) -> list[dict]:
    """An order's items (its JSON column); anything but a list of objects counts as none."""
    return [i for i in stored if isinstance(i, dict)] if isinstance(stored, list) else []


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

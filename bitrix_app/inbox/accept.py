"""Store accepted shop events: one row per (shop, event_id), committed before the shop hears 2xx."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy.orm import Session

from bitrix_app.orders import event_types
from bitrix_app.orders.schemas import event_to_json
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

SUBJECT_LIMIT = 160


@dataclass(frozen=True)
class Accepted:
    accepted: int
    duplicates: int


def subject_of(event: dict) -> str:
    """What the event is about (its type's entry in the event-type registry says); events of one subject are
    applied in version order."""
    return event_types.subject_of(event)[:SUBJECT_LIMIT]


def _row(shop_id: str, member_id: str, event: dict, now: datetime, raw: dict | None) -> dict:
    return {
        "shop_id": shop_id, "member_id": member_id, "event_id": event["event_id"], "type": event["type"],
        "subject": subject_of(event), "version": event["data"].get("updated_at"),
        # the event as the shop sent it (already validated) or, without it, dumped back from the loaded form
        "payload": json.dumps(raw if raw is not None else event_to_json(event), separators=(",", ":"),
                              ensure_ascii=False),
        "status": InboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "received_at": now,
    }


def accept(session: Session, shop_id: str, member_id: str, events: list[dict], now: datetime,
           raw: list[dict] | None = None) -> Accepted:
    """Insert the events not seen before; the caller commits. A twin delivery, earlier or concurrent, is a
    duplicate: the database skips what its unique key already holds (INSERT ... ON CONFLICT DO NOTHING).

    `raw`, when given, holds the same events as received (aligned with `events`) and is what gets stored."""
    fresh: dict[str, tuple[dict, dict | None]] = {}
    for n, event in enumerate(events):
        fresh.setdefault(event["event_id"], (event, raw[n] if raw is not None else None))
    rows = [_row(shop_id, member_id, e, now, r) for e, r in fresh.values()]
    connection = session.connection()  # a Core insert of plain rows: the ORM's bulk path costs more than the SQL
    inserted = len(connection.execute(_insert_new(connection.dialect.name), rows).all())
    return Accepted(inserted, len(events) - inserted)


@cache
def _insert_new(dialect: str):
    """The statement, built once per dialect (it holds no values)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    table = InboxEvent.__table__
    return (dialect_insert(table).on_conflict_do_nothing(index_elements=["shop_id", "event_id"])
            .returning(table.c.id))

"""Operator views of the inbox: list events by status, replay dead letters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

STATUSES = tuple(s.value for s in InboxStatus)  # plain strings: command-line choices, listings


def _iso(value):
    value = utc(value)
    return value.isoformat() if value else None


def listing(session: Session, status: str | None, member_id: str | None, shop_id: str | None,
            limit: int) -> list[dict]:
    q = select(InboxEvent).order_by(InboxEvent.id.desc()).limit(limit)
    if status:
        q = q.where(InboxEvent.status == status)
    if member_id:
        q = q.where(InboxEvent.member_id == member_id)
    if shop_id:
        q = q.where(InboxEvent.shop_id == shop_id)
    return [{"id": e.id, "shop_id": e.shop_id, "member_id": e.member_id, "event_id": e.event_id,
             "type": e.type, "subject": e.subject, "status": e.status, "attempts": e.attempts,
             "last_error": e.last_error, "received_at": _iso(e.received_at),
             "next_attempt_at": _iso(e.next_attempt_at), "processed_at": _iso(e.processed_at)}
            for e in session.scalars(q)]


def counts(session: Session, member_id: str | None = None) -> dict[str, int]:
    q = select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
    if member_id:
        q = q.where(InboxEvent.member_id == member_id)
    found = dict(session.execute(q).all())
    return {s: int(found.get(s, 0)) for s in STATUSES}


def replay(session: Session, now: datetime, ids: list[int] | None = None, member_id: str | None = None) -> list[str]:
    """Failed events (all, or the given ids) go back to pending with fresh attempts; returns their portals."""
    where = [InboxEvent.status == InboxStatus.FAILED]
    if ids:
        where.append(InboxEvent.id.in_(ids))
    if member_id:
        where.append(InboxEvent.member_id == member_id)
    portals = sorted(set(session.scalars(select(InboxEvent.member_id).where(*where))))
    session.execute(update(InboxEvent).where(*where).values(
        status=InboxStatus.PENDING, attempts=0, next_attempt_at=now, processed_at=None))
    return portals

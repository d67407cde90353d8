"""A portal's inbox as the sync health screen reads it: events by status, the lag of the oldest waiting one,
retries under way, the last one processed, the dead letters. Raw values (counts, seconds, ISO moments)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

from . import admin


def _iso(value) -> str | None:
    value = utc(value)
    return value.isoformat(timespec="seconds") if value else None


def inbox_health(session: Session, member_id: str, now: datetime) -> dict:
    """Events by status, the waiting ones' lag (age of the oldest), retries under way, the last processed."""
    by_status = admin.counts(session, member_id)
    mine = InboxEvent.member_id == member_id
    pending = InboxEvent.status == InboxStatus.PENDING
    oldest, retrying = session.execute(
        select(func.min(InboxEvent.received_at), func.count().filter(InboxEvent.attempts > 0))
        .where(mine, pending)).one()
    last = session.scalar(select(func.max(InboxEvent.processed_at)).where(mine))
    oldest = utc(oldest)
    return {"counts": by_status, "total": sum(by_status.values()), "waiting": by_status[InboxStatus.PENDING],
            "retrying": int(retrying or 0), "oldest_waiting_at": _iso(oldest),
            "lag_seconds": max(0, int((now - oldest).total_seconds())) if oldest else 0,
            "last_processed_at": _iso(last), "dead_letters": by_status[InboxStatus.FAILED]}

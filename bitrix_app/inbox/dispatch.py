"""Hand accepted events to the sync: one drain job per portal at a time, and a sweeper for the lost ones."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.jobs.registry import CRON_TIMEOUT, SYNC_DRAIN, enqueue_job, job
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

log = logging.getLogger(__name__)
KICK_TTL = 600
STALE_AFTER = timedelta(minutes=5)


def kick_key(member_id: str) -> str:
    return f"bitrix_app:sync-kick:{member_id}"


def kick(conn: Redis, member_id: str) -> bool:
    """Make sure a drain job for the portal is queued; never fails the caller (the sweeper catches up)."""
    try:
        if conn.set(kick_key(member_id), "1", nx=True, ex=KICK_TTL):
            enqueue_job(conn, SYNC_DRAIN, member_id)
            return True
    except RedisError as exc:
        log.warning("could not queue the sync of %s (%s); the sweeper will", member_id, type(exc).__name__)
    return False


def settle(conn: Redis, member_id: str) -> None:
    """A drain is about to look for work one last time: later events must queue a new one."""
    conn.delete(kick_key(member_id))


def schedule_retry(conn: Redis, member_id: str, at: datetime) -> None:
    """A drain at `at` (RQ's scheduler) for events waiting out their backoff."""
    stamp = int(at.timestamp())
    enqueue_job(conn, SYNC_DRAIN, member_id, job_id=f"drain-{member_id}-{stamp}", at=at)


def sweep(session: Session, conn: Redis, now: datetime) -> list[str]:
    """Queue drains for portals whose due events have waited too long (worker crash, Redis flush)."""
    rows = session.execute(
        select(InboxEvent.member_id, func.min(InboxEvent.next_attempt_at))
        .where(InboxEvent.status == InboxStatus.PENDING, InboxEvent.next_attempt_at <= now)
        .group_by(InboxEvent.member_id)
    ).all()
    kicked = []
    for member_id, oldest in rows:
        if now - utc(oldest) >= STALE_AFTER:
            conn.delete(kick_key(member_id))
        if kick(conn, member_id):
            kicked.append(member_id)
    return kicked


@job(DEFAULT, timeout=CRON_TIMEOUT, every=60)
def sweep_job() -> list[str]:
    """Cron entry (every minute): the sweeper with the app's services."""
    from bitrix_app.scope import app_services

    svc = app_services()
    with svc.transaction() as s:
        return sweep(s, svc.redis, svc.now())

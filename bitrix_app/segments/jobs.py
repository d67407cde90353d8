"""Queue jobs of the segment engine: a portal's full rebuild (on demand) and the nightly rebuild of every portal."""
from __future__ import annotations

import re

from sqlalchemy import select

from bitrix_app.jobs.queues import BULK
from bitrix_app.jobs.registry import CRON_TIMEOUT, enqueue_job, job
from bitrix_app.portals import USABLE_STATUSES
from bitrix_app.scope import AppServices, app_services, portal_scope
from bitrix_app.store.models import PortalRecord

TIMEOUT = 3600  # seconds: a million customers rebuild in about a minute; leave room for slow disks


@job(BULK, timeout=TIMEOUT)
def rebuild_job(member_id: str) -> dict:
    """Full rebuild of one portal at the app clock's now."""
    from .engine.core import rebuild
    from .crm.writeback import enqueue_write_back

    scope = portal_scope(member_id)
    result = rebuild(scope, scope.now())
    enqueue_write_back(member_id, connection=scope.redis)  # the changed figures go to the contacts' fields
    return result


def job_id(member_id: str) -> str:
    """RQ job ids take letters, digits, _ and - only."""
    return "segments-rebuild-" + re.sub(r"[^A-Za-z0-9_-]", "_", member_id)


def enqueue_rebuild(conn, member_id: str):
    """One queued rebuild per portal at a time (a second request joins the queued one)."""
    return enqueue_job(conn, rebuild_job, member_id, job_id=job_id(member_id))


@job(BULK, timeout=CRON_TIMEOUT, cron="40 1 * * *")  # nightly full segment rebuild
def rebuild_all() -> dict:
    """Cron, nightly: enqueue the full rebuild of every usable portal."""
    return queue_all_rebuilds(app_services())


def queue_all_rebuilds(svc: AppServices) -> dict:
    """Enqueue the full rebuild of every usable portal."""
    with svc.transaction() as s:
        members = list(s.scalars(select(PortalRecord.member_id).where(PortalRecord.status.in_(USABLE_STATUSES))))
    for member_id in members:
        enqueue_rebuild(svc.redis, member_id)
    return {"enqueued": len(members)}

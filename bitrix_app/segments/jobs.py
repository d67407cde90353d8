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
DEFINITION_TIMEOUT = 600  # seconds: one definition over a million customers


@job(BULK, timeout=TIMEOUT)
def rebuild_job(member_id: str) -> dict:
    """Full rebuild of one portal at the app clock's now."""
    from .engine.core import rebuild
    from .crm.writeback import enqueue_write_back

    scope = portal_scope(member_id)
    result = rebuild(scope, scope.now())
    enqueue_write_back(member_id, connection=scope.redis)  # the changed figures go to the contacts' fields
    return result


@job(BULK, timeout=DEFINITION_TIMEOUT)
def definition_job(member_id: str, code: str) -> dict:
    """One saved definition computed for the whole portal at the app clock's now (on create and update)."""
    from .recompute import recompute

    scope = portal_scope(member_id)
    with scope.sessions.begin() as s:
        return recompute(s, member_id, code, scope.now())


def enqueue_definition(conn, member_id: str, code: str):
    """Queue the computation of one saved definition (a second request joins a queued one)."""
    return enqueue_job(conn, definition_job, member_id, code, job_id=job_id(member_id, code))


def job_id(member_id: str, code: str | None = None) -> str:
    """RQ job ids take letters, digits, _ and - only."""
    name = "segments-rebuild-" + re.sub(r"[^A-Za-z0-9_-]", "_", member_id)
    return name if code is None else name.replace("-rebuild-", "-definition-", 1) + "-" + re.sub(
        r"[^A-Za-z0-9_-]", "_", code)


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

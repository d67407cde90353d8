"""Campaign jobs: the cron entry queues one run per active portal; a run enters customers and runs actions."""
from __future__ import annotations

import logging

from sqlalchemy import select

from bitrix_app.jobs.queues import BULK, DEFAULT
from bitrix_app.jobs.registry import CRON_TIMEOUT, enqueue_job, job
from bitrix_app.portals import lifecycle
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord

log = logging.getLogger(__name__)
TIMEOUT = 3600  # seconds: entering a large segment is local work; actions are sliced (execute.MAX_ENTRIES)


def context_for(member_id: str):
    """A campaign context on the app's services, the app's clock and the portal's bulk lane (None: unknown portal)."""
    from bitrix_app import services
    from bitrix_app.portals import client_for

    from .context import build

    return build(member_id, services.session_factory(), services.redis(), client_for(member_id, lane="bulk"),
                 services.clock().now(), services.cipher())


@job(BULK, timeout=TIMEOUT)
def run_portal(member_id: str, code: str | None = None, slice_no: int = 0) -> dict:
    """Job: one slice of a portal's run (transitions, due schedules or the campaign `code` now, pending actions);
    when actions are left over, the next slice is queued at once instead of waiting for the next cron run."""
    from bitrix_app import services

    from .definitions import CampaignNotFound
    from .runner import run

    with transaction(services.session_factory()) as s:
        status = s.scalar(select(PortalRecord.status).where(PortalRecord.member_id == member_id))
    ctx = context_for(member_id) if status not in (None, lifecycle.DELETED) else None
    if ctx is None:
        log.info("campaign run of %s skipped: the app is not installed there", member_id)
        return {"skipped": "unknown portal"}
    try:
        result = run(ctx, code)
    except CampaignNotFound as exc:  # deleted after the run was queued
        return {"skipped": str(exc)}
    if result.get("more"):
        # the lock is released: the next slice (or a cron run that comes first) takes the portal
        enqueue_job(services.redis(), run_portal, member_id, None, slice_no=slice_no + 1,
                    job_id=f"campaigns-{member_id}-all-{slice_no + 1}")
    return result


def queue_run(conn, member_id: str, code: str | None = None):
    """Queue a portal's run; one queued run per portal (and campaign) at a time."""
    return enqueue_job(conn, run_portal, member_id, code, job_id=f"campaigns-{member_id}-{code or 'all'}")


@job(DEFAULT, timeout=CRON_TIMEOUT, cron="*/15 * * * *")
def run_all_due() -> list[str]:
    """Cron entry (every 15 minutes): queue a run of every active portal."""
    from bitrix_app import services

    with transaction(services.session_factory()) as s:
        members = list(s.scalars(select(PortalRecord.member_id).where(PortalRecord.status == lifecycle.ACTIVE)
                                 .order_by(PortalRecord.id)))
    conn = services.redis()
    for member_id in members:
        queue_run(conn, member_id)
    return members

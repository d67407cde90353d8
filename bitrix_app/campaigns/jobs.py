"""Campaign jobs: the cron entry queues one run per active portal; a run enters customers and runs actions."""
from __future__ import annotations

from sqlalchemy import select

from bitrix_app.jobs.queues import BULK, DEFAULT
from bitrix_app.jobs.registry import CRON_TIMEOUT, enqueue_job, job
from bitrix_app.portals import NOT_INSTALLED, PORTAL_ACTIVE, portal_installed
from bitrix_app.scope import AppServices, PortalScope, app_services, portal_scope
from bitrix_app.store.models import PortalRecord

TIMEOUT = 3600  # seconds: entering a large segment is local work; actions are sliced (execute.MAX_ENTRIES)


def context_for(scope: PortalScope):
    """A campaign context on the portal's bulk lane at the clock's now (None: unknown portal)."""
    from .context import build

    return build(scope.on_lane("bulk"), scope.now())


@job(BULK, timeout=TIMEOUT)
def run_portal(member_id: str, code: str | None = None, slice_no: int = 0) -> dict:
    """Job: one slice of a portal's run (transitions, due schedules or the campaign `code` now, pending actions);
    when actions are left over, the next slice is queued at once instead of waiting for the next cron run."""
    return run_slice(portal_scope(member_id, lane="bulk"), code, slice_no)


def run_slice(scope: PortalScope, code: str | None = None, slice_no: int = 0) -> dict:
    """`run_portal` on a portal's scope."""
    from .definitions import CampaignNotFound
    from .runner import run

    member_id = scope.member_id
    with scope.transaction() as s:
        installed = portal_installed(s, member_id, "campaign run")
    ctx = context_for(scope) if installed else None
    if ctx is None:
        return {"skipped": NOT_INSTALLED}
    try:
        result = run(ctx, code)
    except CampaignNotFound as exc:  # deleted after the run was queued
        return {"skipped": str(exc)}
    if result.get("more"):
        # the lock is released: the next slice (or a cron run that comes first) takes the portal
        enqueue_job(scope.redis, run_portal, member_id, None, slice_no=slice_no + 1,
                    job_id=f"campaigns-{member_id}-all-{slice_no + 1}")
    return result


def queue_run(conn, member_id: str, code: str | None = None):
    """Queue a portal's run; one queued run per portal (and campaign) at a time."""
    return enqueue_job(conn, run_portal, member_id, code, job_id=f"campaigns-{member_id}-{code or 'all'}")


@job(DEFAULT, timeout=CRON_TIMEOUT, cron="*/15 * * * *")
def run_all_due() -> list[str]:
    """Cron entry (every 15 minutes): queue a run of every active portal."""
    return queue_all_active(app_services())


def queue_all_active(svc: AppServices) -> list[str]:
    """Queue a run of every active portal; answers their member ids."""
    with svc.transaction() as s:
        members = list(s.scalars(select(PortalRecord.member_id).where(PortalRecord.status == PORTAL_ACTIVE)
                                 .order_by(PortalRecord.id)))
    conn = svc.redis
    for member_id in members:
        queue_run(conn, member_id)
    return members

"""Queue robot calls that were stored but never ran: their enqueue failed (Redis down), Redis lost the job, or
the worker running it died. Cron runs it every minute; each call has one deterministic job id, so a call whose
job still waits or runs is left alone, and a call queued twice still runs once (and its effects happen once
even across re-runs: `effects.py`)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bitrix_app.jobs.queues import ROBOTS
from bitrix_app.jobs.registry import CRON_TIMEOUT, job
from bitrix_app.store.robot_models import RobotCall

from .calls import RECEIVED, RUNNING, job_id, queue_run

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=1)
LIVE = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED)  # it will still run the call
BATCH = 500


def stuck_calls(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of calls received over a minute ago and not run, or running for over a minute."""
    cutoff = now - STALE_AFTER
    return list(session.scalars(
        select(RobotCall.id)
        .where(or_(and_(RobotCall.status == RECEIVED, RobotCall.received_at <= cutoff),
                   and_(RobotCall.status == RUNNING, RobotCall.started_at <= cutoff)))
        .order_by(RobotCall.id).limit(limit)
    ))


def job_alive(conn: Redis, call_id: int) -> bool:
    try:
        return Job.fetch(job_id(call_id), connection=conn).get_status(refresh=True) in LIVE
    except NoSuchJobError:
        return False


def sweep(session: Session, conn: Redis, now: datetime) -> list[int]:
    """Queue the stuck calls whose job is gone or finished; answer their ids."""
    queued = []
    for call_id in stuck_calls(session, now):
        if job_alive(conn, call_id):
            continue  # waiting its turn, or a live worker runs it
        queue_run(call_id, conn)
        queued.append(call_id)
    if queued:
        log.info("queued %d robot call(s) that had not run: %s", len(queued), queued)
    return queued


@job(ROBOTS, timeout=CRON_TIMEOUT, every=60)  # stored robot calls never run
def sweep_job() -> list[int]:
    """Cron entry (every minute): the sweeper with the app's services, built here."""
    from bitrix_app.scope import app_services

    svc = app_services()
    with svc.transaction() as s:
        return sweep(s, svc.redis, svc.now())

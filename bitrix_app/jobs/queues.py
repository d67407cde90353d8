"""Queues by purpose, highest priority first, and the one way to enqueue a job."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue, Retry

from .worker import AppContextJob

ROBOTS = "robots"  # robot replies and staff-facing calls: a workflow is waiting
DEFAULT = "default"  # install/setup, portal events
SYNC = "sync"  # shop events into deals
BULK = "bulk"  # backfills, segment rebuilds, write-backs
PRIORITY = (ROBOTS, DEFAULT, SYNC, BULK)


def queue(name: str, connection: Redis) -> Queue:
    if name not in PRIORITY:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=connection, job_class=AppContextJob)


def enqueue(
    connection: Redis,
    name: str,
    func: str,
    *args: Any,
    job_id: str | None = None,
    retry: Retry | None = None,
    at: datetime | None = None,
    delay: timedelta | None = None,
    timeout: int = 300,
    **kwargs: Any,
):
    """Enqueue `func` (dotted path) with JSON-serialisable args; a job_id makes it idempotent."""
    # only JSON-serialisable primitives cross the boundary: jobs stay readable and replayable
    json.dumps([args, kwargs])
    q = queue(name, connection)
    opts = dict(job_id=job_id, retry=retry, job_timeout=timeout, args=args, kwargs=kwargs)
    if job_id is not None:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=True) in ("queued", "scheduled", "started", "deferred"):
            return existing
    if at is not None:
        return q.enqueue_at(at, func, **opts)
    if delay is not None:
        return q.enqueue_in(delay, func, **opts)
    return q.enqueue(func, **opts)

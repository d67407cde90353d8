"""Housekeeping jobs run by cron."""
from __future__ import annotations

from bitrix_app.scope import app_services

from .queues import DEFAULT
from .registry import CRON_TIMEOUT, job

HEARTBEAT_KEY = "bitrix_app:cron:heartbeat"


@job(DEFAULT, timeout=CRON_TIMEOUT, every=60)
def record_heartbeat() -> float:
    """Write when cron last ran a job, so /healthz can show the scheduler is alive."""
    svc = app_services()
    ts = svc.clock.timestamp()
    svc.redis.set(HEARTBEAT_KEY, ts)
    return ts

"""Housekeeping jobs run by cron."""
from __future__ import annotations

from bitrix_app import services

HEARTBEAT_KEY = "bitrix_app:cron:heartbeat"


def record_heartbeat() -> float:
    """Write when cron last ran a job, so /healthz can show the scheduler is alive."""
    ts = services.clock().timestamp()
    services.redis().set(HEARTBEAT_KEY, ts)
    return ts

"""Health checks of the services the app needs."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bitrix_app.jobs.maintenance import HEARTBEAT_KEY


def check(engine: Engine, redis) -> dict:
    """Probe the database (`engine`) and `redis`; report cron's last heartbeat when there is one.

    `status` is "error" only when the database is down (nothing can be accepted: the shop API answers 503);
    without Redis the app still accepts and stores everything, so it is "degraded" and work waits."""
    report: dict = {"status": "ok", "database": "ok", "redis": "ok"}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not reachable"
        report.update(status="error", database=f"error: {type(exc).__name__}")
    try:
        redis.ping()
        beat = redis.get(HEARTBEAT_KEY)
        report["cron_heartbeat"] = float(beat) if beat else None
    except Exception as exc:
        report.update(redis=f"error: {type(exc).__name__}")
        if report["status"] == "ok":
            report["status"] = "degraded"
    return report

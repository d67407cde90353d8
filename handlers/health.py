"""GET /healthz: is the database reachable, is Redis reachable. 503 (with Retry-After) only when the database
is down, like the shop API; a Redis outage is "degraded": events are still accepted and work waits."""
from __future__ import annotations

from flask import Blueprint, jsonify

from webedge import services
from bitrix_app.health import check
from webedge.errors import RETRY_AFTER

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    report = check(services.ext("engine"), services.redis())
    if report["status"] == "error":
        return jsonify(report), 503, {"Retry-After": str(RETRY_AFTER)}
    return jsonify(report), 200

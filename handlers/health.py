"""GET /healthz: is the database reachable, is Redis reachable."""
from __future__ import annotations

from flask import Blueprint, jsonify

from bitrix_app.health import check

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    report = check()
    return jsonify(report), (200 if report["status"] == "ok" else 503)

"""Admin JSON API: GET /api/v1/portals/<member_id>/ltv, the portal's lifetime value report."""
from __future__ import annotations

from flask import Blueprint, jsonify

from webedge import services
from bitrix_app.scope import portal_scope
from bitrix_app.segments import ltv_report
from webedge.admin_api import in_portal
from webedge.admin_auth import admin_required

bp = Blueprint("api_history", __name__, url_prefix="/api/v1/portals")


@bp.get("/<member_id>/ltv")
@admin_required
def ltv(member_id: str):
    """Lifetime value report: overall and per cohort."""
    in_portal(member_id, lambda s: None)  # 404 for a portal that is not installed; the report reads on its own
    return jsonify(ltv_report(portal_scope(member_id), services.clock().now()))

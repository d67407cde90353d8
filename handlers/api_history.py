"""Admin JSON API: GET /api/v1/portals/<member_id>/ltv, the portal's lifetime value report."""
from __future__ import annotations

from flask import Blueprint, jsonify

from webedge import services
from bitrix_app.scope import portal_scope
from bitrix_app.segments import ltv_report
from bitrix_app.shops.connections import portal_exists
from bitrix_app.store.db import transaction
from webedge.admin_auth import admin_required
from webedge.errors import ApiError

bp = Blueprint("api_history", __name__, url_prefix="/api/v1/portals")


@bp.get("/<member_id>/ltv")
@admin_required
def ltv(member_id: str):
    with transaction(services.session_factory()) as s:
        if not portal_exists(s, member_id):
            raise ApiError(404, "not_found", "no installed portal with this member_id")
    return jsonify(ltv_report(portal_scope(member_id), services.clock().now()))

"""Admin JSON API: who may administer the app besides the portal's administrators.

GET|PUT /api/v1/portals/<member_id>/access  `{"user_ids": [5, 7]}`; admins only."""
from __future__ import annotations

from flask import Blueprint, jsonify

from webedge import services
from bitrix_app.portals import app_admins
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required

bp = Blueprint("api_access", __name__, url_prefix="/api/v1/portals/<member_id>/access")


@bp.get("")
@admin_required
def get_access(member_id: str):
    users = in_portal(member_id, lambda s: app_admins.get(s, member_id))
    return jsonify({"user_ids": list(users)})


@bp.put("")
@admin_required
def put_access(member_id: str):
    body, now = json_object('{"user_ids": [...]}'), services.clock().now()
    users = in_portal(member_id, lambda s: app_admins.set_users(s, member_id, body, now), "the user list is invalid")
    return jsonify({"user_ids": list(users)})

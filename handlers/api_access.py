"""Admin JSON API: who may administer the app besides the portal's administrators.

GET|PUT /api/v1/portals/<member_id>/access  `{"user_ids": [5, 7]}`; admins only."""
from __future__ import annotations

from flask import Blueprint, jsonify
from marshmallow import Schema, fields
from marshmallow.validate import Range

from webedge import services
from bitrix_app.portals import app_admin_ids, set_app_admins
from webedge.admin_api import in_portal, json_object
from webedge.admin_auth import admin_required
from webedge.api_doc import documented


class UserIdsSchema(Schema):
    """The users (portal user ids) allowed to administer the app; validated by app_admins."""

    user_ids = fields.List(fields.Integer(validate=Range(1)), required=True)


bp = Blueprint("api_access", __name__, url_prefix="/api/v1/portals/<member_id>/access")


@bp.get("")
@documented(answer=UserIdsSchema)
@admin_required
def get_access(member_id: str):
    """Who may administer the app besides the portal's administrators."""
    users = in_portal(member_id, lambda s: app_admin_ids(s, member_id))
    return jsonify({"user_ids": list(users)})


@bp.put("")
@documented(body=UserIdsSchema, answer=UserIdsSchema)
@admin_required
def put_access(member_id: str):
    """Replace the list of users allowed to administer the app."""
    body, now = json_object('{"user_ids": [...]}'), services.clock().now()
    users = in_portal(member_id, lambda s: set_app_admins(s, member_id, body, now), "the user list is invalid")
    return jsonify({"user_ids": list(users)})

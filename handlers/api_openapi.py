"""GET /api/v1/openapi.json: the admin API's OpenAPI description, generated from the URL map and its schemas."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from webedge import services
from webedge.openapi import admin_openapi

bp = Blueprint("api_openapi", __name__)


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(admin_openapi(current_app, services.settings().APP_BASE_URL))

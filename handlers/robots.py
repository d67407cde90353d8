"""POST /robots/<code>: a portal's workflow runs one of our robots; answer at once, work in the `robots` queue."""
from __future__ import annotations

from flask import Blueprint, jsonify
from marshmallow import ValidationError

from bitrix_app.portals import CallbackRejected
from bitrix_app.robots import calls
from bitrix_app.schemas.robot import CODE, RobotCallSchema
from bitrix_app.scope import app_services
from webedge.errors import ApiError, database_down
from webedge.portal_form import parse, unauthorized

bp = Blueprint("robots", __name__)
# A 5xx always means "not stored"; a stored call answers 200 even when its run could not be queued: the sweeper
# queues it.
database_down(bp, "the call cannot be stored right now")


@bp.post("/robots/<code>")
def receive(code: str):
    try:
        CODE(code)
    except ValidationError as exc:
        raise ApiError(404, "unknown_robot", "no such robot") from exc
    call = parse(RobotCallSchema())
    try:
        status, call_id = calls.receive(app_services(), code, call)
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    except calls.CodeMismatch as exc:
        raise ApiError(422, "validation_error", str(exc)) from exc
    return jsonify({"status": status, "call_id": call_id}), 200

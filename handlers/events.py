"""POST /events: events bound with event.bind; verified against the stored application_token."""
from __future__ import annotations

from flask import Blueprint, jsonify

from bitrix_app.portals import CallbackRejected, receive_event
from bitrix_app.schemas.portal import EventSchema
from bitrix_app.scope import app_services

from bitrix_app.rest.errors import PortalUnavailable
from webedge.errors import ApiError
from webedge.portal_form import parse, unauthorized

bp = Blueprint("events", __name__)


@bp.post("/events")
def receive():
    event = parse(EventSchema())
    try:
        outcome = receive_event(app_services(), event)
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    except PortalUnavailable as exc:  # cannot tell a real uninstall from a forged one right now
        raise ApiError(503, "portal_unavailable", "the portal could not be checked; try again") from exc
    return jsonify({"status": outcome}), 200

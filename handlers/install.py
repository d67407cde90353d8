"""POST /install: the ONAPPINSTALL callback (API-only app) or the install page (app with UI).

The install page stores the installation, then sends the browser on (307: the same form POSTed again) to the
front end's install screen (`POST /placement/install`), which proves the user and calls installFinish through
the portal frame."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request

from bitrix_app.portals import (CallbackRejected, install_portal, installation_from_callback,
                                installation_from_page)
from bitrix_app.schemas.portal import InstallCallbackSchema, PageSchema
from bitrix_app.scope import app_services
from webedge.portal_form import parse, unauthorized

bp = Blueprint("install", __name__)



@bp.post("/install")
def install():
    body = request.get_json(silent=True) if request.is_json else None
    in_form = request.form.get("event", "").upper() == "ONAPPINSTALL"
    is_callback = in_form or (isinstance(body, dict) and "event" in body)
    try:
        if is_callback:
            status = install_portal(app_services(), installation_from_callback(parse(InstallCallbackSchema())))
            return jsonify({"status": status}), 200
        data = parse(PageSchema(), with_query=True)
        install_portal(app_services(), installation_from_page(data))
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    # the page itself is the front end's install screen (placement_ui): the browser re-posts the form there
    target = "/placement/install" + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
    return redirect(target, code=307)

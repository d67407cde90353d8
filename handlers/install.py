"""POST /install: the ONAPPINSTALL callback (API-only app) or the install page (app with UI)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template_string, request

from bitrix_app.portals import (CallbackRejected, install_portal, installation_from_callback,
                                installation_from_page)
from bitrix_app.schemas.portal import InstallCallbackSchema, PageSchema
from bitrix_app.scope import app_services
from webedge.portal_form import parse, unauthorized

bp = Blueprint("install", __name__)

FINISH_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Installing</title>
<script src="//api.bitrix24.com/api/v1/"></script></head>
<body><p>{{ message }}</p>
<script>BX24.init(function () { BX24.installFinish(); });</script></body></html>"""


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
    message = "Установка завершается…" if data.get("LANG") == "ru" else "Finishing the installation…"
    return render_template_string(FINISH_PAGE, message=message)

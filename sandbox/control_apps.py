"""Control API for the app-facing side: run robots, watch workflows, open placements, change CRM "in the UI".

JSON in and out under /_sandbox. Outbound posts are made after the portal lock is released, since the
app may call the portal back while handling them.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlparse

from flask import Blueprint, current_app, jsonify, request

from . import eventbus, phpjson, workflows
from .context import CallContext
from .crm_store import CONTACT, DEAL, LEAD, now_iso, to_int
from .oauth import server_endpoint

TOUCH_TABLES = {"deal": (DEAL, "ONCRMDEALUPDATE"), "contact": (CONTACT, "ONCRMCONTACTUPDATE"),
                "lead": (LEAD, "ONCRMLEADUPDATE")}


def _portal():
    return current_app.config["SANDBOX_PORTAL"]


def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _fail(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


def run_robot():
    """Run robot CODE on a document as the portal's automation would; answer the workflow id and token."""
    body, portal = _body(), _portal()
    if not body.get("code") or not body.get("document_id"):
        return _fail(400, "code and document_id are required")
    if portal.outbox is None:
        return _fail(503, "the portal has no outbox")
    try:
        with portal.lock:
            reg = workflows.find_robot(portal, str(body["code"]), body.get("client_id"))
            wf, url, payload = workflows.start(
                portal, reg, body["document_id"], body.get("properties") or {},
                int(body.get("user_id") or 1), body.get("timeout_duration"),
            )
    except workflows.RunError as exc:
        return jsonify(exc.body), exc.status
    portal.outbox.post_async(url, payload, kind="robot")
    return jsonify({"workflow_id": wf["id"], "event_token": wf["event_token"], "status": wf["status"]})


def get_workflow(workflow_id: str):
    portal = _portal()
    with portal.lock:
        wf = portal.workflows.get(workflow_id)
        if wf is None:
            return _fail(404, f"no workflow {workflow_id!r}")
        return jsonify(workflows.view(portal, wf))


def list_workflows():
    portal = _portal()
    with portal.lock:
        return jsonify([workflows.view(portal, wf) for wf in portal.workflows.values()])


def frame_blocked(headers: dict, portal_origin: str) -> bool:
    """Would a browser refuse to show this page in the portal's iframe?"""
    xfo = headers.get("x-frame-options", "").strip().lower()
    if xfo in ("deny", "sameorigin") or xfo.startswith("allow-from"):
        return True
    for directive in headers.get("content-security-policy", "").split(";"):
        parts = directive.strip().split()
        if parts and parts[0].lower() == "frame-ancestors":
            sources = [p.strip("'\"").rstrip("/").lower() for p in parts[1:]]
            host = urlparse(portal_origin).netloc
            allowed = any(s == "*" or s == portal_origin.lower() or s.endswith(host) for s in sources)
            return not allowed
    return False


def _placement_target(portal, body: dict):
    """(app, handler url, placement code) for an open request, or an error answer."""
    code = str(body.get("placement") or "DEFAULT").upper()
    client_id = body.get("client_id")
    if code == "DEFAULT":
        apps = [a for a in portal.apps.values() if client_id in (None, a.client_id)]
        targets = [(a, a.handler_url) for a in apps]
    else:
        targets = [(portal.apps[p["client_id"]], p["handler"]) for p in portal.placements
                   if p["placement"] == code and client_id in (None, p["client_id"])
                   and body.get("handler") in (None, p["handler"])]
    if not targets:
        return None, _fail(409, f"nothing is bound to {code}")
    app, url = targets[0]
    if not app.installed:
        # widgets stay hidden until the installation is finished (D installation-finish.md)
        return None, _fail(409, "the application is not installed", client_id=app.client_id)
    return (app, url, code), None


def _placement_fields(portal, app, code: str, options: dict, user_id: int) -> dict:
    """The §1.4 form body: the opening user's tokens plus PLACEMENT and PLACEMENT_OPTIONS (a JSON string)."""
    tok = portal.issue_tokens(app, user_id)
    return {
        "AUTH_ID": tok.access_token,
        "AUTH_EXPIRES": str(portal.config.access_ttl),
        "REFRESH_ID": tok.refresh_token,
        "SERVER_ENDPOINT": server_endpoint(portal),
        "APPLICATION_TOKEN": app.application_token,
        "APPLICATION_SCOPE": ",".join(sorted(app.scopes)),
        "member_id": portal.member_id,
        "status": "L",
        "PLACEMENT": code,
        "PLACEMENT_OPTIONS": phpjson.dumps({str(k): "" if v is None else str(v) for k, v in options.items()}),
    }


def open_placement():
    """Open a widget for a user: POST the placement payload to its handler and report what came back."""
    body, portal = _body(), _portal()
    user_id = int(body.get("user_id") or 1)
    if portal.outbox is None:
        return _fail(503, "the portal has no outbox")
    with portal.lock:
        if user_id not in portal.users:
            return _fail(400, f"no user {user_id}")
        target, error = _placement_target(portal, body)
        if error:
            return error
        app, url, code = target
        options = body.get("options") if isinstance(body.get("options"), dict) else {}
        fields = _placement_fields(portal, app, code, options, user_id)
        query = {"DOMAIN": portal.domain, "PROTOCOL": portal.config.protocol, "LANG": str(body.get("lang") or "en"),
                 "APP_SID": secrets.token_hex(16)}
    status, headers, text = portal.outbox.post_now(url, fields, kind="placement", query=query)
    lowered = {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}
    return jsonify({
        "status": status, "content_type": lowered.get("content-type", ""), "body": text,
        "frame_blocked": frame_blocked(lowered, f"{portal.config.scheme}://{portal.domain}"),
        "url": url, "query": query, "fields": fields,
    })


def touch_crm():
    """A change "made in the UI" by a user (or by a robot with actor=robot): update and fire the event."""
    body, portal = _body(), _portal()
    entity = str(body.get("entity") or "").lower()
    if entity not in TOUCH_TABLES:
        return _fail(400, "entity must be deal, contact or lead")
    table_name, event = TOUCH_TABLES[entity]
    user_id = int(body.get("user_id") or 1)
    system = str(body.get("actor") or "user").lower() == "robot"
    with portal.lock:
        row = portal.table(table_name).get(to_int(body.get("id")))
        if row is None:
            return _fail(404, f"no {entity} {body.get('id')}")
        for key, value in (body.get("fields") or {}).items():
            row[str(key).upper()] = value if isinstance(value, (list, dict)) or value is None else str(value)
        row["DATE_MODIFY"] = now_iso(portal)
        if not system:
            row["MODIFY_BY_ID"] = str(user_id)
        ctx = CallContext(portal, 0 if system else user_id, "system" if system else "session")
        portal.fire_event(event, {"FIELDS": {"ID": str(row["ID"])}}, ctx)
        return jsonify({"ok": True, "event": event, "id": str(row["ID"])})


def list_notifications():
    portal = _portal()
    user_id = request.args.get("user_id", type=int)
    with portal.lock:
        rows = list(portal.table("notifications").values())
    return jsonify([r for r in rows if user_id is None or r["USER_ID"] == user_id])


def list_offline_events():
    portal = _portal()
    with portal.lock:
        rows = [dict(eventbus.offline_row(r, full=True), client_id=r["client_id"], CONNECTOR_ID=r["CONNECTOR_ID"])
                for r in portal.table(eventbus.OFFLINE_TABLE).values()]
    return jsonify(rows)


def create_control_apps_blueprint(portal=None) -> Blueprint:
    """Routes read the portal from `app.config["SANDBOX_PORTAL"]` (set from `portal` if given)."""
    bp = Blueprint("sandbox_control_apps", __name__, url_prefix="/_sandbox")
    if portal is not None:
        bp.record_once(lambda state: state.app.config.setdefault("SANDBOX_PORTAL", portal))
    bp.add_url_rule("/robots/run", view_func=run_robot, methods=["POST"])
    bp.add_url_rule("/workflows", view_func=list_workflows, methods=["GET"])
    bp.add_url_rule("/workflows/<workflow_id>", view_func=get_workflow, methods=["GET"])
    bp.add_url_rule("/placements/open", view_func=open_placement, methods=["POST"])
    bp.add_url_rule("/crm/touch", view_func=touch_crm, methods=["POST"])
    bp.add_url_rule("/notifications", view_func=list_notifications, methods=["GET"])
    bp.add_url_rule("/offline-events", view_func=list_offline_events, methods=["GET"])
    return bp

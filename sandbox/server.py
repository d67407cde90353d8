"""The portal's HTTP face: `/rest/…` for apps and webhooks, plus the OAuth server and control API."""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import time
import traceback
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

from . import auth as authmod
from . import phpjson
from .context import ListResult, arg
from .errors import RestError, method_not_found, no_auth, query_limit
from .phpquery import parse_query, unflatten
from .registry import Outcome, Runtime
from .timeobj import time_object

if TYPE_CHECKING:  # pragma: no cover
    from .state import Portal

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"
# What a portal behind nginx answers when the backend did not reply in time.
GATEWAY_TIMEOUT_HTML = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    "<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def create_sandbox_app(portal: "Portal", runtime: Runtime | None = None) -> Flask:
    """The WSGI app of one portal (no module-level app: every server builds its own)."""
    from .control import create_control_blueprint
    from .install import bx24_script
    from .oauth import create_oauth_blueprint

    runtime = runtime or Runtime(portal)
    app = Flask("sandbox", static_folder=None)
    app.extensions["sandbox"] = runtime
    app.config["SANDBOX_PORTAL"] = portal
    app.config["SANDBOX_RUNTIME"] = runtime

    def rest(subpath: str = ""):
        return handle_rest(runtime, subpath)

    app.add_url_rule("/rest/", "rest_root", rest, methods=["GET", "POST"])
    app.add_url_rule("/rest/<path:subpath>", "rest", rest, methods=["GET", "POST"])
    app.add_url_rule("/bx24/api/v1/", "bx24", bx24_script, strict_slashes=False)
    app.register_blueprint(create_oauth_blueprint(runtime))
    app.register_blueprint(create_control_blueprint(runtime))
    _register_optional(app, portal)
    return app


def _register_optional(app: Flask, portal: "Portal") -> None:
    """Blueprints of the HTML view and the app-facing control routes, when those modules exist.

    Their factories find the portal in `current_app.config["SANDBOX_PORTAL"]` or take it as argument.
    """
    for module, factory in (("views", "create_views_blueprint"), ("control_apps", "create_control_apps_blueprint"),
                            ("portal_frame", "create_portal_frame_blueprint")):
        if importlib.util.find_spec(f"sandbox.{module}") is None:
            continue
        make = getattr(importlib.import_module(f"sandbox.{module}"), factory)
        wants_portal = bool(inspect.signature(make).parameters)
        app.register_blueprint(make(portal) if wants_portal else make())


# ---- request parsing
def read_params(req) -> dict:
    """Query string, then the body (JSON, form with PHP brackets, or multipart) on top of it."""
    params: dict = parse_query(req.query_string.decode("utf-8", "replace"))
    body: Any = {}
    ctype = (req.mimetype or "").lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        body = req.get_json(silent=True)
    elif ctype == "multipart/form-data":
        body = unflatten(req.form.items(multi=True))
    else:
        raw = req.get_data(as_text=True)
        body = parse_query(raw) if raw else {}
    if isinstance(body, dict):
        params.update(body)
    return params


def split_path(subpath: str) -> tuple[tuple[str, str] | None, str]:
    """`method[.json][/]` or `<user>/<code>/method[.json][/]` -> (webhook or None, method)."""
    parts = subpath.strip("/").split("/")
    if len(parts) == 3 and parts[0].isdigit():
        webhook, name = (parts[0], parts[1]), parts[2]
    elif len(parts) == 1:
        webhook, name = None, parts[0]
    else:
        raise method_not_found()
    if name.lower().endswith(".json"):
        name = name[: -len(".json")]
    if not name:
        raise method_not_found()
    return webhook, name.lower()


# ---- responses
def json_response(body: Any, status: int = 200) -> Response:
    resp = Response(phpjson.dumps(body), status=status, content_type=JSON_TYPE)
    # REST answers may be read by browser pages (the BX24 stub calls the portal cross-origin).
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def envelope(outcome: Outcome, started: float, finish: float) -> dict:
    """`result` (+ `next`/`total` for lists) and the `time` object of the whole request."""
    result = outcome.result
    body: dict = {}
    if isinstance(result, ListResult):
        body["result"] = result.items
        if result.next is not None:
            body["next"] = result.next
        body["total"] = result.total
    else:
        body["result"] = result
    body["time"] = time_object(started, finish, outcome.processing, outcome.operating, outcome.operating_reset_at)
    return body


# ---- the REST endpoint
def handle_rest(runtime: Runtime, subpath: str) -> Response:
    portal = runtime.portal
    started = portal.clock.now()
    entry: dict = {
        "ts": started, "method": subpath, "http_status": None, "error": None, "auth": None,
        "client_id": None, "user_id": None, "ip": request.remote_addr or "", "batch_size": None,
        "batch_methods": None,
    }
    try:
        resp = _serve(runtime, subpath, entry, started)
    except RestError as err:
        resp = json_response(err.body(), err.status)
        entry["error"] = err.code
    except Exception:  # a bug in a method must not kill the server; show it and answer as a portal would
        log.error("sandbox method failed:\n%s", traceback.format_exc())
        entry["error"] = "INTERNAL_SERVER_ERROR"
        resp = json_response({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}, 500)
    entry["http_status"] = resp.status_code
    with portal.lock:
        portal.call_log.append(entry)
    return resp


def _serve(runtime: Runtime, subpath: str, entry: dict, started: float) -> Response:
    portal = runtime.portal
    webhook, name = split_path(subpath)
    entry["method"] = name
    params = read_params(request)
    token = params.get("auth")
    entry["auth"] = "webhook" if webhook else ("oauth" if token else None)
    if not runtime.rate.allow(entry["ip"]):
        raise query_limit()
    fault = _fault(runtime)
    if fault == "timeout":
        return _timeout(runtime, webhook, name, params, entry)
    if fault:
        raise fault
    outcome = _call(runtime, webhook, name, params, entry)
    return json_response(envelope(outcome, started, portal.clock.now()))


def _call(runtime: Runtime, webhook, name: str, params: dict, entry: dict) -> Outcome:
    """Authenticate, find the method and run it."""
    portal = runtime.portal
    if webhook:
        ctx = authmod.from_webhook(portal, webhook[0], webhook[1], entry["ip"])
    elif "auth" in params:
        ctx = authmod.from_token(portal, params["auth"], entry["ip"])
    else:
        raise no_auth()
    entry["user_id"] = ctx.user_id
    entry["client_id"] = ctx.app.client_id if ctx.app else None
    if "auth_connector" in params:
        ctx.auth_connector = str(params["auth_connector"] or "")  # the event bus skips loop-back events
    spec = runtime.lookup(name)
    if spec.name.lower() == "batch":
        cmd = arg(params, "cmd")
        entry["batch_size"] = len(cmd) if isinstance(cmd, (dict, list)) else 0
        entry["batch_methods"] = _methods_of(cmd)
    return runtime.invoke(spec, ctx, params)


def _methods_of(cmd) -> dict[str, int]:
    """How many commands of a batch call each method (`crm.deal.add?fields[...]` counts as crm.deal.add)."""
    commands = cmd.values() if isinstance(cmd, dict) else cmd if isinstance(cmd, list) else []
    counts: dict[str, int] = {}
    for command in commands:
        method = str(command).split("?", 1)[0].strip().lower()
        counts[method] = counts.get(method, 0) + 1
    return counts


# ---- fault injection (control API `faults`)
# `p_500`, `p_503` and `p_timeout` share one roll per `/rest/` request, so a seed replays the same
# sequence. A timeout holds the request `timeout_seconds` (default 5) and answers nginx's 504 page;
# a second roll decides whether the method ran first (its effects stay, only the answer was lost)
# or never ran, half and half; the call log records which (`ran`).
def _fault(runtime: Runtime) -> RestError | str | None:
    """One roll of the dice: a 500, a 503 under the limit, a timeout, or nothing."""
    faults = runtime.portal.faults
    odds = [(float(faults.get(k) or 0.0), k) for k in ("p_500", "p_503", "p_timeout")]
    if not any(p > 0 for p, _ in odds):
        return None
    roll, edge = runtime.roll(), 0.0
    for p, kind in odds:
        edge += p
        if roll < edge:
            if kind == "p_500":
                return RestError("INTERNAL_SERVER_ERROR", "Internal server error", 500)
            if kind == "p_503":
                return query_limit()
            return "timeout"
    return None


def _timeout(runtime: Runtime, webhook, name: str, params: dict, entry: dict) -> Response:
    """Hold the request, then answer 504; half the time the method ran and only the answer was lost."""
    ran = runtime.roll() < 0.5
    if ran:
        try:
            _call(runtime, webhook, name, params, entry)
        except RestError:
            pass
    entry["ran"] = ran
    time.sleep(float(runtime.portal.faults.get("timeout_seconds", 5)))
    entry["error"] = "GATEWAY_TIMEOUT"
    return Response(GATEWAY_TIMEOUT_HTML, status=504, content_type="text/html")


def error_json(code: str, description: str, status: int) -> Response:
    """An error body outside the REST dispatcher (OAuth server, control API)."""
    return json_response({"error": code, "error_description": description}, status)


def body_json(req) -> dict:
    """A control-API body: JSON whatever the content type (browsers post text/plain to avoid CORS)."""
    data = req.get_json(force=True, silent=True)
    if isinstance(data, dict):
        return data
    raw = req.get_data(as_text=True).strip()
    if raw and not raw.startswith(("{", "[")):
        return parse_query(raw)
    return {}

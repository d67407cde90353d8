"""Control API under `/_sandbox/` for tests, the benchmark and the demo (JSON in and out)."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING

from flask import Blueprint, current_app, jsonify, request

from . import install as lifecycle
from .oauth import CODE_TTL, issue_code, server_endpoint
from .server import body_json
from .state import PLANS

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Runtime

FAULT_KEYS = {"p_500", "p_503", "p_timeout", "p_drop_events", "timeout_seconds", "seed", "expire_tokens"}
PROBABILITIES = ("p_500", "p_503", "p_timeout", "p_drop_events")


def _fail(message: str, status: int = 400):
    return jsonify({"error": message}), status


def _runtime() -> "Runtime":
    return current_app.extensions["sandbox"]


def index():
    return jsonify(describe(_runtime(), request.host_url.rstrip("/")))


def install():
    return jsonify(lifecycle.install(_runtime(), body_json(request)))


def install_finish():
    resp = jsonify(lifecycle.finish(_runtime(), body_json(request)))
    resp.headers["Access-Control-Allow-Origin"] = "*"  # called by the BX24 stub from the app's page
    return resp


def uninstall():
    return jsonify(lifecycle.uninstall(_runtime(), body_json(request)))


def faults():
    runtime = _runtime()
    if request.method == "POST":
        set_faults(runtime, body_json(request))
    return jsonify(runtime.portal.faults)


def calls():
    portal = _runtime().portal
    since = request.args.get("since", type=int) or 0
    method = (request.args.get("method") or "").lower()
    with portal.lock:
        total = len(portal.call_log)
        rows = [c for c in portal.call_log[since:] if not method or c["method"] == method]
    return jsonify({"calls": rows, "count": len(rows), "total": total})


def clock():
    portal = _runtime().portal
    advance = float(body_json(request).get("advance") or 0) if request.method == "POST" else 0.0
    with portal.lock:
        now = portal.clock.advance(advance) if advance else portal.clock.now()
    return jsonify({"now": now})


def tokens_expire():
    portal = _runtime().portal
    with portal.lock:
        n = portal.expire_tokens(body_json(request).get("client_id"))
    return jsonify({"expired": n})


def outbox_drain():
    outbox = _runtime().portal.outbox
    timeout = float(body_json(request).get("timeout") or 30)
    drained = outbox.drain(timeout) if outbox else True
    return jsonify({"drained": drained, "pending": outbox.pending() if outbox else 0})


def outbound():
    portal = _runtime().portal
    kind = request.args.get("kind")
    with portal.lock:
        rows = [r for r in portal.outbound_log if not kind or r["kind"] == kind]
    return jsonify({"outbound": rows, "count": len(rows)})


def limits():
    runtime = _runtime()
    if request.method == "POST":
        set_limits(runtime, body_json(request))
    return jsonify(limits_state(runtime))


def oauth_code():
    runtime = _runtime()
    portal, body = runtime.portal, body_json(request)
    with portal.lock:
        app = portal.apps.get(str(body.get("client_id") or ""))
        if app is None:
            return _fail("unknown client_id", 404)
        code = issue_code(runtime, app.client_id, int(body.get("user_id") or 1))
    return jsonify({
        "code": code, "expires_in": CODE_TTL, "domain": portal.domain, "member_id": portal.member_id,
        "scope": ",".join(sorted(app.scopes)), "server_domain": portal.config.oauth_domain,
    })


ROUTES = (
    ("/", index, ["GET"]),
    ("/install", install, ["POST"]),
    ("/install/finish", install_finish, ["POST"]),
    ("/uninstall", uninstall, ["POST"]),
    ("/faults", faults, ["GET", "POST"]),
    ("/calls", calls, ["GET"]),
    ("/clock", clock, ["GET", "POST"]),
    ("/tokens/expire", tokens_expire, ["POST"]),
    ("/outbox/drain", outbox_drain, ["POST"]),
    ("/outbound", outbound, ["GET"]),
    ("/limits", limits, ["GET", "POST"]),
    ("/oauth/code", oauth_code, ["POST"]),
)


def create_control_blueprint(runtime: "Runtime") -> Blueprint:
    """The routes; views find the runtime in `current_app.extensions["sandbox"]` (set to `runtime`)."""
    bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")
    bp.register_error_handler(lifecycle.ControlError, lambda err: _fail(str(err), err.status))
    for rule, view, verbs in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=verbs)
    return bp


def set_faults(runtime: "Runtime", body: dict) -> None:
    """Replace the fault set; `expire_tokens` acts once, `seed` makes the dice reproducible."""
    unknown = set(body) - FAULT_KEYS
    if unknown:
        raise lifecycle.ControlError(f"unknown fault keys: {sorted(unknown)}")
    for key in PROBABILITIES:
        if key in body and not 0.0 <= float(body[key]) <= 1.0:
            raise lifecycle.ControlError(f"{key} must be within 0..1")
    portal = runtime.portal
    faults = {k: v for k, v in body.items() if k != "expire_tokens"}
    seed = faults.get("seed")
    with runtime.rng_lock:
        runtime.rng = random.Random(seed)
    if portal.outbox is not None:
        portal.outbox.seed(None if seed is None else f"{seed}:events")
    with portal.lock:
        portal.faults.clear()
        portal.faults.update(faults)
        if body.get("expire_tokens"):
            portal.expire_tokens()


def set_limits(runtime: "Runtime", body: dict) -> None:
    config = runtime.portal.config
    if "plan" in body:
        if body["plan"] not in PLANS:
            raise lifecycle.ControlError(f"plan must be one of {sorted(PLANS)}")
        config.plan = body["plan"]
        runtime.rate.reset()
    if "operating_limit" in body:
        config.operating_limit = None if body["operating_limit"] is None else float(body["operating_limit"])
    if "method_costs" in body:
        config.method_costs = {str(k): float(v) for k, v in (body["method_costs"] or {}).items()}
    if body.get("reset"):
        runtime.rate.reset()
        runtime.operating.reset()


def limits_state(runtime: "Runtime") -> dict:
    config = runtime.portal.config
    limits = config.limits
    return {
        "plan": config.plan,
        "bucket": None if limits is None else {"size": limits[0], "drain_per_second": limits[1]},
        "operating_limit": config.operating_limit,
        "operating_window": config.operating_window,
        "method_costs": config.method_costs,
        "operating": runtime.operating.snapshot(),
    }


def describe(runtime: "Runtime", base_url: str) -> dict:
    """Where everything of this portal lives."""
    portal = runtime.portal
    views = sorted(
        (r.rule for r in current_app.url_map.iter_rules() if "view" in r.endpoint.split(".")[0]),
        key=len,
    )
    with portal.lock:
        apps = {cid: {"installed": a.installed, "version": a.version} for cid, a in portal.apps.items()}
    return {
        "base_url": base_url,
        "domain": portal.domain,
        "member_id": portal.member_id,
        "client_endpoint": portal.client_endpoint,
        "server_endpoint": server_endpoint(portal),
        "webhook_url": f"{base_url}/rest/1/{portal.config.webhook_code}/",
        "oauth_url": f"{base_url}/oauth/token/",
        "view_url": f"{base_url}{views[0]}" if views else None,
        "bx24_script": f"{base_url}/bx24/api/v1/",
        "plan": portal.config.plan,
        "apps": apps,
    }

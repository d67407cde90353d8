"""Local-app lifecycle: register, install (API-only callback or UI wizard), finish, uninstall."""
from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from flask import Response, request

from .eventbus import base_auth, user_auth
from .state import LocalApp

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Runtime
    from .state import Portal

DEFAULT_SCOPES = ("crm", "bizproc", "placement", "user", "im")
ADMIN_ID = 1  # installs are done by the portal administrator
_FINISH_CALL = re.compile(r"BX24\s*\.\s*installFinish\s*\(")


class ControlError(Exception):
    """A control-API request that cannot be served; answered as {"error": message}."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _scopes(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset(DEFAULT_SCOPES)
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(s.strip() for s in value if str(s).strip())


def register(portal: "Portal", body: dict) -> tuple[LocalApp, bool]:
    """Create the local app, or update its settings; returns (app, version changed)."""
    for key in ("app_url", "client_id", "client_secret"):
        if not body.get(key):
            raise ControlError(f"{key} is required")
    mode = body.get("mode", "callback")
    if mode not in ("callback", "ui"):
        raise ControlError("mode must be 'callback' or 'ui'")
    base = str(body["app_url"]).rstrip("/")
    version = int(body.get("version") or 1)
    settings = {
        "client_secret": str(body["client_secret"]),
        "handler_url": body.get("handler_url") or base + "/",
        "install_url": body.get("install_url") or base + "/install",
        "scopes": _scopes(body.get("scopes")),
        "api_only": mode == "callback",
    }
    app = portal.apps.get(body["client_id"])
    if app is None:
        app = LocalApp(client_id=str(body["client_id"]), version=version, **settings)
        portal.apps[app.client_id] = app
        return app, False
    for key, value in settings.items():
        setattr(app, key, value)
    changed = app.installed and app.version != version
    app.version = version
    if changed:
        # event-bind.md: on update the app's handlers are removed; its installer binds them again
        portal.event_bindings[:] = [b for b in portal.event_bindings if b["client_id"] != app.client_id]
    return app, changed


def install(runtime: "Runtime", body: dict) -> dict:
    """Install as the administrator and tell the app, the way its kind of local app is told."""
    portal = runtime.portal
    language = str(body.get("language") or "en")
    with portal.lock:
        app, updated = register(portal, body)
        auth = user_auth(portal, app, ADMIN_ID)
        if app.api_only:
            app.installed = True  # API-only apps are installed when the form is saved
            url, fields, query = app.install_url, _install_event(portal, app, auth, language), None
        else:
            app.installed = False  # until the page calls BX24.installFinish()
            sid = secrets.token_hex(16)
            runtime.pending_ui[sid] = app.client_id
            url, fields, query = app.install_url, _page_fields(auth, "DEFAULT", "{}"), _page_query(portal, language, sid)
    status, _, text = portal.outbox.post_now(url, fields, kind="install", query=query)
    if not app.api_only and 200 <= status < 300 and _FINISH_CALL.search(text or ""):
        finish(runtime, {"client_id": app.client_id})
    return {
        "member_id": portal.member_id,
        "domain": portal.domain,
        "client_endpoint": portal.client_endpoint,
        "client_id": app.client_id,
        "application_token": app.application_token,
        "installed": app.installed,
        "app_status": status,
        "version": app.version,
        "updated": updated,
    }


def _install_event(portal: "Portal", app: LocalApp, auth: dict, language: str) -> dict:
    """ONAPPINSTALL as posted to an API-only app (on-app-install.md)."""
    return {
        "event": "ONAPPINSTALL",
        "data": {"VERSION": str(app.version), "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": language},
        "ts": str(int(portal.clock.now())),
        "auth": auth,
    }


def _page_query(portal: "Portal", language: str, sid: str) -> dict:
    return {"DOMAIN": portal.domain, "PROTOCOL": portal.config.protocol, "LANG": language, "APP_SID": sid}


def _page_fields(auth: dict, placement: str, options: str) -> dict:
    """The POST body of an app page or widget opened in the portal (simple-way.md)."""
    return {
        "AUTH_ID": auth["access_token"],
        "AUTH_EXPIRES": auth["expires_in"],
        "REFRESH_ID": auth["refresh_token"],
        "SERVER_ENDPOINT": auth["server_endpoint"],
        "APPLICATION_TOKEN": auth["application_token"],
        "APPLICATION_SCOPE": auth["scope"],
        "member_id": auth["member_id"],
        "status": "L",
        "PLACEMENT": placement,
        "PLACEMENT_OPTIONS": options,
    }


def finish(runtime: "Runtime", body: dict) -> dict:
    """BX24.installFinish(): by client_id, by the app's token, or the latest pending UI install."""
    portal = runtime.portal
    with portal.lock:
        client_id = body.get("client_id")
        if not client_id and body.get("auth") in portal.tokens:
            client_id = portal.tokens[body["auth"]].client_id
        if not client_id and runtime.pending_ui:
            client_id = list(runtime.pending_ui.values())[-1]
        app = portal.apps.get(str(client_id or ""))
        if app is None:
            raise ControlError("no application is waiting for installFinish", 404)
        app.installed = True
        for sid in [s for s, cid in runtime.pending_ui.items() if cid == app.client_id]:
            del runtime.pending_ui[sid]
        return {"client_id": app.client_id, "installed": True}


def uninstall(runtime: "Runtime", body: dict) -> dict:
    """Tell ONAPPUNINSTALL handlers (no tokens), then revoke access and drop everything the app set up."""
    portal = runtime.portal
    clean = 1 if str(body.get("clean", 0)).lower() in ("1", "true", "y") else 0
    with portal.lock:
        app = portal.apps.get(str(body.get("client_id") or ""))
        if app is None:
            raise ControlError("unknown client_id", 404)
        posts = [(b["handler"], _uninstall_event(portal, app, b, clean, body)) for b in _uninstall_handlers(portal, app)]
        _forget(portal, app)
    for url, fields in posts:
        portal.outbox.post_async(url, fields, kind="event")
    return {"client_id": app.client_id, "installed": False, "notified": len(posts)}


def _uninstall_handlers(portal: "Portal", app: LocalApp) -> list[dict]:
    return [
        b for b in portal.event_bindings
        if b["client_id"] == app.client_id and b["event"] == "ONAPPUNINSTALL" and b.get("handler")
    ]


def _uninstall_event(portal: "Portal", app: LocalApp, binding: dict, clean: int, body: dict) -> dict:
    """on-app-uninstall.md: `auth` carries no tokens, the API access is already gone."""
    return {
        "event": "ONAPPUNINSTALL",
        "event_handler_id": str(binding["id"]),
        "data": {"LANGUAGE_ID": str(body.get("language") or "en"), "CLEAN": str(clean)},
        "ts": str(int(portal.clock.now())),
        "auth": base_auth(portal, app),
    }


def _forget(portal: "Portal", app: LocalApp) -> None:
    cid = app.client_id
    portal.revoke_app_tokens(cid)
    portal.event_bindings[:] = [b for b in portal.event_bindings if b["client_id"] != cid]
    portal.placements[:] = [p for p in portal.placements if p["client_id"] != cid]
    for key in [k for k in portal.robots if k[0] == cid]:
        del portal.robots[key]
    app.options.clear()
    app.installed = False
    app.application_token = secrets.token_hex(16)  # a new installation gets a new token


def bx24_script() -> Response:
    """A stand-in for `//api.bitrix24.com/api/v1/` so a headless browser can run an install page."""
    base = request.host_url.rstrip("/")
    js = BX24_STUB.replace("__SANDBOX__", json.dumps(base))
    return Response(js, content_type="application/javascript; charset=utf-8")


BX24_STUB = """(function () {
  var SANDBOX = __SANDBOX__;
  function post(path, data, cb) {
    var body = Object.keys(data).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(data[k] == null ? "" : data[k]);
    }).join("&");
    var x = new XMLHttpRequest();
    x.open("POST", SANDBOX + path, true);
    x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    x.onload = function () { if (cb) { cb(JSON.parse(x.responseText || "null")); } };
    x.send(body);
  }
  var auth = window.BX24_AUTH || null;
  window.BX24 = {
    init: function (cb) { if (cb) { setTimeout(cb, 0); } },
    getAuth: function () { return auth || false; },
    getDomain: function () { return SANDBOX.replace(/^https?:\\/\\//, ""); },
    installFinish: function () {
      post("/_sandbox/install/finish", {client_id: window.BX24_CLIENT_ID || "", auth: auth ? auth.access_token : ""},
        function () { window.BX24_INSTALLED = true; });
    },
    callMethod: function (method, params, cb) {
      var data = {auth: auth ? auth.access_token : ""};
      Object.keys(params || {}).forEach(function (k) { data[k] = params[k]; });
      post("/rest/" + method, data, function (ans) {
        if (cb) { cb({data: function () { return ans && ans.result; }, error: function () { return ans && ans.error; }, answer: ans}); }
      });
    },
    fitWindow: function () {}, resizeWindow: function () {}, setTitle: function () {},
    reloadWindow: function () { location.reload(); }, closeApplication: function () {},
    placement: {
      info: function () { return window.BX24_PLACEMENT || {placement: "DEFAULT", options: {}}; },
      call: function (cmd, params, cb) { if (cb) { cb(); } },
      bindEvent: function () {}
    }
  };
})();
"""

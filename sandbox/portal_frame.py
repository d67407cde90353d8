"""`GET /_sandbox/portal`: a page that looks like a portal shell and frames the app as Bitrix24 does.

A left menu with the app's item, the app's main page (DEFAULT placement) and a deal card with the app's tab
(CRM_DEAL_DETAIL_TAB), each opened by a form POST of the placement fields into an iframe whose name is
`DOMAIN|PROTOCOL|APP_SID` (what the frame SDK reads from `window.name`). `portal_bridge.js` answers the
frame's postMessage commands (getInitData, resizeWindow, openPath, selectUser, setInstallFinish, ...) and
records each one: `GET /_sandbox/bx24-calls` lists them, `DELETE` clears them.
"""
from __future__ import annotations

import json
import secrets
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from .control_apps import _placement_fields, _placement_target
from .crm_store import to_int
from .install import finish

CALLS = "bx24_calls"
DEAL_TAB = "CRM_DEAL_DETAIL_TAB"
BRIDGE = Path(__file__).with_name("portal_bridge.js")
STYLE = (
    "body{margin:0;font:14px/1.4 'Open Sans',Helvetica,Arial,sans-serif;background:#eef2f4;color:#333}"
    ".top{height:56px;background:#2fc6f6;color:#fff;display:flex;align-items:center;padding:0 20px;"
    "font-size:20px;font-weight:600}.wrap{display:flex}.menu{width:220px;padding:16px 0;min-height:100vh;"
    "background:#1f3a4d;color:#cfe0ea}.menu a{display:block;padding:8px 20px;color:inherit;text-decoration:none}"
    ".menu a.on{background:#2b4f66;color:#fff}.work{flex:1;padding:20px;display:grid;gap:20px}"
    ".panel{background:#fff;border-radius:12px;padding:16px}.panel h2{margin:0 0 12px;font-size:18px}"
    ".tabs span{display:inline-block;padding:6px 14px;margin-right:4px;border-radius:16px;background:#f1f4f6}"
    ".tabs span.on{background:#dff3fb;color:#1a7fb3}iframe{width:100%;height:400px;border:0;display:block}"
    "#slider{position:fixed;top:0;right:0;bottom:0;width:60%;background:#fff;box-shadow:-4px 0 24px #0003;"
    "padding:20px;display:none}#slider.open{display:block}.muted{color:#888}"
)


def _portal():
    return current_app.config["SANDBOX_PORTAL"]


def _frame(portal, app, url: str, code: str, options: dict, user_id: int, lang: str) -> dict:
    """One framed placement: where the form posts, what it posts, and what getInitData answers."""
    fields = _placement_fields(portal, app, code, options, user_id)
    sid, protocol = secrets.token_hex(16), portal.config.protocol
    query = {"DOMAIN": portal.domain, "PROTOCOL": protocol, "LANG": lang, "APP_SID": sid}
    init = {
        "DOMAIN": portal.domain, "PROTOCOL": int(protocol), "LANG": lang, "APP_SID": sid, "PATH": "/",
        "AUTH_ID": fields["AUTH_ID"], "AUTH_EXPIRES": fields["AUTH_EXPIRES"], "REFRESH_ID": fields["REFRESH_ID"],
        "MEMBER_ID": portal.member_id, "IS_ADMIN": portal.is_admin(user_id), "PLACEMENT": code,
        "PLACEMENT_OPTIONS": {str(k): str(v) for k, v in options.items()}, "INSTALL": not app.installed,
        "FIRST_RUN": False, "APP_OPTIONS": dict(app.options), "USER_OPTIONS": {},
    }
    return {"name": f"{portal.domain}|{protocol}|{sid}", "action": f"{url}?{urlencode(query)}",
            "fields": fields, "init": init, "placement": code}


def _form(frame: dict, title: str) -> str:
    inputs = "".join(f"<input type='hidden' name='{escape(k)}' value='{escape(str(v))}'>"
                     for k, v in frame["fields"].items())
    name = escape(frame["name"])
    return (f"<form method='post' target='{name}' action='{escape(frame['action'])}' class='placement-form'>"
            f"{inputs}</form><iframe name='{name}' title='{escape(title)}' "
            f"data-placement='{escape(frame['placement'])}'></iframe>")


def _installing(portal, client_id: str | None):
    """An app with a page whose installation waits for installFinish (installation-finish.md)."""
    waiting = [a for a in portal.apps.values()
               if not a.installed and not a.api_only and a.install_url and client_id in (None, a.client_id)]
    return waiting[0] if waiting else None


def portal_page():
    portal = _portal()
    user_id = request.args.get("user_id", default=1, type=int)
    lang = (request.args.get("lang") or "ru").lower()[:2]
    with portal.lock:
        if user_id not in portal.users:
            return jsonify({"error": f"no user {user_id}"}), 400
        installing = _installing(portal, request.args.get("client_id"))
        if installing is not None:  # until installFinish the portal shows the app's install page instead
            return Response(_render([_frame(portal, installing, installing.install_url, "DEFAULT", {}, user_id, lang)],
                                    0, {}, [], user_id, lang), content_type="text/html; charset=utf-8")
        main, error = _placement_target(portal, {"placement": "DEFAULT", "client_id": request.args.get("client_id")})
        if error:
            return error
        app, url, code = main
        frames = [_frame(portal, app, url, code, {}, user_id, lang)]
        deals = sorted(portal.table("crm_deal"))
        deal_id = to_int(request.args.get("deal_id")) or (deals[0] if deals else 1)
        tab, _ = _placement_target(portal, {"placement": DEAL_TAB, "client_id": app.client_id})
        if tab is not None:
            frames.append(_frame(portal, tab[0], tab[1], DEAL_TAB, {"ID": deal_id}, user_id, lang))
        deal = portal.table("crm_deal").get(deal_id) or {}
        users = [{"id": str(u["ID"]), "name": f"{u['NAME']} {u['LAST_NAME']}"} for u in portal.users.values()]
    return Response(_render(frames, deal_id, deal, users, user_id, lang), content_type="text/html; charset=utf-8")


def _render(frames: list[dict], deal_id: int, deal: dict, users: list[dict], user_id: int, lang: str) -> str:
    config = {"frames": {f["init"]["APP_SID"]: f["init"] for f in frames}, "users": users,
              "pick": request.args.get("pick_user") or next((u["id"] for u in users if u["id"] != str(user_id)), "1"),
              "calls_url": "/_sandbox/bx24-calls"}
    blob = json.dumps(config).replace("<", "\\u003c")
    main = _form(frames[0], "app")
    tab = (_form(frames[1], "deal tab") if len(frames) > 1
           else "<p class='muted'>The app binds no deal tab.</p>")
    title = escape(str(deal.get("TITLE") or f"Deal {deal_id}"))
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'><title>Bitrix24 sandbox</title>"
        "<link rel='icon' href='data:,'>"
        f"<style>{STYLE}</style></head><body><div class='top'>Bitrix24</div><div class='wrap'>"
        "<nav class='menu'><a>CRM</a><a>Tasks</a><a class='on' data-testid='menu-app'>Shop app</a></nav>"
        f"<div class='work'><section class='panel' id='app-page'><h2>Shop app</h2>{main}</section>"
        f"<section class='panel' id='deal-card'><h2>{title}</h2><div class='tabs'><span>General</span>"
        f"<span class='on'>Shop app</span></div>{tab}</section></div></div>"
        "<aside id='slider'><button type='button' id='slider-close'>×</button><p id='slider-path'></p></aside>"
        f"<script type='application/json' id='sandbox-portal'>{blob}</script>"
        f"<script>{BRIDGE.read_text(encoding='utf-8')}</script></body></html>"
    )


def record_call():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("command"), str):
        return jsonify({"error": "a JSON object with command is required"}), 400
    portal = _portal()
    with portal.lock:
        row_id = portal.next_id(CALLS)
        portal.table(CALLS)[row_id] = {"id": row_id, "command": body["command"], "params": body.get("params"),
                                       "placement": str(body.get("placement") or ""), "app_sid": body.get("app_sid")}
        waiting = _installing(portal, None) if body["command"] == "setInstallFinish" else None
    if waiting is not None:  # the install page finished the installation
        finish(current_app.extensions["sandbox"], {"client_id": waiting.client_id})
    return jsonify({"id": row_id}), 201


def list_calls():
    portal = _portal()
    with portal.lock:
        return jsonify(list(portal.table(CALLS).values()))


def clear_calls():
    portal = _portal()
    with portal.lock:
        portal.table(CALLS).clear()
    return jsonify({"ok": True})


def create_portal_frame_blueprint() -> Blueprint:
    bp = Blueprint("sandbox_portal_frame", __name__, url_prefix="/_sandbox")
    bp.add_url_rule("/portal", view_func=portal_page, methods=["GET"])
    bp.add_url_rule("/bx24-calls", view_func=list_calls, methods=["GET"])
    bp.add_url_rule("/bx24-calls", view_func=record_call, methods=["POST"], endpoint="record_call")
    bp.add_url_rule("/bx24-calls", view_func=clear_calls, methods=["DELETE"], endpoint="clear_calls")
    return bp

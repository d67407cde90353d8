"""The OAuth server (`oauth.bitrix.info` in production): code exchange and token refresh."""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from flask import Blueprint, request

from .errors import RestError

if TYPE_CHECKING:  # pragma: no cover
    from .registry import Runtime
    from .state import LocalApp, Portal, Token

CODE_TTL = 30  # seconds an authorization code lives (settings/oauth/index.md)


def server_endpoint(portal: "Portal") -> str:
    """`server_endpoint` as the portal reports it: the OAuth server's REST root."""
    return f"https://{portal.config.oauth_domain}/rest/"


def invalid_request(text: str) -> RestError:
    return RestError("invalid_request", text, 400)


def invalid_client() -> RestError:
    # Status from the PHP SDK's handling (docs give none); wrong id and wrong secret look alike.
    return RestError("invalid_client", "Invalid client credentials", 401)


def invalid_grant(text: str) -> RestError:
    return RestError("invalid_grant", text, 400)


def token_answer(portal: "Portal", app: "LocalApp", tok: "Token") -> dict:
    """The documented field set (settings/oauth/index.md, auto-renewal.md)."""
    return {
        "access_token": tok.access_token,
        "client_endpoint": portal.client_endpoint,
        "domain": portal.config.oauth_domain,
        "expires": int(tok.expires_at),
        "expires_in": portal.config.access_ttl,
        "member_id": portal.member_id,
        "refresh_token": tok.refresh_token,
        "scope": ",".join(sorted(tok.scopes)),
        "server_endpoint": server_endpoint(portal),
        "status": "L",
        "user_id": tok.user_id,
    }


def issue_code(runtime: "Runtime", client_id: str, user_id: int) -> str:
    """A one-time authorization code, as the portal's redirect hands it to the app."""
    code = secrets.token_hex(16)
    runtime.oauth_codes[code] = {
        "client_id": client_id,
        "user_id": user_id,
        "expires_at": runtime.portal.clock.now() + CODE_TTL,
    }
    return code


def exchange(runtime: "Runtime", params: dict) -> dict:
    """Serve one `/oauth/token/` request; raises RestError with the OAuth error codes."""
    portal = runtime.portal
    grant_type = params.get("grant_type")
    if not grant_type:
        raise invalid_request("The grant type was not specified in the request")
    if grant_type not in ("refresh_token", "authorization_code"):
        raise invalid_request(f'Grant type "{grant_type}" not supported')
    with portal.lock:
        app = portal.apps.get(str(params.get("client_id") or ""))
        if app is None or app.client_secret != params.get("client_secret"):
            raise invalid_client()
        if grant_type == "refresh_token":
            user_id = _use_refresh(portal, app, params.get("refresh_token"))
        else:
            user_id = _use_code(runtime, app, params.get("code"))
        return token_answer(portal, app, portal.issue_tokens(app, user_id))


def _use_refresh(portal: "Portal", app: "LocalApp", refresh_token) -> int:
    """Rotation: a refresh token works once; the access token issued with it lives on until expiry."""
    if not refresh_token:
        raise invalid_request('No "refresh_token" parameter found')
    grant = portal.refresh_grants.get(str(refresh_token))
    if grant is None or grant.client_id != app.client_id or grant.used:
        raise invalid_grant("Invalid refresh token")
    if grant.expires_at <= portal.clock.now():
        raise invalid_grant("Refresh token has expired")
    grant.used = True
    return grant.user_id


def _use_code(runtime: "Runtime", app: "LocalApp", code) -> int:
    if not code:
        raise invalid_request('No "code" parameter found')
    issued = runtime.oauth_codes.pop(str(code), None)
    if issued is None or issued["client_id"] != app.client_id:
        raise invalid_grant("Authorization code doesn't exist or is invalid for the client")
    if issued["expires_at"] <= runtime.portal.clock.now():
        raise invalid_grant("The authorization code has expired")
    return issued["user_id"]


def create_oauth_blueprint(runtime: "Runtime") -> Blueprint:
    """`/oauth/token/` by GET query (as documented) or POST form (as CRest sends it)."""
    from .server import json_response, read_params

    bp = Blueprint("sandbox_oauth", __name__)

    @bp.route("/oauth/token/", methods=["GET", "POST"], strict_slashes=False)
    def token():
        portal = runtime.portal
        params = read_params(request)
        entry = {
            "ts": portal.clock.now(), "method": "oauth/token", "http_status": 200, "error": None,
            "auth": None, "client_id": params.get("client_id"), "user_id": None,
            "ip": request.remote_addr or "", "batch_size": None,
        }
        try:
            body = exchange(runtime, params)
            entry["user_id"] = body["user_id"]
            resp = json_response(body)
        except RestError as err:
            entry["http_status"], entry["error"] = err.status, err.code
            resp = json_response(err.body(), err.status)
        with portal.lock:
            portal.call_log.append(entry)
        return resp

    return bp

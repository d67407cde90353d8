"""The one place that talks to the OAuth server: refresh a token pair, classify failures."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from bitrix_app.rest.errors import PortalBlocked, PortalUnavailable


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    client_endpoint: str | None
    scope: str | None


# OAuth answers that mean the portal can no longer be reached with this installation
BLOCKING = {
    "invalid_grant": "refresh token rejected (revoked or expired): reinstall the app",
    "invalid_client": "client_id/client_secret rejected by the OAuth server",
    "payment_required": "the portal's subscription has expired (PAYMENT_REQUIRED)",
    "portal_deleted": "the portal was deleted",
    "insufficient_scope": "the app's scopes were reduced",
    "invalid_scope": "the app's scopes were reduced",
}


def refresh_pair(oauth_url: str, client_id: str, client_secret: str, refresh_token: str, timeout: float = 15) -> TokenPair:
    """POST grant_type=refresh_token; raise PortalBlocked or PortalUnavailable on failure."""
    form = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    try:
        res = requests.post(oauth_url, data=form, timeout=timeout)
    except requests.RequestException as exc:
        raise PortalUnavailable(f"OAuth server unreachable: {type(exc).__name__}") from exc
    body = _json(res)
    if res.ok and body.get("access_token"):
        return TokenPair(
            body["access_token"],
            body["refresh_token"],
            int(body.get("expires_in") or 3600),
            body.get("client_endpoint"),
            body.get("scope"),
        )
    code = str(body.get("error") or "").lower()
    if res.status_code in (404, 410):
        code = code or "portal_deleted"
    if code in BLOCKING:
        raise PortalBlocked(code, BLOCKING[code])
    raise PortalUnavailable(f"OAuth server answered {res.status_code} {code or 'without an error code'}")


def _json(res: requests.Response) -> dict:
    try:
        body = res.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

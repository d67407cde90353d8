"""The one place that talks to the OAuth server: refresh a token pair, classify failures."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from bitrix_app.rest import tls
from bitrix_app.rest.errors import PortalBlocked, PortalUnavailable


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    client_endpoint: str | None
    scope: str | None
    member_id: str | None = None
    user_id: int | None = None


# OAuth answers about one portal's installation: that portal is blocked. Anything else (our own
# client_id/secret rejected, a misconfigured OAuth URL) is an app-wide fault and blocks nobody.
BLOCKING = {
    "invalid_grant": "refresh token rejected (revoked or expired): reinstall the app",
    "payment_required": "the portal's subscription has expired (PAYMENT_REQUIRED)",
    "portal_deleted": "the portal was deleted",
    "insufficient_scope": "the app's scopes were reduced",
    "invalid_scope": "the app's scopes were reduced",
}


def refresh_pair(oauth_url: str, client_id: str, client_secret: str, refresh_token: str, timeout: float = 15,
                 ca_bundle: str | None = None) -> TokenPair:
    """POST grant_type=refresh_token; raise PortalBlocked or PortalUnavailable on failure, and
    CertificateUntrusted when the server's certificate is not trusted by `ca_bundle` (B24_CA_BUNDLE)."""
    form = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    try:
        res = tls.post(oauth_url, ca_bundle, data=form, timeout=(5, timeout))
    except requests.RequestException as exc:
        raise PortalUnavailable(f"OAuth server unreachable: {type(exc).__name__}") from exc
    body = _json(res)
    if res.ok and body.get("access_token") and body.get("refresh_token"):
        return TokenPair(
            str(body["access_token"]), str(body["refresh_token"]), _int(body.get("expires_in"), 3600),
            body.get("client_endpoint"), body.get("scope"), body.get("member_id"), _int(body.get("user_id"), None),
        )
    code = str(body.get("error") or "").lower()
    if code in BLOCKING:
        raise PortalBlocked(code, BLOCKING[code])
    raise PortalUnavailable(f"OAuth server answered {res.status_code} {code or 'without an error code'}")


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _json(res: requests.Response) -> dict:
    try:
        body = res.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

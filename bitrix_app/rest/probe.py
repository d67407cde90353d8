"""One-off checks with a token that is not (yet) trusted: is its user an admin, does it still work."""
from __future__ import annotations

from dataclasses import dataclass

import requests

from . import tls


def _call(client_endpoint: str, method: str, access_token: str, timeout: float,
          ca_bundle: str | None) -> dict | None:
    """The method's answer, or None; CertificateUntrusted when the portal's certificate is not trusted."""
    try:
        res = tls.post(client_endpoint.rstrip("/") + "/" + method, ca_bundle, data={"auth": access_token},
                       timeout=(5, timeout), allow_redirects=False)
        body = res.json() if res.ok else None
    except (requests.RequestException, ValueError):
        return None
    return body if isinstance(body, dict) and "result" in body else None


def admin_flag(profile: dict) -> bool:
    """A `profile` answer's ADMIN flag: the portal writes it as true, "Y", "1" or 1."""
    return profile.get("ADMIN") in (True, "Y", "1", 1)


def is_admin(client_endpoint: str, access_token: str, timeout: float = 10, ca_bundle: str | None = None) -> bool:
    """`profile` says whether the token's user administers the portal."""
    body = _call(client_endpoint, "profile", access_token, timeout, ca_bundle)
    return bool(body and isinstance(body["result"], dict) and admin_flag(body["result"]))


def token_works(client_endpoint: str, access_token: str, timeout: float = 10, ca_bundle: str | None = None) -> bool:
    return _call(client_endpoint, "app.info", access_token, timeout, ca_bundle) is not None


@dataclass(frozen=True)
class ProbeAnswer:
    status: str  # "ok", "rejected" (the portal refused the token) or "unreachable" (network, 3xx, 5xx)
    result: dict | None = None


def user_profile(client_endpoint: str, access_token: str, timeout: float = 10,
                 ca_bundle: str | None = None) -> ProbeAnswer:
    """`profile` of the token's user, telling a refused token (4xx) from a portal that could not be asked."""
    try:  # CertificateUntrusted (a deployment fault naming B24_CA_BUNDLE) is raised, not hidden
        res = tls.post(client_endpoint.rstrip("/") + "/profile", ca_bundle, data={"auth": access_token},
                       timeout=(5, timeout), allow_redirects=False)
    except requests.RequestException:
        return ProbeAnswer("unreachable")
    if 400 <= res.status_code < 500:
        return ProbeAnswer("rejected")
    try:
        body = res.json() if res.status_code == 200 else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("result"), dict):
        return ProbeAnswer("ok", body["result"])
    return ProbeAnswer("unreachable")

"""One-off checks with a token that is not (yet) trusted: is its user an admin, does it still work."""
from __future__ import annotations

import requests

from . import tls


def _call(client_endpoint: str, method: str, access_token: str, timeout: float) -> dict | None:
    """The method's answer, or None; CertificateUntrusted when the portal's certificate is not trusted."""
    try:
        res = tls.post(client_endpoint.rstrip("/") + "/" + method, data={"auth": access_token},
                       timeout=(5, timeout), allow_redirects=False)
        body = res.json() if res.ok else None
    except (requests.RequestException, ValueError):
        return None
    return body if isinstance(body, dict) and "result" in body else None


def is_admin(client_endpoint: str, access_token: str, timeout: float = 10) -> bool:
    """`profile` says whether the token's user administers the portal."""
    body = _call(client_endpoint, "profile", access_token, timeout)
    return bool(body and isinstance(body["result"], dict) and body["result"].get("ADMIN") in (True, "Y", "1", 1))


def token_works(client_endpoint: str, access_token: str, timeout: float = 10) -> bool:
    return _call(client_endpoint, "app.info", access_token, timeout) is not None

"""A one-off check that an access token works on a portal (used before trusting a changed install)."""
from __future__ import annotations

import requests


def token_works(client_endpoint: str, access_token: str, timeout: float = 10) -> bool:
    try:
        res = requests.post(client_endpoint.rstrip("/") + "/app.info", data={"auth": access_token}, timeout=timeout)
    except requests.RequestException:
        return False
    return res.ok and isinstance(res.json().get("result"), dict)

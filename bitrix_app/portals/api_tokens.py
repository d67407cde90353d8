"""Bearer tokens the app's pages carry for the admin JSON API: portal, user and role, signed, for an hour.

`<member_id>.<user_id>.<role>.<expires>.<hmac>`; the HMAC (SHA-256, keyed with SECRET_KEY) covers everything
before it, so neither the portal, the user, the role nor the expiry can be changed.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from .access import ROLES

TTL_SECONDS = 3600


@dataclass(frozen=True)
class Grant:
    member_id: str
    user_id: int | None  # None: the operator's token
    role: str


def _mac(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"admin-api\n{payload}".encode(), hashlib.sha256).hexdigest()


def issue(secret: str, member_id: str, user_id: int, role: str, now: float, ttl: int = TTL_SECONDS) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    payload = f"{member_id}.{int(user_id)}.{role}.{int(now) + ttl}"
    return f"{payload}.{_mac(secret, payload)}"


def read(secret: str, token: str, now: float) -> Grant | None:
    """The grant a token carries, or None when it is malformed, forged or expired."""
    parts = token.split(".")
    if len(parts) != 5:
        return None
    member_id, user_id, role, expires, mac = parts
    if not (user_id.isdigit() and expires.isdigit() and role in ROLES and member_id):
        return None
    if not equal(mac, _mac(secret, ".".join(parts[:4]))) or int(expires) < now:
        return None
    return Grant(member_id, int(user_id), role)


def equal(given: str, expected: str) -> bool:
    """Constant-time comparison that any header text survives (non-ASCII included)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))

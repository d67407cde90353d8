"""Who may call the admin JSON API (/api/v1/portals/<member_id>/...).

Two kinds of bearer token: the operator's `ADMIN_API_TOKEN` (any portal; unset disables it), and a
portal token `<member_id>.<expires>.<hmac>` signed with SECRET_KEY, issued to the portal's admin page
after the portal verified it, valid for one portal and one hour.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import wraps

from flask import request

from bitrix_app import services

from .errors import ApiError

TTL_SECONDS = 3600


def _mac(secret: str, member_id: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"admin-api\n{member_id}\n{expires}".encode(), hashlib.sha256).hexdigest()


def issue_token(member_id: str) -> str:
    """A portal-scoped token for the admin page the portal just opened (verified by the caller)."""
    expires = int(services.clock().now().timestamp()) + TTL_SECONDS
    return f"{member_id}.{expires}.{_mac(services.settings().SECRET_KEY, member_id, expires)}"


def allowed(token: str, member_id: str) -> bool:
    settings = services.settings()
    operator = settings.extra.get("ADMIN_API_TOKEN")
    if operator and hmac.compare_digest(token.encode(), str(operator).encode()):
        return True
    owner, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if owner != member_id or not expires.isdigit():
        return False
    if int(expires) < services.clock().now().timestamp():
        return False
    return hmac.compare_digest(mac, _mac(settings.SECRET_KEY, member_id, int(expires)))


def admin_required(view):
    """Views take `member_id` from the URL; a missing or wrong token is a 401 and nothing runs."""

    @wraps(view)
    def guarded(member_id: str, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "send Authorization: Bearer <admin token>")
        if not allowed(token.strip(), member_id):
            raise ApiError(401, "unauthorized", "the admin token is wrong, expired or for another portal")
        return view(member_id, *args, **kwargs)

    return guarded

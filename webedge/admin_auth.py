"""Who may call the admin JSON API (/api/v1/portals/<member_id>/...), and with which role.

Two kinds of bearer token: the operator's `ADMIN_API_TOKEN` (any portal, every role; unset disables it), and a
page token (`bitrix_app.portals.issue_page_token`) carrying portal, user and role, issued by an app page after the
portal proved the user's own token. Each view declares the least role it needs: a missing, forged, expired or
other-portal token is a 401, a token of too small a role a 403; nothing runs in either case.
"""
from __future__ import annotations

from functools import wraps

from flask import g, request

from webedge import services
from bitrix_app.portals import ADMIN, STAFF, Grant, issue_page_token, read_page_token, role_at_least, tokens_equal

from .errors import ApiError


def issue_token(member_id: str, user_id: int, role: str) -> str:
    """A token for the page a verified user just opened."""
    now = services.clock().now().timestamp()
    return issue_page_token(services.settings().SECRET_KEY, member_id, user_id, role, now)


def grant_for(token: str, member_id: str) -> Grant | None:
    settings = services.settings()
    operator = settings.extra.get("ADMIN_API_TOKEN")
    if operator and tokens_equal(token, str(operator)):
        return Grant(member_id, None, ADMIN)
    grant = read_page_token(settings.SECRET_KEY, token, services.clock().now().timestamp())
    return grant if grant is not None and grant.member_id == member_id else None


def role_required(role: str):
    """Views take `member_id` from the URL; the bearer token must be for that portal and at least `role`."""

    def decorate(view):
        @wraps(view)
        def guarded(member_id: str, *args, **kwargs):
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "unauthorized", "send Authorization: Bearer <admin token>")
            grant = grant_for(token.strip(), member_id)
            if grant is None:
                raise ApiError(401, "unauthorized", "the token is wrong, expired or for another portal")
            if not role_at_least(grant.role, role):
                raise ApiError(403, "forbidden", f"this needs the {role} role; the token has {grant.role}")
            g.api_grant = grant
            return view(member_id, *args, **kwargs)

        guarded.api_role = role  # read by the OpenAPI description (webedge.openapi)
        return guarded

    return decorate


admin_required = role_required(ADMIN)
staff_allowed = role_required(STAFF)

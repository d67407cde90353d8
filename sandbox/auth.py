"""Who calls: OAuth access tokens and the inbound webhook, and the per-method access checks."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .context import CallContext, MethodSpec
from .errors import (
    RestError,
    admin_required,
    app_context_required,
    expired_token,
    insufficient_scope,
    no_auth,
)
from .state import ALL_SCOPES

if TYPE_CHECKING:  # pragma: no cover
    from .state import Portal

WEBHOOK_USER_ID = 1  # the sandbox's one inbound webhook belongs to the administrator

# Scopes every application and webhook has without asking (the docs' "basic" methods).
IMPLICIT_SCOPES = frozenset({"", "basic"})

# Method families whose docs name a different error for a non-application caller:
# placement.bind documents 403 WRONG_AUTH_TYPE; bizproc and app.option say ACCESS_DENIED.
WRONG_AUTH_TYPE_PREFIXES = ("placement.",)


def from_webhook(portal: "Portal", user_id: str, code: str, ip: str) -> CallContext:
    """A call on `/rest/<user>/<code>/…`: acts as that user with every scope, outside app context."""
    uid = int(user_id) if user_id.isdigit() else -1
    if code != portal.config.webhook_code or uid != WEBHOOK_USER_ID or uid not in portal.users:
        raise no_auth()
    return CallContext(portal, uid, "webhook", None, ALL_SCOPES, ip)


def from_token(portal: "Portal", token: object, ip: str) -> CallContext:
    """A call with `auth=<access_token>`; the token's app may still be mid-installation."""
    if not isinstance(token, str) or not token:
        raise no_auth()
    with portal.lock:
        tok = portal.tokens.get(token)
        app = portal.apps.get(tok.client_id) if tok else None
        if tok is None or app is None:
            raise no_auth()
        if tok.expires_at <= portal.clock.now():
            raise expired_token()
        return CallContext(portal, tok.user_id, "oauth", app, frozenset(tok.scopes), ip)


def wrong_auth_type() -> RestError:
    return RestError("WRONG_AUTH_TYPE", "Application context required", 403)


def check_access(spec: MethodSpec, ctx: CallContext) -> None:
    """App context, scope and administrator checks, in the order a portal applies them."""
    if spec.app_only and not ctx.is_app:
        if spec.name.startswith(WRONG_AUTH_TYPE_PREFIXES):
            raise wrong_auth_type()
        raise app_context_required()
    needed = {s.strip() for s in spec.scope.split(",")} - IMPLICIT_SCOPES
    if not needed <= set(ctx.scopes):
        raise insufficient_scope(via_webhook=ctx.auth_kind == "webhook")
    if spec.admin_only and not ctx.is_admin:
        raise admin_required()

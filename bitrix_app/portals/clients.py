"""Build a portal's REST client and the token manager behind it from the app's services.

`build_client` is the app's client factory (`create_app` hands it to every scope: `PortalScope.client`);
`client_for` is a scope's client for callers that hold an app rather than a scope (tests, the benchmark)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bitrix_app.rest.client import PortalClient
from bitrix_app.rest.governor import Governor, Limits

from . import repository
from .tokens import TokenManager

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices


def build_tokens(svc: "AppServices") -> TokenManager:
    """The portal token manager wired to the services and the app's OAuth settings."""
    s = svc.settings
    return TokenManager(svc.sessions, svc.redis, svc.cipher, svc.clock, s.B24_OAUTH_URL, s.B24_CLIENT_ID,
                        s.B24_CLIENT_SECRET, ca_bundle=s.B24_CA_BUNDLE)


def build_client(svc: "AppServices", member_id: str, lane: str = "normal") -> PortalClient:
    """The one way the app gets a portal client: tokens, plan-aware governor and lane wired in."""
    with svc.transaction() as s:
        rec = repository.get(s, member_id)
        plan = rec.plan if rec else svc.settings.B24_DEFAULT_PLAN
    governor = Governor(svc.redis, member_id, Limits.for_plan(plan))
    return PortalClient(member_id, build_tokens(svc), governor, lane=lane, ca_bundle=svc.settings.B24_CA_BUNDLE)


def client_for(member_id: str, lane: str = "normal", app=None) -> PortalClient:
    """The portal's client from a Flask app (the current one when not given)."""
    from bitrix_app.scope import portal_scope

    return portal_scope(member_id, app, lane).client

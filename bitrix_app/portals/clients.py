"""Build a PortalClient for a portal from the app's services."""
from __future__ import annotations

from bitrix_app import services
from bitrix_app.rest.client import PortalClient
from bitrix_app.rest.governor import Governor, Limits
from bitrix_app.store.db import transaction

from . import repository


def client_for(member_id: str, lane: str = "normal", app=None) -> PortalClient:
    """The one way the app gets a portal client: tokens, plan-aware governor and lane wired in."""
    with transaction(services.session_factory(app)) as s:
        rec = repository.get(s, member_id)
        plan = rec.plan if rec else services.settings(app).B24_DEFAULT_PLAN
    governor = Governor(services.redis(app), member_id, Limits.for_plan(plan))
    return PortalClient(member_id, services.token_manager(app), governor, lane=lane)

"""Who is looking at an app page: the opening user's own token, proven against the portal, decides the role.

Every employee who opens any app page sees `member_id` and `APPLICATION_TOKEN`, so those prove only that the
request comes from some page of this installation. The role comes from the user's own `AUTH_ID`: it is sent to
`profile` at the portal's address *stored at install* (never one from the form), so a token of another portal,
a forged one or an expired one is refused there. The verdict (user id, portal administrator or not) is cached
per portal and token for a few minutes; the role itself is worked out on every request, so a change of the
app-administrator list applies at once.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Callable

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.rest.probe import ProbeAnswer, admin_flag, user_profile
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord

from . import app_admins
from .crypto import SecretCipher
from .verify import CallbackRejected, verify_callback

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices

log = logging.getLogger(__name__)

ADMIN, STAFF = "admin", "staff"
ROLES = (STAFF, ADMIN)  # in order of what they may do
VERDICT_TTL = 300  # seconds a proven token is trusted without asking the portal again


class UserRejected(CallbackRejected):
    """The user's own token was refused by this installation's portal: 401."""


class PortalUnreachable(Exception):
    """The portal could not be asked (network, 5xx): 503, try again."""


@dataclass(frozen=True)
class Viewer:
    member_id: str
    user_id: int
    role: str
    portal: PortalRecord | None = field(default=None, compare=False, repr=False)  # the verified record, read-only

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class PageAccess:
    """What proving a page's user needs; built at the web edge from the app's services."""

    sessions: sessionmaker[Session]
    cipher: SecretCipher
    redis: Redis
    ask_profile: Callable[[str, str], ProbeAnswer] | None = None  # default: `user_profile` trusting ca_bundle
    ca_bundle: str | None = None  # B24_CA_BUNDLE

    @classmethod
    def from_services(cls, svc: "AppServices") -> "PageAccess":
        return cls(svc.sessions, svc.cipher, svc.redis, ca_bundle=svc.settings.B24_CA_BUNDLE)

    def viewer(self, member_id: str, application_token: str, auth_id: str, auth_expires: int = 3600) -> Viewer:
        """The verified viewer of a page, carrying the verified portal record (sessions do not expire loaded
        records on commit, so it is readable after); UserRejected (401) or PortalUnreachable (503) otherwise."""
        with transaction(self.sessions) as s:  # one short read; the portal is asked after it ends
            rec = verify_callback(s, self.cipher, member_id, application_token)
            allowed = app_admins.get(s, member_id)
        verdict = self._cached(member_id, auth_id)
        if verdict is None:
            verdict = self._ask(rec.client_endpoint, auth_id)
            self._remember(member_id, auth_id, verdict, min(VERDICT_TTL, max(auth_expires, 1)))
        role = ADMIN if verdict["portal_admin"] or verdict["user_id"] in allowed else STAFF
        return Viewer(member_id, verdict["user_id"], role, rec)

    def _ask(self, endpoint: str, auth_id: str) -> dict:
        answer = (self.ask_profile or partial(user_profile, ca_bundle=self.ca_bundle))(endpoint, auth_id)
        if answer.status == "unreachable":
            raise PortalUnreachable("the portal could not be asked who opened the page; try again")
        profile = answer.result or {}
        try:
            user_id = int(profile.get("ID"))
        except (TypeError, ValueError):
            user_id = 0
        if answer.status != "ok" or user_id <= 0:
            raise UserRejected("the portal did not accept the user's token")
        return {"user_id": user_id, "portal_admin": admin_flag(profile)}

    def _key(self, member_id: str, auth_id: str) -> str:
        return f"bitrix_app:viewer:{member_id}:{hashlib.sha256(auth_id.encode()).hexdigest()[:40]}"

    def _cached(self, member_id: str, auth_id: str) -> dict | None:
        try:
            raw = self.redis.get(self._key(member_id, auth_id))
        except RedisError:
            return None
        return json.loads(raw) if raw else None

    def _remember(self, member_id: str, auth_id: str, verdict: dict, ttl: int) -> None:
        try:
            self.redis.set(self._key(member_id, auth_id), json.dumps(verdict), ex=ttl)
        except RedisError as exc:  # without the cache every page asks the portal; nothing else changes
            log.warning("could not cache a page verdict (%s)", type(exc).__name__)

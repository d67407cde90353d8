"""Access tokens per portal: proactive refresh before expiry, single-flight refresh across processes."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from redis import Redis
from redis.exceptions import LockError, LockNotOwnedError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.rest.errors import PortalBlocked, PortalUnavailable
from bitrix_app.store.db import transaction

from . import lifecycle, repository
from .crypto import SecretCipher
from .oauth import refresh_pair

REFRESH_AHEAD = timedelta(seconds=60)  # refresh a token we are about to use if it expires this soon
LOCK_TIMEOUT = 120  # seconds a refresh may hold the lock: far above the OAuth call's 5 s + 15 s limits


class TokenManager:
    """Hands out a portal's access token; exactly one process refreshes it at a time."""

    def __init__(self, sessions: sessionmaker[Session], redis: Redis, cipher: SecretCipher, clock,
                 oauth_url: str, client_id: str, client_secret: str, refresh_fn: Callable = refresh_pair,
                 ca_bundle: str | None = None):
        self.sessions, self.redis, self.cipher, self.clock = sessions, redis, cipher, clock
        self.oauth_url, self.client_id, self.client_secret = oauth_url, client_id, client_secret
        self.refresh_fn, self.ca_bundle = refresh_fn, ca_bundle

    def _load(self, member_id: str) -> repository.StoredTokens:
        with transaction(self.sessions) as s:
            stored = repository.tokens(s, self.cipher, member_id)
        if stored is None:
            raise PortalBlocked("not_installed", f"no installation for member_id {member_id}")
        if stored.status not in lifecycle.USABLE:
            raise PortalBlocked(stored.status, "the installation is not usable")
        return stored

    def current(self, member_id: str) -> repository.StoredTokens:
        """The stored token, refreshed first when it is about to expire."""
        stored = self._load(member_id)
        if stored.expires_at is not None and stored.expires_at - self.clock.now() < REFRESH_AHEAD:
            return self.refresh(member_id, stored.version)
        return stored

    def refresh(self, member_id: str, seen_version: int) -> repository.StoredTokens:
        """Refresh unless another process already replaced the pair we saw (then use theirs)."""
        lock = self.redis.lock(f"bitrix_app:token-refresh:{member_id}", timeout=LOCK_TIMEOUT, blocking_timeout=LOCK_TIMEOUT + 15)
        if not lock.acquire():
            raise PortalUnavailable("token refresh lock not acquired in time")
        try:
            stored = self._load(member_id)
            if stored.version != seen_version:
                return stored
            return self._refresh_locked(member_id, stored)
        finally:
            try:
                lock.release()
            except (LockNotOwnedError, LockError):
                pass  # the lock outlived its timeout; the compare-and-swap already kept the pair consistent

    def _refresh_locked(self, member_id: str, stored: repository.StoredTokens) -> repository.StoredTokens:
        now = self.clock.now()
        try:
            pair = self.refresh_fn(self.oauth_url, self.client_id, self.client_secret, stored.refresh_token,
                                   ca_bundle=self.ca_bundle)
        except PortalBlocked as exc:
            with transaction(self.sessions) as s:
                # only the pair we tried is dead: a reinstall may have stored a newer one meanwhile
                repository.set_status(s, member_id, lifecycle.BLOCKED, exc.reason, now, only_version=stored.version)
            raise
        with transaction(self.sessions) as s:
            repository.swap_tokens(
                s, self.cipher, member_id, stored.version, pair.access_token, pair.refresh_token,
                now + timedelta(seconds=pair.expires_in), now, pair.client_endpoint,
            )
        return self._load(member_id)  # ours, or a newer pair a reinstall stored meanwhile

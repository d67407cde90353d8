"""A web process's short memory of shop connections, so each shop event does not look its shop up again.

Entries live TTL seconds (monotonic time: this is a cache, not business time) and only while the shared
generation in Redis is the one they were loaded under: whatever ends a shop's right to post (an uninstalled
portal, a removed shop) bumps it with `changed()`, so every web process forgets at once. Unknown shops are
not cached. While Redis cannot be read the generation is unknown: every lookup goes to the database (the
source of truth), so an outage of Redis never lets a stale entry through nor stops events being accepted.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from .connections import IngestShop

TTL = 10.0
LIMIT = 10_000
GENERATION_KEY = "bitrix_app:shops:generation"
UNKNOWN = object()  # the generation could not be read


def generation(redis) -> bytes | None | object:
    """The shared generation, or UNKNOWN when Redis does not answer."""
    try:
        return redis.get(GENERATION_KEY)
    except RedisError:
        return UNKNOWN


def changed(redis) -> None:
    """Shop connections changed: every process's cached shops are stale."""
    redis.incr(GENERATION_KEY)


class ShopCache:
    def __init__(self, ttl: float = TTL, limit: int = LIMIT, now: Callable[[], float] = time.monotonic):
        self._ttl, self._limit, self._now = ttl, limit, now
        self._entries: dict[str, tuple[float, bytes | None, IngestShop]] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every cached shop (the database was put back to an earlier state)."""
        with self._lock:
            self._entries.clear()

    def get(self, shop_id: str, load: Callable[[], IngestShop | None], generation) -> IngestShop | None:
        if generation is UNKNOWN:
            return load()  # nothing cached can be trusted, and nothing loaded now can be tagged
        now = self._now()
        hit = self._entries.get(shop_id)
        if hit is not None and hit[0] > now and hit[1] == generation:
            return hit[2]
        shop = load()
        with self._lock:
            if shop is None:
                self._entries.pop(shop_id, None)
            else:
                if len(self._entries) >= self._limit:
                    self._entries.clear()  # many shops per process is rare: start over rather than track age
                self._entries[shop_id] = (now + self._ttl, generation, shop)
        return shop

"""The portal's two REST limits: the request-rate leaky bucket and the per-method operating budget."""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from .errors import operation_time_limit

if TYPE_CHECKING:  # pragma: no cover
    from .state import SandboxConfig

BUCKETS = 10  # the operating window is split into this many one-minute buckets


class RateLimiter:
    """Leaky bucket per client IP (limits.md): each request adds 1, the level drains Y per second.

    Up to X requests pass in a burst; the next one is refused and does not fill the bucket.
    Uses real monotonic time: tests cannot fast-forward it, and it must not be confused by clock jumps.
    """

    def __init__(self, config: "SandboxConfig", now: Callable[[], float] = time.monotonic):
        self.config = config
        self._now = now
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, ip: str) -> bool:
        limits = self.config.limits
        if limits is None:
            return True
        capacity, rate = limits
        with self._lock:
            now = self._now()
            level, seen = self._levels.get(ip, (0.0, now))
            level = max(0.0, level - (now - seen) * rate)
            if level + 1 > capacity:
                self._levels[ip] = (level, now)
                return False
            self._levels[ip] = (level + 1, now)
            return True

    def level(self, ip: str) -> float:
        """Current fill of an IP's bucket (for the control API)."""
        limits = self.config.limits
        with self._lock:
            if limits is None or ip not in self._levels:
                return 0.0
            level, seen = self._levels[ip]
            return max(0.0, level - (self._now() - seen) * limits[1])

    def reset(self) -> None:
        with self._lock:
            self._levels.clear()


class OperatingBudget:
    """Simulated execution time per (method, app or webhook) in one-minute buckets (limits.md).

    The check runs before a call: once the window's sum reached the limit, the next call is refused
    with 429, while the call that crossed it completed. Runs on the portal clock, so tests can move
    time forward to release a blocked method.
    """

    def __init__(self, config: "SandboxConfig", now: Callable[[], float]):
        self.config = config
        self._now = now
        # key -> {minute index: [first call time, summed cost]}
        self._buckets: dict[tuple[str, str], dict[int, list[float]]] = {}
        self._lock = threading.Lock()

    def _live(self, key: tuple[str, str], now: float) -> dict[int, list[float]]:
        window = self.config.operating_window
        buckets = self._buckets.setdefault(key, {})
        for minute in [m for m, (first, _) in buckets.items() if first + window <= now]:
            del buckets[minute]
        return buckets

    def check(self, key: tuple[str, str]) -> None:
        """Raise 429 OPERATION_TIME_LIMIT when the method is blocked for this caller."""
        limit = self.config.operating_limit
        if not limit or limit <= 0:
            return
        with self._lock:
            total = sum(cost for _, cost in self._live(key, self._now()).values())
        if total >= limit:
            raise operation_time_limit()

    def add(self, key: tuple[str, str], cost: float) -> tuple[float, int]:
        """Record one call's cost; returns (`operating`, `operating_reset_at`) after it."""
        with self._lock:
            now = self._now()
            buckets = self._live(key, now)
            bucket = buckets.setdefault(int(now // 60), [now, 0.0])
            bucket[1] += cost
            return self._status(buckets, now)

    def status(self, key: tuple[str, str]) -> tuple[float, int]:
        with self._lock:
            now = self._now()
            return self._status(self._live(key, now), now)

    def _status(self, buckets: dict[int, list[float]], now: float) -> tuple[float, int]:
        window = self.config.operating_window
        total = sum(cost for _, cost in buckets.values())
        oldest = min((first for first, _ in buckets.values()), default=now)
        return total, int(oldest + window)

    def snapshot(self) -> dict[str, float]:
        """`method|owner` -> current sum, for the control API."""
        with self._lock:
            now = self._now()
            out = {}
            for key in list(self._buckets):
                total = sum(cost for _, cost in self._live(key, now).values())
                if total:
                    out["|".join(key)] = total
            return out

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def owner_key(ctx) -> str:
    """Operating budgets are kept per application, and per webhook for webhook calls."""
    if ctx.auth_kind == "oauth" and ctx.app is not None:
        return ctx.app.client_id
    return f"webhook:{ctx.user_id}"

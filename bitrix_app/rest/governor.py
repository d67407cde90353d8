"""The rate governor every process obeys: a Redis leaky bucket per portal, plus method budgets.

Bitrix24 counts requests per portal and source IP in a leaky bucket (X burst, Y/s drain) and
answers 503 once it overflows; it also sums each method's processing time over 10 minutes
and answers 429 once that passes the operating limit. Mirroring both here, shared through
Redis, keeps N processes on M machines under the portal's limits instead of each throttling
only itself.
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from redis import Redis

from .errors import MethodBudgetExhausted

PLANS = {"standard": (50, 2.0), "enterprise": (250, 5.0)}
LANES = ("high", "normal", "bulk")  # robot replies and staff-facing calls first, bulk sync last
MAX_INLINE_WAIT = 15.0  # longer waits for a method budget are handed back to the job layer
# a refused method whose last known reset has passed: part of its budget freed, not enough; the next minute of
# it frees within a minute and often far sooner, and a refused look costs one request and no processing time
STALE_BUDGET_WAIT = 15.0
UNKNOWN_BUDGET_WAIT = 60.0  # a refused method the portal never told us a reset for

# KEYS[1]: bucket hash. ARGV: capacity, drain per second. Returns "0" (taken) or seconds to wait.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local capacity, drain = tonumber(ARGV[1]), tonumber(ARGV[2])
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
local ts = tonumber(redis.call('HGET', KEYS[1], 'ts') or tostring(now))
level = math.max(0, level - math.max(0, now - ts) * drain)
local wait = 0
if level + 1 <= capacity then level = level + 1 else wait = (level + 1 - capacity) / drain end
redis.call('HSET', KEYS[1], 'level', tostring(level), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(wait)
"""

_FILL = """
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'level', ARGV[1], 'ts', tostring(tonumber(t[1]) + tonumber(t[2]) / 1000000))
redis.call('EXPIRE', KEYS[1], 3600)
return 1
"""


@dataclass(frozen=True)
class Limits:
    burst: int
    drain: float
    operating_limit: float = 480.0
    bulk_reserve: int = 10  # requests of the burst that bulk work leaves to the other lanes
    normal_reserve: int = 4

    @classmethod
    def for_plan(cls, plan: str, operating_limit: float = 480.0) -> "Limits":
        burst, drain = PLANS.get(plan, PLANS["standard"])
        scale = burst // 50
        return cls(burst, drain, operating_limit, bulk_reserve=10 * scale, normal_reserve=4 * scale)

    def capacity(self, lane: str) -> int:
        # one request of headroom for clock jitter between us and the portal
        reserve = {"high": 0, "normal": self.normal_reserve, "bulk": self.bulk_reserve}[lane]
        return max(1, self.burst - 1 - reserve)


class Governor:
    """One portal's shared limits; cheap to build per call."""

    def __init__(self, redis: Redis, member_id: str, limits: Limits):
        self.redis, self.member_id, self.limits = redis, member_id, limits
        self._bucket = f"bitrix_app:gov:{member_id}:bucket"
        self._budget = f"bitrix_app:gov:{member_id}:operating"
        self._take = redis.register_script(_TAKE)
        self._fill = redis.register_script(_FILL)

    def try_take(self, lane: str) -> float:
        """Take one request from the bucket: 0.0 when granted, else seconds to wait (nothing taken)."""
        return float(self._take(keys=[self._bucket], args=[self.limits.capacity(lane), self.limits.drain]))

    async def take(self, lane: str) -> None:
        while (wait := self.try_take(lane)) > 0:
            await asyncio.sleep(wait)

    def penalize(self) -> None:
        """The portal answered QUERY_LIMIT_EXCEEDED: treat the bucket as full for every process."""
        self._fill(keys=[self._bucket], args=[self.limits.burst])

    def record_operating(self, method: str, operating: float, reset_at: float | None) -> None:
        entry = json.dumps({"operating": float(operating), "reset_at": float(reset_at or time.time() + 600)})
        self.redis.hset(self._budget, method.lower(), entry)
        self.redis.expire(self._budget, 900)

    def block_method(self, method: str, retry_at: float | None = None) -> float:
        """The portal answered OPERATION_TIME_LIMIT: no process sends `method` until `retry_at`, else until the
        reset the portal last told us of, else for a while (STALE_BUDGET_WAIT or UNKNOWN_BUDGET_WAIT)."""
        entry, now = self._entry(method), time.time()
        if retry_at:
            until = retry_at
        elif entry and entry["reset_at"] > now:
            until = entry["reset_at"]
        else:
            until = now + (STALE_BUDGET_WAIT if entry else UNKNOWN_BUDGET_WAIT)
        self.record_operating(method, self.limits.operating_limit, until)
        return until

    def method_wait(self, method: str) -> float:
        """Seconds until `method` may be called again (0.0 when its budget has room)."""
        entry = self._entry(method)
        if not entry:
            return 0.0
        margin = self.limits.operating_limit * 0.02  # the next call adds its own cost
        if entry["operating"] < self.limits.operating_limit - margin:
            return 0.0
        return max(0.0, entry["reset_at"] - time.time())

    def _entry(self, method: str) -> dict | None:
        raw = self.redis.hget(self._budget, method.lower())
        return json.loads(raw) if raw else None

    async def admit(self, lane: str, methods: tuple[str, ...]) -> None:
        """Wait for the methods' budgets (briefly) and for a place in the bucket."""
        for method in methods:
            wait = self.method_wait(method)
            if wait > MAX_INLINE_WAIT:
                raise MethodBudgetExhausted(method, time.time() + wait)
            if wait > 0:
                await asyncio.sleep(wait)
        await self.take(lane)

"""The least time a portal's two REST limits allow for a drain: what a perfect client would take.

The request bucket: `burst` requests at once, then `drain` a second. The operating budget: each method may
spend `limit` seconds of processing within `window` seconds, counted in one-minute buckets that each free
`window` seconds after their first call (the sandbox's model of Bitrix24's `operating`). A request carries
50 commands; an order needs `commands_per_order` of them and `cost_per_order` seconds of the busiest
method's processing. The portal checks the budget before each command, so the command that crosses the
limit still runs.

`least_seconds` steps through time in `step`s, sending at each one everything both limits let through.
"""
from __future__ import annotations

import math

MAX_COMMANDS = 50


def least_seconds(orders: int, commands_per_order: float, cost_per_order: float, burst: float, drain: float,
                  limit: float | None, window: float = 600.0, step: float = 0.5) -> float:
    """Seconds until the last of `orders` can have been sent (0.0 for none)."""
    if orders <= 0:
        return 0.0
    orders_per_request = MAX_COMMANDS / commands_per_order
    tokens, left, t = float(burst), float(orders), 0.0
    buckets: dict[int, list[float]] = {}  # minute -> [first call time, spent]
    while True:
        by_requests = math.floor(tokens) * orders_per_request
        can = min(left, by_requests)
        if limit and cost_per_order > 0:
            for minute in [m for m, (first, _) in buckets.items() if first + window <= t]:
                del buckets[minute]
            spent = sum(cost for _, cost in buckets.values())
            room = max(0.0, limit - spent)
            can = min(can, math.ceil(room / cost_per_order) if room > 0 else 0)
        if can > 0:
            left -= can
            tokens -= can / orders_per_request
            if limit and cost_per_order > 0:
                buckets.setdefault(int(t // 60), [t, 0.0])[1] += can * cost_per_order
        if left <= 1e-9:
            return t
        t += step
        tokens = min(float(burst), tokens + drain * step)

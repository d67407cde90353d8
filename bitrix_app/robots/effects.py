"""Exactly-once effects of a robot call across retries, replays and a worker killed mid-action.

Each effect of a call is remembered in Redis under the call's id: a choice (`remember`) is made once and
re-applied; a write to the portal (`once`) is marked pending before it is sent and done with its answer after,
so a later run of the same call returns the earlier answer, or, when the earlier run died between the two,
first looks in the portal for what that run may have written (`find`) and writes only if nothing is there.
"""
from __future__ import annotations

import json
from typing import Any, Callable

TTL = 30 * 86400  # calls are retried or replayed within days
PENDING = "pending"


def _key(ctx, name: str) -> str | None:
    return f"bitrix_app:robots:effect:{ctx.member_id}:{ctx.call_id}:{name}" if ctx.call_id else None


def remember(ctx, name: str, compute: Callable[[], Any]) -> Any:
    """The value this call chose before, else `compute()` stored as its choice (first run wins a race)."""
    key = _key(ctx, name)
    if key is None:
        return compute()
    known = ctx.redis.get(key)
    if known is None:
        value = compute()
        if ctx.redis.set(key, json.dumps(value), nx=True, ex=TTL):
            return value
        known = ctx.redis.get(key)
    return json.loads(known)


def once(ctx, name: str, do: Callable[[], Any], find: Callable[[], Any] | None = None) -> Any:
    """`do()`'s answer, sent at most once per call; an interrupted earlier send is looked up with `find()`."""
    key = _key(ctx, name)
    if key is None:
        return do()
    known = ctx.redis.get(key)
    if known is not None and known.decode() != PENDING:
        return json.loads(known)
    if known is not None and find is not None:
        found = find()
        if found is not None:
            ctx.redis.set(key, json.dumps(found), ex=TTL)
            return found
    ctx.redis.set(key, PENDING, ex=TTL)
    answer = do()
    ctx.redis.set(key, json.dumps(answer), ex=TTL)
    return answer

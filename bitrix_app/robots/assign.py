"""assign_responsible: round robin over a user list (per portal, in Redis), loyal customers to their own users;
the chosen user becomes the responsible (ASSIGNED_BY_ID) of the deal or lead.

A call keeps its turn: a retried or replayed run assigns the same user instead of taking the next."""
from __future__ import annotations

import hashlib

from .context import Outcome, RobotContext, RobotError, user_ids
from .effects import remember
from .profile import stats_for_deal


def next_in_turn(redis, member_id: str, users: list[int]) -> int:
    """The next user of this list; one counter per portal and list, shared by every worker."""
    digest = hashlib.sha256(",".join(map(str, users)).encode()).hexdigest()[:16]
    turn = redis.incr(f"bitrix_app:robots:round-robin:{member_id}:{digest}")
    return users[(turn - 1) % len(users)]


def assign_responsible(ctx: RobotContext) -> Outcome:
    users = user_ids(ctx.prop("users", []))
    if not users:
        raise RobotError("property users names no user")
    loyal_users = user_ids(ctx.prop("loyal_users", []))
    rule, pool = "round_robin", users
    if loyal_users:
        threshold = ctx.int_prop("loyal_min_orders", 4, 1, 1000)
        if stats_for_deal(ctx).orders >= threshold:
            rule, pool = "loyal", loyal_users
    chosen = remember(ctx, "assigned", lambda: next_in_turn(ctx.redis, ctx.member_id, pool))
    ctx.update_document({"ASSIGNED_BY_ID": chosen})
    return Outcome({"assigned": f"user_{chosen}", "rule": rule},
                   f"{ctx.noun.capitalize()} assigned to user {chosen} ({rule})")

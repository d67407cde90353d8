"""The drain job: apply a portal's due inbox events in windows, one drainer per portal at a time."""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import select

from bitrix_app import services
from bitrix_app.inbox import dispatch, outcomes
from bitrix_app.inbox.outcomes import Outcome, retry, skipped, wait
from bitrix_app.rest.factory import client_for
from bitrix_app.rest.errors import MethodBudgetExhausted, PortalBlocked, PortalCallError
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import InboxEvent

from . import context, lease
from .apply import apply_window
from .window import load

log = logging.getLogger(__name__)
WINDOW = 500
LEASE_TTL = timedelta(minutes=5)
BLOCKED_PAUSE = timedelta(hours=1)


def lease_name(member_id: str) -> str:
    return f"sync:{member_id}"


def run(member_id: str, on_window=None) -> dict:
    """RQ job. Loops until nothing is due; exits at once when another drainer holds the portal.

    `on_window(count)` is told after each window (the import command's progress bar)."""
    factory, clock, conn = services.session_factory(), services.clock(), services.redis()
    owner, name = uuid.uuid4().hex, lease_name(member_id)
    applied = 0
    while True:
        if not lease.acquire(factory, name, owner, clock.now(), LEASE_TTL):
            return {"status": "busy", "events": applied}
        try:
            while True:
                count = _window(member_id)
                if not count:
                    break
                applied += count
                if on_window is not None:
                    on_window(count)
                lease.acquire(factory, name, owner, clock.now(), LEASE_TTL)
        finally:
            lease.release(factory, name, owner)
        dispatch.settle(conn, member_id)
        if not _due(factory, member_id, clock.now()):
            return {"status": "idle", "events": applied}


def _due(factory, member_id: str, now) -> bool:
    with transaction(factory) as s:
        return s.scalar(select(InboxEvent.id).where(
            InboxEvent.member_id == member_id, InboxEvent.status == "pending",
            InboxEvent.next_attempt_at <= now).limit(1)) is not None


def _window(member_id: str) -> int:
    factory, clock, conn = services.session_factory(), services.clock(), services.redis()
    now = clock.now()
    with transaction(factory) as s:
        rows = s.execute(select(InboxEvent.id, InboxEvent.shop_id, InboxEvent.type, InboxEvent.payload,
                                InboxEvent.attempts).where(
            InboxEvent.member_id == member_id, InboxEvent.status == "pending", InboxEvent.next_attempt_at <= now,
        ).order_by(InboxEvent.id).limit(WINDOW)).all()
    if not rows:
        return 0
    events, results = [], {}
    for row in rows:
        try:
            events.append(load(*row))
        except Exception as exc:  # stored by an older schema version: keep it for a human, do not loop
            results[row.id] = Outcome("failed", f"cannot load the stored event: {exc}")
    results.update(_apply(member_id, events, now))
    with transaction(factory) as s:
        earliest = outcomes.write(s, results, {r.id: r.attempts for r in rows}, now)
    if earliest is not None:
        dispatch.schedule_retry(conn, member_id, earliest)
    return len(rows)


def _apply(member_id: str, events: list, now) -> dict[int, Outcome]:
    factory, clock, conn = services.session_factory(), services.clock(), services.redis()
    try:
        ctx = context.build(member_id, factory, clock, conn, client_for)
        if ctx is None or ctx.portal_status == "deleted":
            return {e.id: skipped("the app is uninstalled from this portal") for e in events}
        if ctx.portal_status == "blocked":
            return {e.id: wait(now + BLOCKED_PAUSE, "portal blocked: waiting for access") for e in events}
        return apply_window(ctx, events)
    except PortalBlocked as exc:
        return {e.id: wait(now + BLOCKED_PAUSE, f"portal blocked: {exc}") for e in events}
    except MethodBudgetExhausted as exc:
        return {e.id: wait(now + timedelta(seconds=max(60, exc.retry_at - clock.now().timestamp())),
                           f"method budget exhausted: {exc}") for e in events}
    except PortalCallError as exc:
        log.warning("sync of %s failed: %s", member_id, exc)
        return {e.id: retry(f"{type(exc).__name__}: {exc}") for e in events}

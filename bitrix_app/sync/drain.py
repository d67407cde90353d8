"""The drain job: apply a portal's due inbox events in windows, one drainer per portal at a time.

A drain works in slices: once a slice has spent its budget (elapsed time on the app clock, or a number of
windows), it hands the portal's lease to its successor and queues it, so a backlog of any size drains
continuously and no slice comes near the job time limit. The lease is short and renewed by a heartbeat
(also while a window waits on the portal's rate limit): a killed slice gives the portal up within
`LEASE_TTL`, and the next drain (a kick, a scheduled retry or the sweeper) takes over.
"""
from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Mapping

from redis.exceptions import RedisError
from rq.timeouts import JobTimeoutException
from sqlalchemy import select

from bitrix_app.crm import context
from bitrix_app.crm.window import load
from bitrix_app.inbox import dispatch, outcomes
from bitrix_app.inbox.outcomes import Outcome, failed, retry, skipped, wait
from bitrix_app.jobs.queues import SYNC
from bitrix_app.jobs.registry import enqueue_job, job
from bitrix_app.rest.errors import MethodBudgetExhausted, PortalBlocked, PortalCallError
from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus, PortalStatus

from . import lease
from .apply import apply_window

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

log = logging.getLogger(__name__)
WINDOW = 500
LEASE_TTL = lease.SHORT_TTL
BLOCKED_PAUSE = timedelta(hours=1)
JOB_TIMEOUT = 300  # seconds: RQ's limit for every slice, however it was queued (kick, retry, sweep, hand-over)
SLICE_SECONDS = 120.0  # a slice stops taking new windows after this long: well under JOB_TIMEOUT


@dataclass(frozen=True)
class SliceLimits:
    """How long one slice may work; settable as numbers in the app's config (`create_app` overrides):
    `SYNC_SLICE_SECONDS`, `SYNC_SLICE_WINDOWS`, `SYNC_LEASE_SECONDS`. The job time limit is the declared
    `JOB_TIMEOUT`; the slice budget keeps a slice well under it."""

    seconds: float = SLICE_SECONDS
    windows: int | None = None
    ttl: timedelta = LEASE_TTL

    @classmethod
    def from_settings(cls, extra: Mapping[str, Any]) -> "SliceLimits":
        windows = extra.get("SYNC_SLICE_WINDOWS")
        return cls(seconds=float(extra.get("SYNC_SLICE_SECONDS", SLICE_SECONDS)),
                   windows=int(windows) if windows not in (None, "") else None,
                   ttl=timedelta(seconds=float(extra.get("SYNC_LEASE_SECONDS", LEASE_TTL.total_seconds()))))


def lease_name(member_id: str) -> str:
    return f"sync:{member_id}"


def slice_job_id(member_id: str, owner: str) -> str:
    return f"drain-slice-{re.sub(r'[^A-Za-z0-9_-]', '_', member_id)}-{owner}"


@job(SYNC, timeout=JOB_TIMEOUT)
def run(member_id: str, on_window=None, owner: str | None = None, sliced: bool = True) -> dict:
    """RQ job: one slice of the portal's drain (see `drain`)."""
    from bitrix_app.scope import portal_scope

    return drain(portal_scope(member_id), on_window, owner, sliced)


def drain(scope: "PortalScope", on_window=None, owner: str | None = None, sliced: bool = True) -> dict:
    """One slice. Loops until nothing is due or the slice's budget is spent (then hands over);
    exits at once when another drainer holds the portal.

    `owner` is the lease a previous slice handed over; `sliced=False` drains to the end in this process
    (the import command, which has no job time limit). `on_window(count)` is told after each window."""
    member_id, factory, clock, conn = scope.member_id, scope.sessions, scope.clock, scope.redis
    limits = SliceLimits.from_settings(scope.config)
    owner, name = owner or uuid.uuid4().hex, lease_name(member_id)
    started, applied, windows = clock.now(), 0, 0
    while True:
        if not lease.acquire(factory, name, owner, clock.now(), limits.ttl):
            _hold_kick(conn, member_id, limits.ttl)
            return {"status": "busy", "events": applied}
        handed = False
        beat = lease.heartbeat(factory, clock, name, owner, limits.ttl,
                               also=lambda: _hold_kick(conn, member_id, limits.ttl))
        try:
            with beat:
                while True:
                    if beat.lost:
                        log.warning("drain of %s lost its lease to another drainer; stopping", member_id)
                        return {"status": "lost", "events": applied}
                    if sliced and _spent(limits, clock.now() - started, windows):
                        beat.stop()
                        handed = _hand_over(scope, owner, limits)
                        return {"status": "handed_over" if handed else "stopped", "events": applied}
                    count = _window(scope)
                    if not count:
                        break
                    applied, windows = applied + count, windows + 1
                    if on_window is not None:
                        on_window(count)
                    beat.beat()
        except JobTimeoutException:
            beat.stop()  # the job limit struck mid-window anyway: the events of that window stay pending
            handed = _hand_over(scope, owner, limits)
            raise
        finally:
            if not handed:
                lease.release(factory, name, owner)
        dispatch.settle(conn, member_id)
        if not _due(scope, clock.now()):
            return {"status": "idle", "events": applied}


def _spent(limits: SliceLimits, elapsed: timedelta, windows: int) -> bool:
    if limits.windows is not None and windows >= limits.windows:
        return True
    return elapsed.total_seconds() >= limits.seconds


def _hold_kick(conn, member_id: str, ttl: timedelta) -> None:
    """While a drain holds the portal, its kick marker lives no longer than the lease: new events join the
    running drain, and once a killed drain's lease runs out the next kick or sweep queues a new one."""
    try:
        conn.set(dispatch.kick_key(member_id), "1", ex=max(1, int(ttl.total_seconds())))
    except RedisError as exc:  # only a hint for kicks: the lease keeps the drain single
        log.warning("could not mark the drain of %s as running (%s)", member_id, type(exc).__name__)


def _hand_over(scope: "PortalScope", owner: str, limits: SliceLimits) -> bool:
    """Give the lease to the next slice and queue it (the lease first: the successor must find it its own).
    A successor that never starts lets the lease run out; the sweeper then queues a new drain."""
    member_id, factory, clock, conn = scope.member_id, scope.sessions, scope.clock, scope.redis
    successor, name = uuid.uuid4().hex, lease_name(member_id)
    if not lease.hand_over(factory, name, owner, successor, clock.now(), limits.ttl):
        return False
    try:
        conn.set(dispatch.kick_key(member_id), "1", ex=dispatch.KICK_TTL)  # a drain is queued: kicks join it
        enqueue_job(conn, run, member_id, owner=successor, job_id=slice_job_id(member_id, successor))
    except RedisError as exc:
        log.warning("could not queue the next drain slice of %s (%s); the sweeper will", member_id,
                    type(exc).__name__)
        lease.release(factory, name, successor)
        return False
    return True


def _due(scope: "PortalScope", now) -> bool:
    member_id = scope.member_id
    with scope.transaction() as s:
        return s.scalar(select(InboxEvent.id).where(
            InboxEvent.member_id == member_id, InboxEvent.status == InboxStatus.PENDING,
            InboxEvent.next_attempt_at <= now).limit(1)) is not None


def _window(scope: "PortalScope") -> int:
    member_id, now = scope.member_id, scope.now()
    with scope.transaction() as s:
        rows = s.execute(select(InboxEvent.id, InboxEvent.shop_id, InboxEvent.type, InboxEvent.payload,
                                InboxEvent.attempts).where(
            InboxEvent.member_id == member_id, InboxEvent.status == InboxStatus.PENDING,
            InboxEvent.next_attempt_at <= now,
        ).order_by(InboxEvent.id).limit(WINDOW)).all()
    if not rows:
        return 0
    events, results = [], {}
    for row in rows:
        try:
            events.append(load(*row))
        except Exception as exc:  # stored by an older schema version: keep it for a human, do not loop
            results[row.id] = failed(f"cannot load the stored event: {exc}")
    results.update(_apply(scope, events, now))
    with scope.transaction() as s:
        earliest = outcomes.write(s, results, {r.id: r.attempts for r in rows}, now)
    if earliest is not None:
        dispatch.schedule_retry(scope.redis, member_id, earliest)
    return len(rows)


def _apply(scope: "PortalScope", events: list, now) -> dict[int, Outcome]:
    member_id = scope.member_id
    try:
        ctx = context.build(scope)
        if ctx is None or ctx.portal_status == PortalStatus.DELETED:
            log.info("drain of %s: the app is not installed there; %d events skipped", member_id, len(events))
            return {e.id: skipped("the app is uninstalled from this portal") for e in events}
        if ctx.portal_status == PortalStatus.BLOCKED:
            return {e.id: wait(now + BLOCKED_PAUSE, "portal blocked: waiting for access") for e in events}
        return apply_window(ctx, events)
    except PortalBlocked as exc:
        return {e.id: wait(now + BLOCKED_PAUSE, f"portal blocked: {exc}") for e in events}
    except MethodBudgetExhausted as exc:
        return {e.id: outcomes.budget_wait(exc.retry_at, now, f"method budget exhausted: {exc}") for e in events}
    except PortalCallError as exc:
        log.warning("sync of %s failed: %s", member_id, exc)
        return {e.id: retry(f"{type(exc).__name__}: {exc}") for e in events}

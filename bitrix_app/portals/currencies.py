"""The portal's own currencies (crm.currency.list), cached in Redis for the shop ingest check.

Setup reads the list with its other reads; ingest reads the cache only. A list older than REFRESH_AFTER is
still used while one refresh job per portal and REFRESH_GUARD re-reads it. When the list is not known (never
read, Redis or the portal down) ingest falls back to the ISO 4217 check alone: nothing is refused for it.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.jobs.registry import enqueue_job, job

if TYPE_CHECKING:
    from bitrix_app.scope import AppServices, PortalScope

log = logging.getLogger(__name__)

METHOD = "crm.currency.list"
READ_LABEL = "currencies"  # the command's label in setup's read batch
REFRESH_AFTER = timedelta(days=1)
REFRESH_GUARD = timedelta(hours=1)  # at most one refresh queued per portal per hour


def _key(member_id: str) -> str:
    return f"bitrix_app:currencies:{member_id}"


def codes_of(result) -> list[str]:
    """The codes of a crm.currency.list answer (a list of {"CURRENCY": "RUB", ...})."""
    rows = result if isinstance(result, list) else []
    return sorted({str(r.get("CURRENCY", "")).strip().upper() for r in rows if isinstance(r, dict)} - {""})


def remember(redis, member_id: str, codes: list[str], now: datetime) -> None:
    """Store the portal's list with the time it was read; an empty list is not stored (nothing learnt)."""
    if codes:
        redis.set(_key(member_id), json.dumps({"codes": codes, "read_at": now.timestamp()}))


def remember_read(redis, member_id: str, seen, now: datetime) -> None:
    """Take the list out of setup's read batch: stored when answered, its error dropped either way, so a
    portal that refuses the read still converges (ingest then checks ISO 4217 alone)."""
    error = seen.errors.pop(READ_LABEL, None)
    if error is not None:
        log.warning("%s: %s refused: %s", member_id, METHOD, error)
    if READ_LABEL in seen.results:
        try:
            remember(redis, member_id, codes_of(seen.results.pop(READ_LABEL)), now)
        except RedisError as exc:
            log.warning("%s: currencies not cached: %s", member_id, exc)


def known(redis, member_id: str, now: datetime, enqueue=None) -> frozenset[str] | None:
    """The portal's codes, or None when not known; never raises. A stale list is returned as it is and
    `enqueue(member_id)` is called at most once per REFRESH_GUARD to re-read it."""
    try:
        raw = redis.get(_key(member_id))
        if raw is None:
            return None
        cached = json.loads(raw)
        codes = frozenset(cached["codes"])
        stale = now.timestamp() - float(cached["read_at"]) > REFRESH_AFTER.total_seconds()
        if stale and enqueue is not None and redis.set(
                f"{_key(member_id)}:refresh", "1", nx=True, ex=int(REFRESH_GUARD.total_seconds())):
            enqueue(member_id)
        return codes or None
    except (RedisError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: currencies unknown, ISO 4217 only: %s", member_id, exc)
        return None


def for_ingest(svc: "AppServices", member_id: str) -> frozenset[str] | None:
    """The check the shop endpoints pass to load_events: cheap (one Redis read), never failing."""
    redis = svc.redis

    def queue_refresh(mid: str) -> None:
        enqueue_job(redis, refresh, mid, job_id=f"currencies:{mid}")

    try:
        return known(redis, member_id, svc.now(), queue_refresh)
    except Exception as exc:  # a queue that cannot take the job must not refuse the shop's events
        log.warning("%s: currency refresh not queued: %s", member_id, exc)
        return None


@job(DEFAULT)
def refresh(member_id: str) -> list[str]:
    """Job: read the portal's list again and cache it."""
    from bitrix_app.scope import portal_scope

    return reread(portal_scope(member_id))


def reread(scope: "PortalScope") -> list[str]:
    codes = codes_of(scope.on_lane("normal").client.call(METHOD))
    remember(scope.redis, scope.member_id, codes, scope.now())
    return codes

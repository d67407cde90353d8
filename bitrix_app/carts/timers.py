"""Cart timers: when a step of a cart falls due, an internal event goes into the portal's inbox.

All portal work happens in the drain; timers only insert `cart.abandon_due` / `cart.reminder_due` rows
(deterministic event ids, so a twin timer, the sweeper and a replay insert each step once) and kick it.
An RQ job per cart fires at the next moment (`due`); the cron sweeper (`sweep_job`) finds steps whose
timer was lost. Handlers re-check the cart when the event is applied, so a stale timer does nothing.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.inbox.dispatch import kick
from bitrix_app.jobs.queues import DEFAULT, SYNC
from bitrix_app.jobs.registry import CRON_TIMEOUT, enqueue_job, job
from bitrix_app.shops.settings import ShopSettings, get_settings
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Cart, InboxEvent
from bitrix_app.store.statuses import InboxStatus

from . import rules

if TYPE_CHECKING:
    from bitrix_app.scope import PortalScope

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=32)  # reminders are at most 30 days after the last update
SWEEP_LIMIT = 5000
MAX_REMINDERS = 2


def step_rows(cart: Cart, settings: ShopSettings, now: datetime) -> list[dict]:
    """Inbox rows for the cart's steps that are due now."""
    rows = []
    for kind, n in rules.due_steps(cart, settings, now):
        payload = rules.step_payload(kind, cart, n)
        rows.append({
            "shop_id": cart.shop_id, "member_id": cart.member_id, "event_id": payload["event_id"], "type": kind,
            "subject": f"cart:{cart.cart_id}"[:160], "version": utc(cart.version),
            "payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
            "status": InboxStatus.PENDING, "attempts": 0, "next_attempt_at": now, "received_at": now,
        })
    return rows


def insert_rows(session: Session, rows: list[dict]) -> int:
    """Insert the rows whose (shop_id, event_id) is new; the caller commits. Returns how many went in."""
    if not rows:
        return 0
    seen: set[tuple[str, str]] = set()
    pairs = [(r["shop_id"], r["event_id"]) for r in rows]
    for n in range(0, len(pairs), 500):
        seen.update(session.execute(select(InboxEvent.shop_id, InboxEvent.event_id).where(
            tuple_(InboxEvent.shop_id, InboxEvent.event_id).in_(pairs[n:n + 500]))).all())
    fresh = list({(r["shop_id"], r["event_id"]): r for r in rows
                  if (r["shop_id"], r["event_id"]) not in seen}.values())
    inserted = 0
    for row in fresh:
        try:
            with session.begin_nested():
                session.execute(insert(InboxEvent), [row])
            inserted += 1
        except IntegrityError:
            continue  # a twin timer committed it first
    return inserted


def queue_due(session: Session, cart: Cart, settings: ShopSettings, now: datetime) -> int:
    return insert_rows(session, step_rows(cart, settings, now))


def job_id(cart: Cart, moment: datetime) -> str:
    """RQ job ids allow letters, digits, `_` and `-` only: the cart is named by a digest."""
    digest = hashlib.sha256(f"{cart.shop_id}\n{cart.cart_id}".encode()).hexdigest()[:32]
    return f"cart-due-{digest}-{rules.stamp(moment)}"


def schedule(conn: Redis, cart: Cart, moment: datetime | None) -> None:
    """An RQ job at `moment` for the cart; never fails the caller (the sweeper catches up)."""
    if moment is None:
        return
    try:
        enqueue_job(conn, due, cart.member_id, cart.shop_id, cart.cart_id, job_id=job_id(cart, moment), at=moment)
    except RedisError as exc:
        log.warning("could not schedule the cart timer %s (%s); the sweeper will catch up",
                    job_id(cart, moment), type(exc).__name__)


def cancel(conn: Redis, cart: Cart, settings: ShopSettings, version: datetime | None = None) -> int:
    """Drop the scheduled timers of the cart's version (`version`, default the current one): cheap tidying,
    correctness never depends on it. Returns how many jobs were removed."""
    version = utc(version or cart.version)
    moments = [rules.abandon_at(settings, version)]
    moments += [rules.reminder_at(settings, version, n) for n in range(1, len(settings.reminder_minutes) + 1)]
    removed = 0
    for moment in moments:
        try:
            job = Job.fetch(job_id(cart, moment), connection=conn)
            if job.get_status(refresh=False) in ("scheduled", "queued", "deferred"):
                job.delete()
                removed += 1
        except NoSuchJobError:
            continue
        except RedisError:
            return removed
    return removed


def follow_up(session: Session, cart: Cart, settings: ShopSettings, now: datetime) -> datetime | None:
    """After a cart changed: queue what is due already, return the next moment to schedule a timer for."""
    queue_due(session, cart, settings, now)
    return rules.next_moment(cart, settings, now)


@job(SYNC)
def due(member_id: str, shop_id: str, cart_id: str) -> int:
    """RQ job: the cart's next step may be due. Queues due steps, kicks the drain, arms the next timer.

    A timer that fires early (or late, or twice) is harmless: only what is due by the app clock is queued,
    and the next timer for the same moment has the same job id as this one."""
    from bitrix_app.scope import portal_scope

    return queue_steps(portal_scope(member_id), shop_id, cart_id)


def queue_steps(scope: "PortalScope", shop_id: str, cart_id: str) -> int:
    member_id, conn, now = scope.member_id, scope.redis, scope.now()
    with scope.transaction() as s:
        cart = s.scalar(select(Cart).where(Cart.shop_id == shop_id, Cart.cart_id == cart_id))
        if cart is None or cart.member_id != member_id:
            return 0
        settings = get_settings(s, member_id)
        inserted = queue_due(s, cart, settings, now)
        moment = rules.next_moment(cart, settings, now)
    if inserted:
        kick(conn, member_id)
    schedule(conn, cart, moment)
    return inserted


def sweep(factory: sessionmaker[Session], conn: Redis, now: datetime, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Queue every cart step that is due and not in the inbox yet (a lost timer never loses a reminder).
    Returns {member_id: steps queued}."""
    queued: dict[str, int] = {}
    with transaction(factory) as s:
        carts = s.scalars(select(Cart).where(
            Cart.version >= now - LOOKBACK, Cart.version <= now - timedelta(minutes=5),
            (Cart.state == "open") | ((Cart.state == "abandoned") & (Cart.reminders_sent < MAX_REMINDERS)),
        ).order_by(Cart.version.desc()).limit(limit)).all()
        settings: dict[str, ShopSettings] = {}
        rows_by_member: dict[str, list[dict]] = {}
        for cart in carts:
            if cart.member_id not in settings:
                settings[cart.member_id] = get_settings(s, cart.member_id)
            rows_by_member.setdefault(cart.member_id, []).extend(step_rows(cart, settings[cart.member_id], now))
        for member_id, rows in rows_by_member.items():
            count = insert_rows(s, rows)
            if count:
                queued[member_id] = count
    for member_id in queued:
        kick(conn, member_id)
    return queued


@job(DEFAULT, timeout=CRON_TIMEOUT, every=60)
def sweep_job() -> dict[str, int]:
    """Cron entry (every minute): the sweeper with the app's services."""
    from bitrix_app.scope import app_services

    svc = app_services()
    return sweep(svc.sessions, svc.redis, svc.now())

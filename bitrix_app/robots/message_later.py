"""A robot message that quiet hours deferred: an RQ job at the moment they end sends it then.

The job carries the rendered message (JSON); when it fires it takes the customer's newest profile (consent,
address) and passes the whole policy again (quiet hours, consent, caps, duplicates) by the app's clock. A
job that fires early, or finds quiet hours again, schedules itself anew; a message sent meanwhile (a replay)
is never sent twice, its key is the messaging layer's idempotency key. Every outcome lands in `messages`.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, replace
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from bitrix_app import messaging
from bitrix_app.jobs.queues import DEFAULT
from bitrix_app.jobs.registry import enqueue_job, job
from bitrix_app.messaging import journal
from bitrix_app.messaging.message import ERROR, LATER
from bitrix_app.portals import NOT_INSTALLED, portal_installed
from bitrix_app.scope import PortalScope, portal_scope
from bitrix_app.shops.settings import get_settings
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import Customer
from bitrix_app.store.statuses import ReasonCode

log = logging.getLogger(__name__)
MAX_GENERATIONS = 50  # re-deferrals of one message (a guard against a timer loop, never reached in practice)


def as_data(message: messaging.Message) -> dict:
    data = asdict(message)
    data["channels"] = list(message.channels)
    return data


def from_data(data: dict) -> messaging.Message:
    recipient = messaging.Recipient(**data["recipient"])
    return messaging.Message(**{**data, "recipient": recipient, "channels": tuple(data["channels"])})


def fresh_recipient(session: Session, customer_id: int | None, old: messaging.Recipient) -> messaging.Recipient:
    """The customer's newest address and consent (a withdrawn consent stops a deferred marketing message)."""
    row = session.get(Customer, customer_id) if customer_id else None
    if row is None:
        return old
    profile = row.profile or {}
    return replace(old, email=profile.get("email"), phone=profile.get("phone"),
                   consent_email=bool(profile.get("consent_email")), consent_sms=bool(profile.get("consent_sms")))


def job_id(member_id: str, key: str, until: datetime, generation: int) -> str:
    digest = hashlib.sha256(f"{member_id}\n{key}".encode()).hexdigest()[:32]
    return f"robot-msg-{digest}-{utc(until):%Y%m%dT%H%M%S}-{generation}"


def schedule(conn: Redis, member_id: str, message: messaging.Message, until: datetime, customer_id: int | None,
             responsible_id: int | None, generation: int = 0) -> bool:
    """An RQ job at `until`; False when Redis refused it (the message stays recorded as deferred)."""
    try:
        enqueue_job(conn, send_later, member_id, as_data(message), customer_id, responsible_id, generation,
                    job_id=job_id(member_id, message.key, until, generation), at=utc(until))
    except RedisError as exc:
        log.warning("could not schedule deferred message %s (%s)", message.key, type(exc).__name__)
        return False
    return True


@job(DEFAULT, retry=(60, 300, 900))
def send_later(member_id: str, data: dict, customer_id: int | None, responsible_id: int | None,
               generation: int = 0) -> str:
    """Job: `send_deferred` on the portal's scope."""
    return send_deferred(portal_scope(member_id), data, customer_id, responsible_id, generation)


def send_deferred(scope: PortalScope, data: dict, customer_id: int | None, responsible_id: int | None,
                  generation: int = 0) -> str:
    """Send the deferred message now if policy allows; returns the delivery status."""
    member_id, factory, conn, clock = scope.member_id, scope.sessions, scope.redis, scope.clock
    message = from_data(data)
    with transaction(factory) as s:
        if not portal_installed(s, member_id, f"deferred message {message.key}"):
            known = journal.existing(s, member_id, [message.key]).get(message.key)
            if known is not None and known.status == journal.DEFERRED:
                journal.write(s, member_id, message, journal.SKIPPED, clock.now(), reason=NOT_INSTALLED,
                              reason_code=ReasonCode.NOT_INSTALLED)
            return "skipped"
        message = replace(message, recipient=fresh_recipient(s, customer_id, message.recipient))
        settings = get_settings(s, member_id)
    delivery = messaging.send(messaging.PortalMessaging(scope, settings, responsible_id), message)
    if delivery.status == LATER:
        if generation + 1 >= MAX_GENERATIONS:
            log.warning("deferred message %s deferred %d times; left as deferred", message.key, generation + 1)
        else:
            schedule(conn, member_id, message, delivery.until, customer_id, responsible_id, generation + 1)
    elif delivery.status == ERROR:
        raise RuntimeError(f"deferred message {message.key} not sent: {delivery.detail}")  # RQ retries
    return delivery.status

"""A portal's dead letters (shop events the sync gave up on) as the admin screen lists them, and the retry of one.

Each row names its shop, its event type, what it is about (an order's number, a cart, a customer's address),
when it failed, after how many attempts, and why: the stored error and its kind, so a screen can say it in words
(the portal refused the currency; the shop pipeline is missing; the portal was blocked, unreachable or answered an
error; the stored event cannot be read; anything else). The retry reuses the operator's replay (`admin.replay`) for one event.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bitrix_app.store.models import utc
from bitrix_app.store.shop_models import InboxEvent, Shop
from bitrix_app.store.statuses import InboxStatus

from . import admin

# error kind -> words the stored error contains (checked in this order); anything else is "other"
ERROR_KINDS = (
    ("currency_refused", ("refused the currency", 'Invalid value for the "Currency" field')),
    ("pipeline_missing", ("shop pipeline is not set up",)),
    ("portal_blocked", ("PortalBlocked", "portal blocked")),
    ("portal_unavailable", ("PortalUnavailable",)),
    ("portal_error", ("PortalError", "PortalCallError")),
    ("bad_event", ("cannot load the stored event",)),
    ("deal_unknown", ("deal is not known yet",)),
    ("message_failed", ("reminder not sent",)),
)


class NotDeadLetter(ValueError):
    """The event exists but has not failed (it waits, or was applied): nothing to retry."""

    def __init__(self, status: str):
        super().__init__(f"the event is {status}, not failed: nothing to retry")
        self.status = status


def error_kind(error: str | None) -> str:
    for kind, marks in ERROR_KINDS:
        if error and any(mark in error for mark in marks):
            return kind
    return "other"


def _iso(value) -> str | None:
    value = utc(value)
    return value.isoformat() if value else None


def _about(event: InboxEvent) -> dict:
    """What the event is about, in the shop's own words: {kind, ref}; ref is None when nothing readable."""
    kind, _, key = event.subject.partition(":")
    try:
        data = (json.loads(event.payload) or {}).get("data") or {}
    except (TypeError, ValueError):
        data = {}
    if kind == "order":
        ref = data.get("number") or data.get("order_id") or key
    elif kind == "customer":
        customer = data.get("customer") or {}
        ref = customer.get("email") or customer.get("phone") or None
    else:
        ref = key or None
    return {"kind": kind or "other", "ref": str(ref) if ref else None}


def as_row(event: InboxEvent, shop_names: dict[str, str]) -> dict:
    return {"id": event.id, "shop_id": event.shop_id, "shop_name": shop_names.get(event.shop_id),
            "type": event.type, "subject": _about(event), "status": event.status,
            "error": event.last_error, "error_kind": error_kind(event.last_error),
            "attempts": event.attempts, "received_at": _iso(event.received_at),
            "failed_at": _iso(event.processed_at)}


def _shop_names(session: Session, member_id: str) -> dict[str, str]:
    return dict(session.execute(select(Shop.shop_id, Shop.name).where(Shop.member_id == member_id)).all())


def page(session: Session, member_id: str, after: int | None, limit: int) -> dict:
    """Newest first; `after` is the last id of the previous page. {items, next} (next: None on the last page)."""
    q = (select(InboxEvent).where(InboxEvent.member_id == member_id, InboxEvent.status == InboxStatus.FAILED)
         .order_by(InboxEvent.id.desc()).limit(limit + 1))
    if after:
        q = q.where(InboxEvent.id < after)
    rows = list(session.scalars(q))
    names = _shop_names(session, member_id)
    items = [as_row(e, names) for e in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}


def retry(session: Session, member_id: str, event_id: int, now: datetime) -> dict:
    """Put one dead letter back in the queue with fresh attempts (the caller queues the drain after commit).

    LookupError for an event this portal does not have; NotDeadLetter for one that has not failed."""
    event = session.scalar(select(InboxEvent).where(InboxEvent.id == event_id, InboxEvent.member_id == member_id))
    if event is None:
        raise LookupError(f"no shop event {event_id} in this portal")
    if event.status != InboxStatus.FAILED:
        raise NotDeadLetter(event.status)
    admin.replay(session, now, [event_id], member_id)
    session.refresh(event)
    return as_row(event, _shop_names(session, member_id))

"""What became of each inbox event in a drain window, written back in one transaction."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session

from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

MAX_ATTEMPTS = 8
BACKOFF = (30, 60, 120, 300, 900, 1800, 3600, 7200)  # seconds after attempt 1, 2, ...


class Kind(StrEnum):
    """done: applied; skipped: nothing to do (stale, superseded); failed: give up now (these three are the row's
    final status); retry: failed, try later (an attempt counted); wait: not failed, try again at `at` (quiet
    hours, portal blocked)."""

    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    RETRY = "retry"
    WAIT = "wait"


@dataclass(frozen=True)
class Outcome:
    kind: Kind
    error: str | None = None
    at: datetime | None = None


DONE = Outcome(Kind.DONE)


def skipped(reason: str) -> Outcome:
    return Outcome(Kind.SKIPPED, reason)


def failed(reason: str) -> Outcome:
    """A dead letter at once: retrying cannot help (the row keeps the reason for a human)."""
    return Outcome(Kind.FAILED, reason[:2000])


def retry(error: str) -> Outcome:
    return Outcome(Kind.RETRY, error[:2000])


def wait(until: datetime, reason: str) -> Outcome:
    return Outcome(Kind.WAIT, reason, until)


BUDGET_WAIT_FLOOR = 15.0  # seconds: shorter budget waits the REST governor sits out inline


def budget_wait(until: float, now: datetime, reason: str) -> Outcome:
    """Wait for a spent method budget: `until` is the REST layer's epoch time (the portal's clock), `now` the
    app's; the event is due as many seconds from now as the budget needs, at least BUDGET_WAIT_FLOOR."""
    return wait(now + timedelta(seconds=max(BUDGET_WAIT_FLOOR, until - time.time())), reason)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])


def write(session: Session, outcomes: dict[int, Outcome], attempts: dict[int, int], now: datetime) -> datetime | None:
    """Record outcomes; returns the earliest moment a waiting or retrying event is due again."""
    earliest = None
    for event_id, out in outcomes.items():
        values: dict = {}
        if out.kind in (Kind.DONE, Kind.SKIPPED):
            values = {"status": InboxStatus(out.kind.value), "processed_at": now, "last_error": out.error}
        elif out.kind == Kind.WAIT:
            values = {"next_attempt_at": out.at, "last_error": out.error}
        else:  # retry or failed: an attempt
            tries = attempts.get(event_id, 0) + 1
            if out.kind == Kind.FAILED or tries >= MAX_ATTEMPTS:
                values = {"status": InboxStatus.FAILED, "attempts": tries, "last_error": out.error, "processed_at": now}
            else:
                values = {"attempts": tries, "next_attempt_at": now + backoff(tries), "last_error": out.error}
        session.execute(update(InboxEvent).where(InboxEvent.id == event_id).values(**values))
        due = values.get("next_attempt_at")
        if due is not None and (earliest is None or due < earliest):
            earliest = due
    return earliest

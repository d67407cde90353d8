"""What became of each inbox event in a drain window, written back in one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bitrix_app.store.shop_models import InboxEvent
from bitrix_app.store.statuses import InboxStatus

MAX_ATTEMPTS = 8
BACKOFF = (30, 60, 120, 300, 900, 1800, 3600, 7200)  # seconds after attempt 1, 2, ...


@dataclass(frozen=True)
class Outcome:
    """done: applied; skipped: nothing to do (stale, superseded); retry: failed, try later;
    wait: not failed, try again at `at` (quiet hours, portal blocked); failed: give up now."""

    kind: str
    error: str | None = None
    at: datetime | None = None


DONE = Outcome(InboxStatus.DONE)


def skipped(reason: str) -> Outcome:
    return Outcome(InboxStatus.SKIPPED, reason)


def retry(error: str) -> Outcome:
    return Outcome("retry", error[:2000])


def wait(until: datetime, reason: str) -> Outcome:
    return Outcome("wait", reason, until)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])


def write(session: Session, outcomes: dict[int, Outcome], attempts: dict[int, int], now: datetime) -> datetime | None:
    """Record outcomes; returns the earliest moment a waiting or retrying event is due again."""
    earliest = None
    for event_id, out in outcomes.items():
        values: dict = {}
        if out.kind in (InboxStatus.DONE, InboxStatus.SKIPPED):
            values = {"status": InboxStatus(out.kind), "processed_at": now, "last_error": out.error}
        elif out.kind == "wait":
            values = {"next_attempt_at": out.at, "last_error": out.error}
        else:
            tries = attempts.get(event_id, 0) + 1
            if out.kind == InboxStatus.FAILED or tries >= MAX_ATTEMPTS:
                values = {"status": InboxStatus.FAILED, "attempts": tries, "last_error": out.error, "processed_at": now}
            else:
                values = {"attempts": tries, "next_attempt_at": now + backoff(tries), "last_error": out.error}
        session.execute(update(InboxEvent).where(InboxEvent.id == event_id).values(**values))
        due = values.get("next_attempt_at")
        if due is not None and (earliest is None or due < earliest):
            earliest = due
    return earliest

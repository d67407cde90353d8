"""Injected time: business logic asks the clock, tests move it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def timestamp(self) -> float:
        return self.now().timestamp()


class FrozenClock(SystemClock):
    """A clock that only moves when told to (tests, benchmarks, replays)."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 15, 10, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (a replay, or a test portal put back to an earlier state)."""
        self._now = moment

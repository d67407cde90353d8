"""Time-bound exclusive claims kept in the database and measured on the app clock.

A holder that dies (killed worker) simply stops renewing; once `until` passes, the next claimant wins.
Claims are short (`SHORT_TTL`) and kept alive by a `Heartbeat` while their holder works, so a killed
holder gives its claim up within the TTL instead of after the longest thing it might have been doing.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Lease

log = logging.getLogger(__name__)
SHORT_TTL = timedelta(seconds=30)


def acquire(factory: sessionmaker[Session], name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the claim; False while somebody else's claim is still running."""
    with transaction(factory) as s:
        taken = s.execute(update(Lease).where(
            Lease.name == name, or_(Lease.owner == owner, Lease.until <= now)
        ).values(owner=owner, until=now + ttl)).rowcount
        if taken:
            return True
    try:
        with transaction(factory) as s:
            s.add(Lease(name=name, owner=owner, until=now + ttl))
        return True
    except IntegrityError:
        return False


def renew(factory: sessionmaker[Session], name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Extend a claim this owner still holds; False when it is gone (lapsed and taken, or handed over)."""
    with transaction(factory) as s:
        return bool(s.execute(update(Lease).where(Lease.name == name, Lease.owner == owner)
                              .values(until=now + ttl)).rowcount)


def hand_over(factory: sessionmaker[Session], name: str, owner: str, successor: str, now: datetime,
              ttl: timedelta) -> bool:
    """Pass the claim to `successor` in one step (nobody else can slip in between); False if not ours."""
    with transaction(factory) as s:
        return bool(s.execute(update(Lease).where(Lease.name == name, Lease.owner == owner)
                              .values(owner=successor, until=now + ttl)).rowcount)


def release(factory: sessionmaker[Session], name: str, owner: str) -> None:
    with transaction(factory) as s:
        s.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))


class Heartbeat:
    """Renews a held claim every `ttl / 3` of real time from a small daemon thread, also while the holder
    waits on the portal's rate limit. `lost` turns True once the claim is no longer ours; `also` runs
    with every beat (e.g. to keep a queue marker as short-lived as the claim)."""

    def __init__(self, factory: sessionmaker[Session], clock, name: str, owner: str, ttl: timedelta,
                 also: Callable[[], None] | None = None):
        self.factory, self.clock, self.name, self.owner, self.ttl, self.also = factory, clock, name, owner, ttl, also
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> bool:
        """One renewal (the thread calls this; the holder may too, between units of work)."""
        try:
            if not renew(self.factory, self.name, self.owner, self.clock.now(), self.ttl):
                self.lost = True
            elif self.also is not None:
                self.also()
        except (SQLAlchemyError, OSError, ConnectionError) as exc:  # a missed beat is retried; the TTL has slack
            log.warning("lease %s: renewal failed (%s)", self.name, type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - `also` talks to Redis; never kill the beating thread
            log.warning("lease %s: heartbeat side task failed (%s)", self.name, type(exc).__name__)
        return not self.lost

    def _loop(self) -> None:
        interval = max(0.05, self.ttl.total_seconds() / 3)
        while not self._stop.wait(interval) and not self.lost:
            self.beat()

    def __enter__(self) -> "Heartbeat":
        self._thread = threading.Thread(target=self._loop, name=f"lease-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __exit__(self, *exc) -> None:
        self.stop()

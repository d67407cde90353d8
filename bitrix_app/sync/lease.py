"""Time-bound exclusive claims kept in the database and measured on the app clock.

A holder that dies (killed worker) simply stops renewing; once `until` passes, the next claimant wins.
Claims are short (`SHORT_TTL`) and kept alive by a `Heartbeat` while their holder works, so a killed
holder gives its claim up within the TTL instead of after the longest thing it might have been doing.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.jobs.heartbeat import Heartbeat
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Lease

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


def heartbeat(factory: sessionmaker[Session], clock, name: str, owner: str, ttl: timedelta,
              also: Callable[[], None] | None = None) -> Heartbeat:
    """A heartbeat renewing a database lease every `ttl / 3`; `also` runs after each successful renewal
    (e.g. to keep a queue marker as short-lived as the lease)."""

    def renew_lease() -> bool:
        if not renew(factory, name, owner, clock.now(), ttl):
            return False
        if also is not None:
            also()
        return True

    return Heartbeat(renew_lease, ttl.total_seconds() / 3, name)

"""Time-bound exclusive claims kept in the database and measured on the app clock.

A holder that dies (killed worker) simply stops renewing; once `until` passes, the next claimant wins.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Lease


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


def release(factory: sessionmaker[Session], name: str, owner: str) -> None:
    with transaction(factory) as s:
        s.execute(delete(Lease).where(Lease.name == name, Lease.owner == owner))

"""Counts per segment after a full rebuild, the active share of the base and its trend.

active share = customers in a *_ACTIVE lifecycle cell / customers with at least one purchase;
trend = this share minus the previous snapshot's (None for the first).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, select

from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.store.segment_models import SegmentSnapshot

from ..figures import sqlfn
from .memberships import codes_of
from .stats import CS

SNAP = SegmentSnapshot.__table__
ACTIVE_CELLS = tuple(code for code, _, _ in LIFECYCLE_CELLS if code.endswith("_ACTIVE"))


def _flag(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts(conn, member_id: str, codes: list[str], dialect: str | None = None) -> dict:
    """customers, buyers, active and the members of every code: one pass grouped by the segment string
    (distinct strings are few: combinations of a handful of segments), split here."""
    per_code = dict.fromkeys(codes, 0)
    totals = {"customers": 0, "buyers": 0, "active": 0}
    rows = conn.execute(select(CS.c.segments, func.count(), _flag(CS.c.orders > 0),
                               _flag(sqlfn.one_of(CS.c.lifecycle, ACTIVE_CELLS)))
                        .where(CS.c.member_id == member_id).group_by(CS.c.segments))
    for segments, customers, buyers, active in rows:
        totals["customers"] += customers
        totals["buyers"] += int(buyers)
        totals["active"] += int(active)
        for code in codes_of(segments):
            if code in per_code:
                per_code[code] += customers
    return {**totals, "counts": per_code}


def share(active: int, buyers: int) -> float:
    return round(active / buyers, 4) if buyers else 0.0


def latest(conn, member_id: str) -> dict | None:
    raw = conn.execute(select(SNAP.c.data).where(SNAP.c.member_id == member_id)
                       .order_by(SNAP.c.taken_at.desc(), SNAP.c.id.desc()).limit(1)).scalar()
    return raw or None


def take(conn, member_id: str, codes: list[str], settings: dict, now: datetime, dialect: str) -> dict:
    """Count, compare with the previous snapshot, store."""
    data = counts(conn, member_id, codes, dialect)
    previous = latest(conn, member_id)
    data["active_share"] = share(data["active"], data["buyers"])
    data["target"] = settings["active_target_share"]
    data["trend"] = None if previous is None else round(data["active_share"] - previous["active_share"], 4)
    data["taken_at"] = now.isoformat()
    conn.execute(insert(SNAP).values(member_id=member_id, taken_at=now, data=data))
    return data


def history(session, member_id: str, limit: int = 30) -> list[dict]:
    """The newest snapshots, oldest first: share, target, trend and counts."""
    rows = session.execute(select(SNAP.c.data).where(SNAP.c.member_id == member_id)
                           .order_by(SNAP.c.taken_at.desc(), SNAP.c.id.desc()).limit(limit)).scalars()
    return list(reversed(list(rows)))

"""Enter/leave rows for segment changes, and the dirty flag for changed segment strings.

Only codes the portal knew at its last completed full rebuild produce transitions: the very first rebuild is
the baseline (none), and a definition added since is a baseline of its own until the next full rebuild.
The full rebuild compares set-based (staging.record_transitions); an incremental update compares here, in
Python (a handful of customers).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import false, insert, true, update

from bitrix_app.store.segment_models import SegmentTransition

from .memberships import codes_of
from .stats import CS

TR = SegmentTransition.__table__


def record_diff(conn, member_id: str, before: dict[int, str], after: dict[int, str], codes: list[str],
                now: datetime) -> dict[str, int]:
    """Enter/leave rows and dirty flags for the customers whose strings changed (incremental path)."""
    known = set(codes)
    rows, changed = [], []
    for cid in sorted(after):
        old, new = codes_of(before.get(cid)), codes_of(after[cid])
        if old == new and before.get(cid) == after[cid]:
            continue
        changed.append(cid)
        rows += [(cid, code, "enter") for code in sorted((new - old) & known)]
        rows += [(cid, code, "leave") for code in sorted((old - new) & known)]
    if changed:
        conn.execute(update(CS).values(dirty=true()).where(CS.c.customer_id.in_(changed), CS.c.dirty == false()))
    if rows:
        conn.execute(insert(TR), [{"member_id": member_id, "customer_id": cid, "segment": code, "change": change,
                                   "at": now, "handled": False} for cid, code, change in rows])
    return {"enter": sum(r[2] == "enter" for r in rows), "leave": sum(r[2] == "leave" for r in rows)}

"""Enter/leave rows for segment changes.

Only codes the portal knew at its last completed full rebuild produce transitions: the very first rebuild is
the baseline (none), and a definition added since is a baseline of its own until the next full rebuild.
The full rebuild compares set-based (staging.record_transitions); an incremental update compares here, in
Python (a handful of customers).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from bitrix_app.store.segment_models import SegmentTransition

from .memberships import codes_of

TR = SegmentTransition.__table__


def record_diff(conn, member_id: str, before: dict[int, str], after: dict[int, str], codes: list[str],
                now: datetime) -> dict[str, int]:
    """Enter/leave rows for the customers whose strings changed (incremental path; a customer without a row
    before had no segments). Their rows' dirty flags were raised by the statement that wrote them."""
    known = set(codes)
    rows = []
    for cid in sorted(after):
        old, new = codes_of(before.get(cid)), codes_of(after[cid])
        rows += [(cid, code, "enter") for code in sorted((new - old) & known)]
        rows += [(cid, code, "leave") for code in sorted((old - new) & known)]
    if rows:
        conn.execute(insert(TR), [{"member_id": member_id, "customer_id": cid, "segment": code, "change": change,
                                   "at": now, "handled": False} for cid, code, change in rows])
    return {"enter": sum(r[2] == "enter" for r in rows), "leave": sum(r[2] == "leave" for r in rows)}

"""A saved definition computed at once, for the whole portal (the job queued when it is created or changed): its
members from dryrun's condition, written into the customers' segment strings, with enter/leave rows for codes the
last full rebuild knew. A definition that cannot be evaluated is marked failed and keeps its members."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bitrix_app.store.segment_models import SegmentState

from . import dryrun
from .engine import transitions
from .engine.core import load_state
from .engine.memberships import codes_of
from .engine.stats import CS
from .kinds import definitions, isolation

log = logging.getLogger(__name__)
COMPUTED = "computed"  # segment_state.cuts entry: {code: ISO moment} of definitions computed since the rebuild
PENDING = "pending"  # segment_state.cuts entry: codes saved and waiting for their job (a full rebuild clears it)


def _string(codes: set[str]) -> str:
    return "|" + "".join(f"{code}|" for code in sorted(codes))


def recompute(session: Session, member_id: str, code: str, now: datetime) -> dict:
    """Write the definition's members now (every member out when it is gone or disabled); answers the counts."""
    defn = next((d for d in definitions.for_portal(session, member_id) if d.code == code), None)
    stored = {v["code"] for v in definitions.stored(session, member_id)}
    try:
        with session.begin_nested():
            inside = dryrun.members_of(session, member_id, defn, now) if defn is not None else set()
    except Exception as err:  # the definition's fault: marked failed, its members kept (isolation.py)
        if code not in stored:
            raise
        found = isolation.failure(err)
        definitions.record_outcome(session.connection(), member_id, {code: found}, set(), now)
        log.warning("segment %s of %s failed: %s", code, member_id, found.detail)
        return {"code": code, "failed": True, "members": None, "enter": 0, "leave": 0}
    before, after = {}, {}
    for cid, segments in session.execute(select(CS.c.customer_id, CS.c.segments).where(CS.c.member_id == member_id)):
        codes = codes_of(segments)
        if (code in codes) != (cid in inside):
            before[cid] = segments
            after[cid] = _string((codes | {code}) if cid in inside else (codes - {code}))
    if after:
        session.execute(update(CS).where(CS.c.customer_id == bindparam("cid")).values(segments=bindparam("segs"))
                        .execution_options(synchronize_session=False),
                        [{"cid": cid, "segs": segs} for cid, segs in after.items()])
    state = load_state(session, member_id)
    moved = transitions.record_diff(session.connection(), member_id, before, after, state.get("codes") or [], now)
    if code in stored:
        definitions.record_outcome(session.connection(), member_id, {}, {code}, now)
    _stamp(session, member_id, code, now)
    return {"code": code, "failed": False, "members": len(inside), **moved}


def _change_state(session: Session, member_id: str, change) -> None:
    row = session.get(SegmentState, member_id)
    if row is None:
        row = SegmentState(member_id=member_id, cuts={}, rebuilt_at=None)
        session.add(row)
    cuts = dict(row.cuts or {})  # a new object: the JSON column does not see changes made in place
    change(cuts)
    row.cuts = cuts
    session.flush()


def mark_pending(session: Session, member_id: str, code: str) -> None:
    """The definition was saved: its members wait for its job."""
    _change_state(session, member_id, lambda cuts: cuts.update(
        {PENDING: sorted(set(cuts.get(PENDING) or []) | {code})}))


def _stamp(session: Session, member_id: str, code: str, now: datetime) -> None:
    """Remember when the definition was computed, no longer pending (a full rebuild's state replaces both)."""
    def change(cuts: dict) -> None:
        cuts[COMPUTED] = {**(cuts.get(COMPUTED) or {}), code: now.isoformat()}
        cuts[PENDING] = sorted(set(cuts.get(PENDING) or []) - {code})

    _change_state(session, member_id, change)


def pending(state: dict) -> set[str]:
    """Codes of the definitions saved whose job has not run yet."""
    return set(state.get(PENDING) or [])


def computed_at(state: dict) -> dict[str, str]:
    """code -> ISO moment of the definitions computed on their own since the last full rebuild."""
    return dict(state.get(COMPUTED) or {})

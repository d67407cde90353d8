"""What the CLI and the admin API show about a portal's segments: definitions with member counts, the trend."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bitrix_app.store.models import utc

from .kinds import definitions
from .engine import snapshot
from .engine.core import load_state
from .recompute import computed_at, pending
from .rule_words import kind_name


class UnknownSegment(LookupError):
    """No definition of the portal has this code."""


def listing_with_counts(session: Session, member_id: str) -> list[dict]:
    """Every definition (built-in, stored, disabled ones too) with its current member count."""
    views = definitions.listing(session, member_id)
    counted = snapshot.counts(session.connection(), member_id, [v["code"] for v in views])["counts"]
    return [{**view, "count": counted.get(view["code"], 0)} for view in views]


def segment_list(session: Session, member_id: str, lang: str) -> dict:
    """Every definition with its member count, kind and name in the page's language, the change since the last
    snapshot (None for a segment the snapshot did not count) and when its members were last computed."""
    views = listing_with_counts(session, member_id)
    state = load_state(session, member_id)
    rebuilt, alone, waiting = utc(state.get("rebuilt_at")), computed_at(state), pending(state)
    latest = snapshot.latest(session.connection(), member_id) or {}
    before = latest.get("counts") or {}
    rows = []
    for view in views:
        was = before.get(view["code"])
        own = alone.get(view["code"])
        moment = max([m for m in (rebuilt, datetime.fromisoformat(own) if own else None) if m], default=None)
        late = view["code"] in waiting  # saved, its job has not run yet
        rows.append({**view, "name": view["name_ru"] if lang == "ru" else view["name_en"],
                     "kind_name": kind_name(view["kind"], lang),
                     "change": view["count"] - int(was) if isinstance(was, (int, float)) else None,
                     "computed_at": None if late or moment is None else moment.isoformat(), "pending": late})
    return {"segments": rows, "rebuilt_at": rebuilt.isoformat() if rebuilt else None,
            "snapshot_at": latest.get("taken_at")}


def require_code(session: Session, member_id: str, code: str) -> str:
    """The code, upper-cased, when the portal defines it (else UnknownSegment)."""
    wanted = (code or "").strip().upper()
    if wanted not in {v["code"] for v in definitions.listing(session, member_id)}:
        raise UnknownSegment(f"the portal has no segment {wanted!r}")
    return wanted


def define(session: Session, member_id: str, data: dict, now) -> tuple[dict, bool]:
    """Create the stored definition, or replace the one with this code; (view, created)."""
    code = str((data or {}).get("code") or "") if isinstance(data, dict) else ""
    updated = definitions.update(session, member_id, code, data, now) if code else None
    if updated is not None:
        return updated, False
    return definitions.create(session, member_id, data, now), True


def trend(session: Session, member_id: str, limit: int = 30) -> dict:
    """The active share of each recent snapshot, oldest first, with the target."""
    shots = snapshot.history(session, member_id, limit)
    points = [{"taken_at": s.get("taken_at"), "active_share": s["active_share"], "trend": s.get("trend"),
               "buyers": s["buyers"], "active": s["active"]} for s in shots]
    latest = shots[-1] if shots else None
    return {"target": latest["target"] if latest else None, "points": points,
            "meets_target": bool(latest and latest["active_share"] >= latest["target"])}

"""The overview (the app's main page): the lifecycle matrix, the active share against its target over time, the
weekly figures (overview_weeks) and the stored segments' states.

- matrix: customers per lifecycle cell from customer_stats (rows NEW / PROMISING / LOYAL, columns ACTIVE /
  SLEEPING / LOST), each cell's share of the buyers in the matrix and its change since the previous segment
  snapshot (the one before the newest: the newest is the last full rebuild, counted again live here); with fewer
  than two snapshots there is no change;
- active share: of the newest snapshot (written by each full rebuild), its trend = newest share - the one before
  (None with a single snapshot); without a snapshot the share is counted from the matrix now and there is no
  trend; `points` the share of each recent snapshot, oldest first;
- stored segments: each one's state (active, off, failed) and, for a failed one, what went wrong in words.
Everything answers raw values (ISO moments, shares as fractions) and names in the page's language.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.segments import get_settings, stored_definitions
from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures, SegmentSnapshot

from . import labels
from .overview_weeks import weekly

BANDS = ("NEW", "PROMISING", "LOYAL")
RECENCIES = ("ACTIVE", "SLEEPING", "LOST")
CELLS = tuple(f"{band}_{rec}" for band in BANDS for rec in RECENCIES)
TREND_POINTS = 30


def _iso(value: datetime | None) -> str | None:
    return utc(value).isoformat() if value is not None else None


def _snapshots(session: Session, member_id: str) -> list[dict]:
    """The newest snapshots' data (with their taken_at as a datetime), newest first."""
    rows = session.execute(select(SegmentSnapshot.taken_at, SegmentSnapshot.data)
                           .where(SegmentSnapshot.member_id == member_id)
                           .order_by(SegmentSnapshot.taken_at.desc(), SegmentSnapshot.id.desc()).limit(TREND_POINTS))
    return [{**data, "taken_at": utc(taken_at)} for taken_at, data in rows if isinstance(data, dict)]


def matrix(session: Session, member_id: str, lang: str, previous: dict | None = None) -> dict:
    """Rows of cells {code, name, count, share, change}, with row and column totals; `since` is the moment of
    the snapshot the changes are counted from (None without one)."""
    found = dict(session.execute(
        select(CustomerFigures.lifecycle, func.count()).where(CustomerFigures.member_id == member_id,
                                                              CustomerFigures.lifecycle.is_not(None))
        .group_by(CustomerFigures.lifecycle)).all())
    total = sum(int(found.get(code, 0)) for code in CELLS)
    before = previous.get("counts") if previous else None
    rows = []
    for band in BANDS:
        cells = []
        for rec in RECENCIES:
            code = f"{band}_{rec}"
            count = int(found.get(code, 0))
            was = before.get(code) if isinstance(before, dict) else None
            cells.append({"code": code, "name": labels.named(labels.CELL_NAMES, code, lang), "count": count,
                          "share": round(count / total, 4) if total else 0.0,
                          "change": count - int(was) if isinstance(was, (int, float)) else None})
        rows.append({"band": band, "name": labels.named(labels.BANDS, band, lang), "cells": cells,
                     "total": sum(c["count"] for c in cells)})
    columns = [{"code": rec, "name": labels.named(labels.RECENCY, rec, lang),
                "total": sum(r["cells"][i]["count"] for r in rows)} for i, rec in enumerate(RECENCIES)]
    return {"rows": rows, "columns": columns, "total": total,
            "since": _iso(previous["taken_at"]) if previous else None}


def _share_of(data: dict) -> float | None:
    if isinstance(data.get("active_share"), (int, float)):
        return float(data["active_share"])
    buyers = data.get("buyers") or 0
    return round(data.get("active", 0) / buyers, 4) if buyers else None


def active_share(session: Session, member_id: str, grid: dict, snaps: list[dict]) -> dict:
    """The share, target and trend (see the module's note) and the share of each recent snapshot."""
    target = float(get_settings(session, member_id)["active_target_share"])
    points = [{"taken_at": _iso(p["taken_at"]), "share": _share_of(p)} for p in reversed(snaps)]
    if not snaps:
        active = grid["columns"][0]["total"]
        share = round(active / grid["total"], 4) if grid["total"] else None
        return {"share": share, "target": target, "trend": None, "taken_at": None, "snapshots": 0,
                "active": active, "buyers": grid["total"], "meets_target": share is not None and share >= target,
                "points": points}
    newest = snaps[0]
    share = _share_of(newest)
    previous = _share_of(snaps[1]) if len(snaps) > 1 else None
    change = round(share - previous, 4) if share is not None and previous is not None else None
    target = float(newest.get("target", target))
    return {"share": share, "target": target, "trend": change, "taken_at": _iso(newest["taken_at"]),
            "snapshots": len(points), "active": newest.get("active"), "buyers": newest.get("buyers"),
            "meets_target": share is not None and share >= target, "points": points}


def stored_segments(session: Session, member_id: str, lang: str) -> list[dict]:
    """The portal's stored segment definitions with their state; a failed one's error in the page's language."""
    out = []
    for view in stored_definitions(session, member_id, as_text=False):
        state = "failed" if view["status"] == "failed" else "active" if view["enabled"] else "off"
        error = view["error"] or {}
        failed_at = error.get("failed_at")
        out.append({"code": view["code"], "name": labels.pick((view["name_en"], view["name_ru"]), lang),
                    "state": state, "state_name": labels.named(labels.DEFINITION_STATE, state, lang),
                    "error": error.get("message_ru" if labels.is_ru(lang) else "message_en"),
                    "failed_at": _iso(failed_at) if isinstance(failed_at, datetime) else failed_at})
    return out


def overview(session: Session, member_id: str, now: datetime, lang: str) -> dict:
    """Everything the overview screen shows, in one read."""
    snaps = _snapshots(session, member_id)
    grid = matrix(session, member_id, lang, snaps[1] if len(snaps) > 1 else None)
    return {"matrix": grid, "share": active_share(session, member_id, grid, snaps),
            **weekly(session, member_id, now), "segments": stored_segments(session, member_id, lang),
            "as_of": _iso(now)}

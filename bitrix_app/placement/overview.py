"""The admin page's data: the lifecycle matrix, the active share against its target, sync health, campaigns.

- matrix: customers per lifecycle cell from customer_stats (rows NEW / PROMISING / LOYAL, columns ACTIVE /
  SLEEPING / LOST);
- active share: of the newest segment snapshot (written by each full rebuild, bitrix_app/segments/engine/snapshot.py),
  its trend = newest share - the one before (None with a single snapshot); without a snapshot the share is
  counted from the matrix now and there is no trend;
- sync health: shop events per inbox status, the newest processed_at, the failed count;
- campaigns: bitrix_app/campaigns/report.py, one line per campaign;
- stored segments: each one's state (active, off, failed) and, for a failed one, what went wrong in words.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.campaigns.report import report
from bitrix_app.inbox.admin import counts as inbox_counts
from bitrix_app.segments import get_settings, stored_definitions
from bitrix_app.store.models import utc
from bitrix_app.store.segment_models import CustomerFigures, SegmentSnapshot
from bitrix_app.store.shop_models import InboxEvent

from . import labels

BANDS = ("NEW", "PROMISING", "LOYAL")
RECENCIES = ("ACTIVE", "SLEEPING", "LOST")


def matrix(session: Session, member_id: str, lang: str) -> dict:
    """Rows of cells {code, name, count}, with row and column totals."""
    found = dict(session.execute(
        select(CustomerFigures.lifecycle, func.count()).where(CustomerFigures.member_id == member_id,
                                                              CustomerFigures.lifecycle.is_not(None))
        .group_by(CustomerFigures.lifecycle)).all())
    rows = []
    for band in BANDS:
        cells = [{"code": f"{band}_{rec}", "name": labels.named(labels.CELL_NAMES, f"{band}_{rec}", lang),
                  "count": int(found.get(f"{band}_{rec}", 0))} for rec in RECENCIES]
        rows.append({"band": band, "name": labels.named(labels.BANDS, band, lang), "cells": cells,
                     "total": sum(c["count"] for c in cells)})
    columns = [{"code": rec, "name": labels.named(labels.RECENCY, rec, lang),
                "total": sum(r["cells"][i]["count"] for r in rows)} for i, rec in enumerate(RECENCIES)]
    return {"rows": rows, "columns": columns, "total": sum(r["total"] for r in rows)}


def _snapshots(session: Session, member_id: str) -> list[dict]:
    """The newest two snapshots' data (with their taken_at), newest first."""
    rows = session.execute(select(SegmentSnapshot.taken_at, SegmentSnapshot.data)
                           .where(SegmentSnapshot.member_id == member_id)
                           .order_by(SegmentSnapshot.taken_at.desc(), SegmentSnapshot.id.desc()).limit(2))
    out = []
    for taken_at, data in rows:
        if isinstance(data, dict):
            out.append({**data, "taken_at": utc(taken_at)})
    return out


def _share_of(data: dict) -> float | None:
    if isinstance(data.get("active_share"), (int, float)):
        return float(data["active_share"])
    buyers = data.get("buyers") or 0
    return round(data.get("active", 0) / buyers, 4) if buyers else None


def active_share(session: Session, member_id: str, grid: dict) -> dict:
    snaps = _snapshots(session, member_id)
    target = float(get_settings(session, member_id)["active_target_share"])
    if not snaps:
        active = grid["columns"][0]["total"]
        share = round(active / grid["total"], 4) if grid["total"] else None
        return {"share": share, "target": target, "trend": None, "taken_at": None, "snapshots": 0,
                "active": active, "buyers": grid["total"], "meets_target": share is not None and share >= target}
    newest = snaps[0]
    share = _share_of(newest)
    previous = _share_of(snaps[1]) if len(snaps) > 1 else None
    trend = round(share - previous, 4) if share is not None and previous is not None else None
    target = float(newest.get("target", target))
    return {"share": share, "target": target, "trend": trend, "taken_at": newest["taken_at"],
            "snapshots": len(snaps), "active": newest.get("active"), "buyers": newest.get("buyers"),
            "meets_target": share is not None and share >= target}


def sync_health(session: Session, member_id: str) -> dict:
    by_status = inbox_counts(session, member_id)
    last = session.scalar(select(func.max(InboxEvent.processed_at)).where(InboxEvent.member_id == member_id))
    return {"counts": by_status, "total": sum(by_status.values()), "failed": by_status.get("failed", 0),
            "last_processed": utc(last)}


def campaigns(session: Session, member_id: str, now: datetime, lang: str) -> list[dict]:
    out = []
    for r in report(session, member_id, now):
        uplift = (r.get("uplift") or {}).get("absolute")
        out.append({"code": r["campaign"], "name": labels.pick((r["name"]["en"], r["name"]["ru"]), lang),
                    "segment": r["segment"], "enabled": r["enabled"], "entered": r["entered"],
                    "reached": r["reached"], "converted": r["converted"], "revenue": labels.money(r["revenue"]),
                    "uplift": labels.percent(uplift, signed=True) if uplift is not None else "—"})
    return out


def stored_segments(session: Session, member_id: str, lang: str) -> list[dict]:
    """The portal's stored segment definitions with their state; a failed one's error in the page's language."""
    out = []
    for view in stored_definitions(session, member_id, as_text=False):
        state = "failed" if view["status"] == "failed" else "active" if view["enabled"] else "off"
        error = view["error"] or {}
        failed_at = error.get("failed_at")
        out.append({"code": view["code"], "name": labels.pick((view["name_en"], view["name_ru"]), lang),
                    "state": state, "state_text": labels.named(labels.DEFINITION_STATE, state, lang),
                    "error": error.get("message_ru" if labels.is_ru(lang) else "message_en"),
                    "failed_at_text": labels.moment(failed_at) if failed_at else None})
    return out


def admin_overview(session: Session, member_id: str, now: datetime, lang: str) -> dict:
    grid = matrix(session, member_id, lang)
    share, sync = active_share(session, member_id, grid), sync_health(session, member_id)
    return {"matrix": grid, "share": share, "sync": sync, "campaigns": campaigns(session, member_id, now, lang),
            "segments": stored_segments(session, member_id, lang),
            "share_text": labels.percent(share["share"]), "target_text": labels.percent(share["target"]),
            "trend_text": labels.percent(share["trend"], signed=True) if share["trend"] is not None else None,
            "taken_at_text": labels.moment(share["taken_at"]) if share["taken_at"] else None,
            "last_processed_text": labels.moment(sync["last_processed"]) if sync["last_processed"] else None,
            "inbox_rows": [{"status": k, "name": labels.named(labels.INBOX_STATUS, k, lang), "count": v}
                           for k, v in sync["counts"].items()]}

"""A portal's robot calls as the admin screen lists them: counts by status, pages of calls (the robot's name in
both languages, the CRM document it ran on, its status and the workflow reply's, the error, when), and the replay
of one call of this portal (the operator's `calls.replay`)."""
from __future__ import annotations

import json
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bitrix_app.scope import AppServices
from bitrix_app.store.models import utc
from bitrix_app.store.robot_models import RobotCall

from . import calls
from .registry import ROBOTS

log = logging.getLogger(__name__)
STATUSES = calls.STATUSES
_NAMES = {r["CODE"]: r["NAME"] for r in ROBOTS}
_DOCUMENTS = {"CCrmDocumentDeal": "deal", "CCrmDocumentLead": "lead", "CCrmDocumentContact": "contact",
              "CCrmDocumentCompany": "company"}


def _iso(value) -> str | None:
    value = utc(value)
    return value.isoformat() if value else None


def document_of(raw: str) -> dict | None:
    """["crm", "CCrmDocumentDeal", "DEAL_5"] -> {"kind": "deal", "id": 5}; None when it is no CRM item we know."""
    try:
        _, entity, key = json.loads(raw)
        kind, number = _DOCUMENTS.get(entity), int(str(key).rsplit("_", 1)[-1])
    except (TypeError, ValueError):
        return None
    return {"kind": kind, "id": number} if kind else None


def as_row(call: RobotCall) -> dict:
    name = _NAMES.get(call.code)
    return {"id": call.id, "robot": {"code": call.code, "name_en": name["en"] if name else None,
                                     "name_ru": name["ru"] if name else None},
            "document": document_of(call.document_id), "status": call.status, "reply_status": call.reply_status,
            "error": call.error, "reply_error": call.reply_error, "runs": call.runs,
            "received_at": _iso(call.received_at), "finished_at": _iso(call.finished_at)}


def counts(session: Session, member_id: str) -> dict[str, int]:
    found = dict(session.execute(select(RobotCall.status, func.count()).where(RobotCall.member_id == member_id)
                                 .group_by(RobotCall.status)).all())
    return {s: int(found.get(s, 0)) for s in STATUSES}


def page(session: Session, member_id: str, status: str | None, after: int | None, limit: int) -> dict:
    """Newest first; `after` is the last id of the previous page. {items, next} (next: None on the last page)."""
    q = select(RobotCall).where(RobotCall.member_id == member_id).order_by(RobotCall.id.desc()).limit(limit + 1)
    if status:
        q = q.where(RobotCall.status == status)
    if after:
        q = q.where(RobotCall.id < after)
    rows = list(session.scalars(q))
    items = [as_row(c) for c in rows[:limit]]
    return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}


def replay(svc: AppServices, member_id: str, call_id: int) -> dict:
    """Run one of this portal's calls again now (and answer its workflow again if it waits); LookupError for a
    call of no such id in this portal. A reply lost in transit is queued (the job only replies again)."""
    with svc.transaction() as s:
        found = s.scalar(select(RobotCall.id).where(RobotCall.id == call_id, RobotCall.member_id == member_id))
    if found is None:
        raise LookupError(f"no robot call {call_id} in this portal")
    try:
        calls.replay(svc, call_id)
    except Exception as exc:  # the action ran and is recorded; only the reply failed in transit
        log.warning("robot call %s replayed, its reply is queued (%s)", call_id, type(exc).__name__)
        calls.try_queue_run(call_id, svc.redis)
    with svc.transaction() as s:
        return as_row(s.get(RobotCall, call_id))


"""Robot calls as the portal makes them: verify, store once per event_token, queue the run; list and replay.

The portal hears 200 once the call is stored: queueing its run is best effort (Redis may be down), and the
sweeper (`bitrix_app.robots.sweeper`) queues stored calls that were never run."""
from __future__ import annotations

import json
import logging

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bitrix_app.jobs.registry import enqueue_job
from bitrix_app.portals import verify_callback
from bitrix_app.scope import AppServices
from bitrix_app.store.db import transaction
from bitrix_app.store.models import utc
from bitrix_app.store.robot_models import RobotCall
from bitrix_app.store.statuses import ReplyStatus, RobotCallStatus

log = logging.getLogger(__name__)
RECEIVED, RUNNING, DONE, FAILED = (RobotCallStatus.RECEIVED, RobotCallStatus.RUNNING, RobotCallStatus.DONE,
                                   RobotCallStatus.FAILED)
PENDING, SENT, NOT_NEEDED, REPLY_FAILED = (ReplyStatus.PENDING, ReplyStatus.SENT, ReplyStatus.NOT_NEEDED,
                                          ReplyStatus.FAILED)
STATUSES = tuple(s.value for s in RobotCallStatus)  # plain strings: command-line choices, listings


class CodeMismatch(ValueError):
    """The body names another robot than the handler address."""


def receive(svc: AppServices, code: str, call: dict) -> tuple[str, int]:
    """("accepted" | "duplicate", call id). Raises CallbackRejected for a wrong application_token."""
    if call.get("code") and call["code"] != code:
        raise CodeMismatch(f"the call is for {call['code']!r}, not {code!r}")
    auth, factory = call["auth"], svc.sessions
    try:
        with transaction(factory) as s:
            verify_callback(s, svc.cipher, auth["member_id"], auth["application_token"])
            known = _by_token(s, call["event_token"])
            if known is not None:
                return "duplicate", known
            row = _new_row(code, call, svc.now())
            s.add(row)
            s.flush()
            call_id = row.id
    except IntegrityError:  # the same call arrived twice at once: the other request stored it
        with transaction(factory) as s:
            return "duplicate", _by_token(s, call["event_token"])
    try_queue_run(call_id, svc.redis)
    return "accepted", call_id


def _by_token(session, token: str) -> int | None:
    return session.scalar(select(RobotCall.id).where(RobotCall.event_token == token))


def _new_row(code: str, call: dict, now) -> RobotCall:
    auth = call["auth"]
    waits = call["use_subscription"] != "N"  # empty means the workflow waits (contract §5.1)
    return RobotCall(
        member_id=auth["member_id"], code=code, event_token=call["event_token"], workflow_id=call["workflow_id"],
        document_id=json.dumps(call["document_id"]), document_type=json.dumps(call["document_type"]),
        properties=call["properties"], waits=waits,
        timeout_duration=call["timeout_duration"], user_id=auth.get("user_id"), status=RECEIVED,
        reply_status=PENDING if waits else NOT_NEEDED, runs=0, portal_ts=call.get("ts"),
        received_at=now,
    )


def job_id(call_id: int) -> str:
    """One job per call: queueing it again while it waits or runs is a no-op."""
    return f"robot-call-{call_id}"


def queue_run(call_id: int, conn) -> None:
    from .runner import run_call

    enqueue_job(conn, run_call, call_id, job_id=job_id(call_id))


def try_queue_run(call_id: int, conn) -> bool:
    """Queue the run; a Redis outage is logged, not raised: the call is stored and the sweeper queues it."""
    try:
        queue_run(call_id, conn)
        return True
    except RedisError as exc:
        log.warning("could not queue robot call %s (%s); the sweeper will", call_id, type(exc).__name__)
        return False


def as_dict(call: RobotCall) -> dict:
    def moment(value):
        return utc(value).isoformat() if value else None

    return {
        "id": call.id, "member_id": call.member_id, "code": call.code, "workflow_id": call.workflow_id,
        "document_id": json.loads(call.document_id), "properties": call.properties or {},
        "waits": call.waits, "timeout_duration": call.timeout_duration, "user_id": call.user_id,
        "status": call.status, "return_values": call.return_values,
        "log_message": call.log_message, "error": call.error, "reply_status": call.reply_status,
        "reply_error": call.reply_error, "runs": call.runs, "received_at": moment(call.received_at),
        "started_at": moment(call.started_at), "finished_at": moment(call.finished_at),
        "replied_at": moment(call.replied_at),
    }


def list_calls(svc: AppServices, member_id: str | None = None, status: str | None = None,
               limit: int = 100) -> list[dict]:
    """Newest first."""
    query = select(RobotCall).order_by(RobotCall.id.desc()).limit(limit)
    if member_id:
        query = query.where(RobotCall.member_id == member_id)
    if status:
        query = query.where(RobotCall.status == status)
    with svc.transaction() as s:
        return [as_dict(c) for c in s.scalars(query)]


def get_call(svc: AppServices, call_id: int) -> dict | None:
    with svc.transaction() as s:
        call = s.get(RobotCall, call_id)
        return as_dict(call) if call else None


def replay(svc: AppServices, call_id: int) -> dict | None:
    """Run a stored call again in this process; replies again when the workflow waits for an answer."""
    from .runner import execute_call

    if get_call(svc, call_id) is None:
        return None
    execute_call(svc, call_id, replay=True)
    return get_call(svc, call_id)

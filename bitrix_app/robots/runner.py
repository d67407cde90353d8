"""The robot job: run the action once, record it, and always answer a waiting workflow (an error too)."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from bitrix_app.jobs.queues import ROBOTS
from bitrix_app.jobs.registry import job, resolve
from bitrix_app.portals import NOT_INSTALLED, portal_installed
from bitrix_app.rest.errors import PortalBlocked, PortalError
from bitrix_app.scope import AppServices, PortalScope, app_services
from bitrix_app.store.db import transaction
from bitrix_app.store.robot_models import RobotCall

from .calls import DONE, FAILED, NOT_NEEDED, PENDING, RECEIVED, REPLY_FAILED, RUNNING, SENT
from .context import RobotContext, RobotError
from .registry import ACTIONS, display_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Call:
    id: int
    member_id: str
    code: str
    event_token: str
    document_id: list
    properties: dict
    waits: bool


@job(ROBOTS, timeout=120, retry=(2, 10, 30))
def run_call(call_id: int, replay: bool = False) -> str:
    """Job (queue `robots`): `execute_call` with the app's services, built here."""
    return execute_call(app_services(), call_id, replay)


def execute_call(svc: AppServices, call_id: int, replay: bool = False) -> str:
    """Run the call unless it already ran, then reply if a reply is still owed.

    A retried job (the reply failed in transit) only replies again; a replay runs the action again.
    """
    factory, clock = svc.sessions, svc.clock
    with transaction(factory) as s:
        row = s.get(RobotCall, call_id)
        if row is None:
            return "missing"
        if not portal_installed(s, row.member_id, f"robot call {call_id}"):  # uninstalled since: nobody waits
            row.status, row.error, row.finished_at = FAILED, NOT_INSTALLED, clock.now()
            row.reply_status, row.reply_error = (REPLY_FAILED, NOT_INSTALLED) if row.waits else (NOT_NEEDED, None)
            return "skipped"
        run = replay or row.status in (RECEIVED, RUNNING)
        if run:
            row.status, row.started_at, row.runs = RUNNING, clock.now(), row.runs + 1
            row.finished_at = row.replied_at = row.error = row.reply_error = None
            row.reply_status = PENDING if row.waits else NOT_NEEDED
        elif row.reply_status != PENDING:
            return row.status  # a duplicate job: ran and answered already
        call = _Call(row.id, row.member_id, row.code, row.event_token, json.loads(row.document_id),
                     row.properties or {}, row.waits)
        values, message = row.return_values or {}, row.log_message or ""
    scope = svc.for_portal(call.member_id, lane="high")  # the action and the reply, on the high lane
    if run:
        values, message = _execute(scope, call)
    if call.waits:
        _reply(scope, call, values, message)
    return "replied" if call.waits else "done"


def _execute(scope: PortalScope, call: _Call) -> tuple[dict, str]:
    """Run the action; whatever happens the result is recorded and a reply can be made."""
    error = None
    try:
        path = ACTIONS.get(call.code)
        if path is None:
            raise RobotError(f"this application has no robot {call.code!r} any more")
        action = resolve(path)
        ctx = RobotContext(scope, call.document_id, call.properties, scope.now(), call_id=call.id)
        ctx.kind  # noqa: B018 - a document these robots do not work on (a contact) fails here, before any effect
        outcome = action(ctx)
        values, message = {**outcome.values, "status": "ok", "error": ""}, outcome.log
    except Exception as exc:  # every failure still answers the workflow
        if not isinstance(exc, RobotError):
            log.exception("robot call %s (%s) failed", call.id, call.code)
        error = str(exc) if isinstance(exc, RobotError) else f"{type(exc).__name__}: {exc}"
        values = {"status": "error", "error": error[:500]}
        message = f"{display_name(call.code)} failed: {error}"[:1000]
    with scope.transaction() as s:
        row = s.get(RobotCall, call.id)
        row.status, row.error = (FAILED, error) if error else (DONE, None)
        row.return_values = json.loads(json.dumps(values, default=str))  # stored as JSON: anything else as text
        row.log_message, row.finished_at = message, scope.now()
    return values, message


def _reply(scope: PortalScope, call: _Call, values: dict, message: str) -> None:
    """bizproc.event.send on the high lane; a token the portal no longer accepts is final, transport errors retry."""
    status, problem = SENT, None
    try:
        scope.client.call("bizproc.event.send", {
            "EVENT_TOKEN": call.event_token, "RETURN_VALUES": values, "LOG_MESSAGE": message})
    except (PortalError, PortalBlocked) as exc:  # timed out, answered already, or the portal is gone
        status, problem = REPLY_FAILED, f"the workflow no longer waits or cannot be reached: {exc}"
    except Exception as exc:
        _record_reply(scope, call.id, PENDING, f"{type(exc).__name__}: {exc}")
        raise  # transient: RQ retries the job, which only replies again
    _record_reply(scope, call.id, status, problem)


def _record_reply(scope: PortalScope, call_id: int, status: str, problem: str | None) -> None:
    with scope.transaction() as s:
        row = s.get(RobotCall, call_id)
        row.reply_status, row.reply_error = status, problem
        if status == SENT:
            row.replied_at = scope.now()

"""Messages to the portal's staff: a to-do on a CRM item (crm.activity.todo.add) and a system notification
(im.notify.system.add). No customer policy applies; each is recorded in `messages` under its key.

A notification carries its key as TAG, so a repeat replaces the earlier one instead of adding a second. A
to-do cannot be found again by key, so one whose earlier attempt's outcome is unknown is not added twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bitrix_app.rest.errors import OutcomeUnknown, PortalCallError
from bitrix_app.store.db import transaction
from bitrix_app.store.statuses import ReasonCode

from . import journal
from .context import MessagingContext


@dataclass(frozen=True)
class StaffResult:
    key: str
    status: str  # sent | skipped | failed
    reference: str | None = None
    detail: str | None = None


def notify(ctx: MessagingContext, user_id: int, text: str, key: str, source: str = "app") -> StaffResult:
    """A system notification to one user of the portal."""
    params = {"USER_ID": user_id, "MESSAGE": text, "TAG": key[:255]}
    return _run(ctx, "notify", "im.notify.system.add", params, key, source, str(user_id), None, text,
                retry_safe=True)


def todo(ctx: MessagingContext, key: str, owner_type_id: int, owner_id: int, deadline: datetime, title: str,
         description: str = "", responsible_id: int | None = None, source: str = "app") -> StaffResult:
    """A to-do on a CRM item (2 deal, 3 contact) for the responsible user."""
    params = {"ownerTypeId": owner_type_id, "ownerId": owner_id, "deadline": deadline.isoformat(), "title": title,
              "description": description}
    if responsible_id:
        params["responsibleId"] = responsible_id
    who = str(responsible_id) if responsible_id else None
    return _run(ctx, "todo", "crm.activity.todo.add", params, key, source, who, title, description,
                retry_safe=False)


def _run(ctx: MessagingContext, channel: str, method: str, params: dict, key: str, source: str, address: str | None,
         subject: str | None, text: str, retry_safe: bool) -> StaffResult:
    now = ctx.clock.now()
    fields = {"key": key, "channel": channel, "transport": "portal", "address": address, "source": source,
              "subject": subject, "text": text}
    with transaction(ctx.sessions) as s:
        row = journal.existing(s, ctx.member_id, [key]).get(key)
        if row is not None and row.status == journal.SENT:
            return StaffResult(key, journal.SENT, row.reference, "sent by an earlier attempt")
        if row is not None and row.status == journal.SENDING and not retry_safe:
            detail = "an earlier attempt's outcome is unknown; not added again"
            journal.write(s, ctx.member_id, None, journal.SKIPPED, now, reason=detail,
                          reason_code=ReasonCode.OUTCOME_UNKNOWN, **fields)
            return StaffResult(key, journal.SKIPPED, detail=detail)
        journal.write(s, ctx.member_id, None, journal.SENDING, now, attempt=True, **fields)
    status, reference, detail = journal.FAILED, None, None
    try:
        answer = ctx.client.call(method, params)
    except OutcomeUnknown as exc:
        status, detail = (journal.FAILED if retry_safe else journal.SENDING), f"outcome unknown: {exc}"
    except PortalCallError as exc:
        detail = f"{type(exc).__name__}: {exc}"
    else:
        if answer is False:  # im.notify answers false for a user it does not know
            detail = f"{method} refused: no such user {address}"
        else:
            status = journal.SENT
            reference = str(answer.get("id") if isinstance(answer, dict) else answer)
    with transaction(ctx.sessions) as s:
        journal.write(s, ctx.member_id, None, status, now, reason=detail, reference=reference, **fields)
    return StaffResult(key, status, reference, detail)

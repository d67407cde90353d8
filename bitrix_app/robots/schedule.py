"""schedule_call: a call to-do on the deal or lead after N working days at a given time, inside working hours
(Mon-Fri, 09:00-18:00)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bitrix_app.shops.settings import get_settings
from bitrix_app.store.db import transaction

from .context import Outcome, RobotContext, RobotError, user_id
from .effects import once, remember

WORK_START, WORK_END, LAST_CALL = time(9, 0), time(18, 0), time(17, 0)


def working_time(at: time) -> time:
    """Before opening -> 09:00; at or after closing -> 17:00 (the last working hour)."""
    return WORK_START if at < WORK_START else LAST_CALL if at >= WORK_END else at


def call_deadline(now: datetime, days: int, at: time, zone: ZoneInfo) -> datetime:
    """The moment `days` working days after `now`'s date, at `at` (working hours) in `zone`.

    With 0 days: today if it is a working day and that time is still ahead, else the next working day.
    """
    at = working_time(at)
    local = now.astimezone(zone)
    day = local.date()
    if days == 0:
        if day.weekday() >= 5 or datetime.combine(day, at, tzinfo=zone) <= local:
            days = 1
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone)


def parse_time(raw: str) -> time:
    try:
        hours, minutes = (int(p) for p in str(raw).strip().split(":"))
        return time(hours, minutes)
    except ValueError as exc:
        raise RobotError(f"property time must look like 10:30, not {raw!r}") from exc


def find_todo(ctx: RobotContext, params: dict) -> int | None:
    """The to-do an interrupted earlier run of this call added: same item, title, deadline and user."""
    rows = ctx.client.call("crm.activity.list", {
        "filter": {"OWNER_TYPE_ID": params["ownerTypeId"], "OWNER_ID": params["ownerId"], "PROVIDER_ID": "CRM_TODO",
                   "SUBJECT": params["title"], "RESPONSIBLE_ID": params["responsibleId"]},
        "select": ["ID", "DEADLINE"], "order": {"ID": "DESC"}}) or []
    wanted = datetime.fromisoformat(params["deadline"])
    for row in rows:
        try:
            if datetime.fromisoformat(str(row.get("DEADLINE"))) == wanted:
                return int(row["ID"])
        except ValueError:
            continue
    return None


def schedule_call(ctx: RobotContext) -> Outcome:
    days = ctx.int_prop("days", 1, 0, 60)
    at = parse_time(ctx.prop("time", "10:00"))
    responsible = user_id(ctx.prop("user")) or user_id(ctx.document().get("ASSIGNED_BY_ID"))
    if responsible is None:
        raise RobotError(f"the {ctx.noun} has no responsible user and no user was given")
    with transaction(ctx.sessions) as s:
        zone = ZoneInfo(get_settings(s, ctx.member_id).timezone)
    # a later run of this call (retry, replay) keeps the first run's deadline, so it finds that run's to-do
    first = remember(ctx, "deadline", lambda: call_deadline(ctx.now, days, at, zone).isoformat())
    deadline = datetime.fromisoformat(first)
    title = str(ctx.prop("title", "Call the customer"))[:255]
    params = {"ownerTypeId": ctx.owner_type_id, "ownerId": ctx.doc_id, "deadline": deadline.isoformat(),
              "title": title, "description": str(ctx.prop("description", "")), "responsibleId": responsible}
    todo = once(ctx, "todo", lambda: int((ctx.client.call("crm.activity.todo.add", params) or {}).get("id") or 0),
                find=lambda: find_todo(ctx, params))
    values = {"todo_id": todo, "deadline": deadline.isoformat(), "responsible": f"user_{responsible}"}
    return Outcome(values, f"Call to-do {todo} for user {responsible} at {deadline:%Y-%m-%d %H:%M} ({zone.key})")

"""Activity rows (crm.activity.*): defaults per type, communications, owner bindings, the e-mail send rule."""
from __future__ import annotations

import re
from typing import Any

from .context import CallContext
from .crm_store import (
    as_list, as_map, entity_exists, fmt_datetime, id_str, iso, now_dt, positive_id, text, to_int, yn,
)
from .errors import crm_error

TABLE = "crm_activity"
MAIL_TABLE = "crm_sent_email"
# crm.activity.get key order (D api-reference/crm/timeline/activities/activity-base/crm-activity-get.md)
ACTIVITY_ROW = (
    "ID", "OWNER_ID", "OWNER_TYPE_ID", "TYPE_ID", "PROVIDER_ID", "PROVIDER_TYPE_ID", "PROVIDER_GROUP_ID",
    "ASSOCIATED_ENTITY_ID", "SUBJECT", "CREATED", "LAST_UPDATED", "START_TIME", "END_TIME", "DEADLINE",
    "COMPLETED", "STATUS", "RESPONSIBLE_ID", "PRIORITY", "NOTIFY_TYPE", "NOTIFY_VALUE", "DESCRIPTION",
    "DESCRIPTION_TYPE", "DIRECTION", "LOCATION", "SETTINGS", "ORIGINATOR_ID", "ORIGIN_ID", "AUTHOR_ID",
    "EDITOR_ID", "PROVIDER_PARAMS", "PROVIDER_DATA", "RESULT_MARK", "RESULT_VALUE", "RESULT_SUM",
    "RESULT_CURRENCY_ID", "RESULT_STATUS", "RESULT_STREAM", "RESULT_SOURCE_ID", "AUTOCOMPLETE_RULE",
)
_INTS = ("ID", "OWNER_ID", "OWNER_TYPE_ID", "TYPE_ID", "ASSOCIATED_ENTITY_ID", "STATUS", "PRIORITY", "NOTIFY_TYPE",
         "NOTIFY_VALUE", "DESCRIPTION_TYPE", "DIRECTION", "RESULT_MARK", "RESULT_STATUS", "RESULT_STREAM",
         "AUTOCOMPLETE_RULE")
ACTIVITY_TYPES = {
    **{f: "string" for f in ACTIVITY_ROW}, **{f: "integer" for f in _INTS},
    **{f: "user" for f in ("RESPONSIBLE_ID", "AUTHOR_ID", "EDITOR_ID")},
    **{f: "datetime" for f in ("CREATED", "LAST_UPDATED", "START_TIME", "END_TIME", "DEADLINE")},
    "COMPLETED": "char",
}
# TYPE_ID -> (PROVIDER_ID, PROVIDER_TYPE_ID, communication TYPE); 1 meeting, 2 call, 3 task, 4 e-mail
PROVIDERS = {1: ("CRM_MEETING", "MEETING", ""), 2: ("VOXIMPLANT_CALL", "CALL", "PHONE"),
             3: ("TASKS", "TASK", ""), 4: ("CRM_EMAIL", "EMAIL", "EMAIL"), 5: ("CRM_ACTIVITY", "ACTIVITY", "")}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _communications(raw: Any, comm_type: str) -> list[dict]:
    out = []
    for i, entry in enumerate(as_list(raw), start=1):
        entry = as_map(entry)
        if not entry or not (text(entry.get("VALUE")) or positive_id(entry.get("ENTITY_ID"))):
            continue
        out.append({"ID": str(i), "TYPE": text(entry.get("TYPE")) or comm_type, "VALUE": text(entry.get("VALUE")) or "",
                    "ENTITY_ID": id_str(entry.get("ENTITY_ID")), "ENTITY_TYPE_ID": id_str(entry.get("ENTITY_TYPE_ID"))})
    return out


def _owner(portal, fields: dict, comms: list[dict]) -> tuple[int, int]:
    """The owner given, else the first communication's entity; it must exist."""
    owner_type, owner_id = to_int(fields.get("OWNER_TYPE_ID")), to_int(fields.get("OWNER_ID"))
    if owner_type <= 0 or owner_id <= 0:
        first = comms[0] if comms else {}
        owner_type, owner_id = to_int(first.get("ENTITY_TYPE_ID")), to_int(first.get("ENTITY_ID"))
    if not entity_exists(portal, owner_type, owner_id):
        raise crm_error("Could not build binding. Please ensure that owner info and communications are defined "
                        "correctly.")
    return owner_type, owner_id


def validate(ctx: CallContext, fields: dict) -> tuple[int, list[dict], tuple[int, int]]:
    """The documented checks of crm.activity.add, in the portal's order."""
    type_id = to_int(fields.get("TYPE_ID"))
    if type_id not in PROVIDERS and type_id != 6:
        raise crm_error("The field TYPE_ID is not defined or invalid.")
    if type_id == 6 and not text(fields.get("PROVIDER_ID")):
        raise crm_error("The custom activity without provider is not supported in current context.")
    if type_id == 6 and text(fields.get("PROVIDER_ID")) == "REST_APP" and not ctx.is_app:
        raise crm_error("Application context required")
    comms = _communications(fields.get("COMMUNICATIONS"), PROVIDERS.get(type_id, ("", "", ""))[2])
    if not comms:
        raise crm_error("The field COMMUNICATIONS is not defined or invalid.")
    if type_id in (1, 2) and len(comms) > 1:
        raise crm_error("The only one communication is allowed for activity of specified type.")
    if not text(fields.get("SUBJECT")):
        raise crm_error("The field SUBJECT is not defined or empty.")
    if positive_id(fields.get("RESPONSIBLE_ID")) is None:
        raise crm_error("The field RESPONSIBLE_ID is not defined or invalid.")
    return type_id, comms, _owner(ctx.portal, fields, comms)


def new_activity(ctx: CallContext, type_id: int, owner: tuple[int, int], fields: dict) -> dict:
    """A stored activity with the portal's defaults for fields the caller left out."""
    portal, now = ctx.portal, iso(now_dt(ctx.portal))
    provider_id, provider_type, _comm = PROVIDERS.get(type_id, (text(fields.get("PROVIDER_ID")), None, ""))
    row: dict[str, Any] = dict.fromkeys(ACTIVITY_ROW)
    row.update({
        "ID": str(portal.next_id(TABLE)), "OWNER_ID": str(owner[1]), "OWNER_TYPE_ID": str(owner[0]),
        "TYPE_ID": str(type_id), "PROVIDER_ID": provider_id,
        "PROVIDER_TYPE_ID": text(fields.get("PROVIDER_TYPE_ID")) or provider_type,
        "ASSOCIATED_ENTITY_ID": str(to_int(fields.get("ASSOCIATED_ENTITY_ID"))), "CREATED": now,
        "LAST_UPDATED": now, "START_TIME": now, "END_TIME": now, "COMPLETED": "N", "PRIORITY": "2",
        "NOTIFY_TYPE": "0", "NOTIFY_VALUE": "0", "DESCRIPTION": "", "DESCRIPTION_TYPE": "1", "DIRECTION": "0",
        "LOCATION": "", "SETTINGS": {}, "AUTHOR_ID": str(ctx.user_id), "EDITOR_ID": str(ctx.user_id),
        "PROVIDER_PARAMS": {}, "RESULT_MARK": "0", "RESULT_STATUS": "0", "RESULT_STREAM": "0",
        "AUTOCOMPLETE_RULE": "0",
    })
    apply_fields(ctx, row, fields)
    return row


def apply_fields(ctx: CallContext, row: dict, fields: dict) -> None:
    """Writable activity fields; DEADLINE follows START_TIME (calls, meetings) or END_TIME (others)."""
    for key in ("SUBJECT", "DESCRIPTION", "LOCATION", "ORIGINATOR_ID", "ORIGIN_ID", "PROVIDER_GROUP_ID",
                "PROVIDER_DATA", "RESULT_CURRENCY_ID", "RESULT_SOURCE_ID"):
        if key in fields:
            row[key] = text(fields[key])
    for key in ("PRIORITY", "DESCRIPTION_TYPE", "DIRECTION", "NOTIFY_TYPE", "NOTIFY_VALUE", "STATUS"):
        if key in fields and fields[key] not in (None, ""):
            row[key] = str(to_int(fields[key]))
    if "RESPONSIBLE_ID" in fields and id_str(fields["RESPONSIBLE_ID"]):
        row["RESPONSIBLE_ID"] = id_str(fields["RESPONSIBLE_ID"])
    for key in ("START_TIME", "END_TIME"):
        if key in fields and fmt_datetime(fields[key]):
            row[key] = fmt_datetime(fields[key])
    for key in ("SETTINGS", "PROVIDER_PARAMS"):
        if as_map(fields.get(key)) is not None:
            row[key] = dict(as_map(fields[key]))
    if "COMPLETED" in fields:
        row["COMPLETED"] = yn(fields["COMPLETED"])
        row["STATUS"] = "2" if row["COMPLETED"] == "Y" else "1"
    elif row["STATUS"] is None:
        row["STATUS"] = "1"
    row["DEADLINE"] = row["START_TIME"] if row["TYPE_ID"] in ("1", "2") else row["END_TIME"]
    row["LAST_UPDATED"] = iso(now_dt(ctx.portal))
    row["EDITOR_ID"] = str(ctx.user_id)


def send_email(ctx: CallContext, row: dict, comms: list[dict]) -> None:
    """TYPE_ID=4, DIRECTION=2, COMPLETED=Y sends the e-mail (D how-to-send-email.md); recorded, not delivered."""
    settings = row.get("SETTINGS") or {}
    sender = text(settings.get("MESSAGE_FROM")) or ctx.portal.users.get(ctx.user_id, {}).get("EMAIL")
    if not sender:
        raise crm_error('Email send error. "From" is not found')
    recipients = [c["VALUE"] for c in comms if c["VALUE"]]
    if not recipients:
        raise crm_error('Email send error. "To" is not found')
    if not all(_EMAIL.match(r) for r in recipients):
        raise crm_error("Email send error. Invalid email is specified")
    sent = {"from": sender, "to": recipients, "subject": row["SUBJECT"], "body": row["DESCRIPTION"],
            "sent_at": iso(now_dt(ctx.portal)), "activity_id": row["ID"]}
    row["_SENT"] = sent
    mail_id = ctx.portal.next_id(MAIL_TABLE)
    ctx.portal.table(MAIL_TABLE)[mail_id] = {"ID": mail_id, **sent}


def is_sending(row: dict) -> bool:
    return row["TYPE_ID"] == "4" and row["DIRECTION"] == "2" and row["COMPLETED"] == "Y"


def activity_out(row: dict, with_comms: bool = False) -> dict:
    out = {k: row.get(k) for k in ACTIVITY_ROW}
    if with_comms:
        out["COMMUNICATIONS"] = [dict(c) for c in row.get("_COMMUNICATIONS", [])]
        out["FILES"] = []
    return out

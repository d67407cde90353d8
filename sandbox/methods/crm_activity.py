"""crm.activity.* (incl. the e-mail send rule), crm.activity.todo.add and crm.timeline.comment.*."""
from __future__ import annotations

from typing import Any

from ..context import CallContext, arg, methods
from ..crm_activities import (
    ACTIVITY_TYPES, TABLE, activity_out, apply_fields, is_sending, new_activity, send_email, validate,
    _communications,
)
from ..crm_methods import WRITE, crm_spec, delete_row, entity_specs, find_row, fire, insert_row
from ..crm_store import (
    OWNER_TYPES, as_list, as_map, ensure_crm, entity_exists, fields_arg, id_str, iso, now_dt, parse_dt,
    positive_id, text, to_int,
)
from ..errors import RestError, crm_error
from ..listing import list_rows

COMMENTS = "crm_timeline_comment"


def activity_add(ctx: CallContext, params: dict) -> int:
    """Validates as documented; an outgoing completed e-mail is recorded as sent."""
    ensure_crm(ctx.portal)
    fields = fields_arg(params)
    type_id, comms, owner = validate(ctx, fields)
    row = new_activity(ctx, type_id, owner, fields)
    row["_COMMUNICATIONS"] = comms
    if is_sending(row):
        send_email(ctx, row, comms)
    return insert_row(ctx, TABLE, row, "ONCRMACTIVITYADD")


def activity_get(ctx: CallContext, params: dict) -> dict:
    return activity_out(find_row(ctx, params, TABLE)[1])


def activity_list(ctx: CallContext, params: dict):
    """COMMUNICATIONS and FILES only when selected; default order START_TIME ascending (D crm-activity-list.md)."""
    ensure_crm(ctx.portal)
    rows = [activity_out(r, with_comms=True) for r in ctx.portal.table(TABLE).values()]
    return list_rows(rows, params, default_select=("*",), all_fields=ACTIVITY_TYPES,
                     multi_fields=("COMMUNICATIONS", "FILES"), default_order={"START_TIME": "ASC"})


def activity_update(ctx: CallContext, params: dict) -> bool:
    activity_id, row = find_row(ctx, params, TABLE)
    fields = fields_arg(params)
    staged = dict(row)
    apply_fields(ctx, staged, fields)
    if "COMMUNICATIONS" in fields:
        comms = _communications(fields["COMMUNICATIONS"], "")
        if comms:
            staged["_COMMUNICATIONS"] = comms
    row.update(staged)
    fire(ctx, "ONCRMACTIVITYUPDATE", activity_id)
    return True


def activity_delete(ctx: CallContext, params: dict) -> bool:
    return delete_row(ctx, params, TABLE, "ONCRMACTIVITYDELETE")


# ---- to-dos (D api-reference/crm/timeline/activities/todo/crm-activity-todo-add.md)
def _missing(name: str) -> RestError:
    # What the portal's action binder answers for a missing argument
    return RestError(100, f"Could not find value for parameter {{{name}}}", 400)


def todo_add(ctx: CallContext, params: dict) -> dict:
    ensure_crm(ctx.portal)
    for name in ("ownerTypeId", "ownerId", "deadline"):
        if params.get(name) in (None, ""):
            raise _missing(name)
    deadline = parse_dt(params["deadline"]) if isinstance(params["deadline"], str) else None
    if deadline is None:
        raise RestError("WRONG_DATETIME_FORMAT", "Wrong datetime format", 400)
    owner_type, owner_id = to_int(params["ownerTypeId"]), to_int(params["ownerId"])
    if not entity_exists(ctx.portal, owner_type, owner_id):
        raise RestError("OWNER_NOT_FOUND", "Owner not found.", 400)
    when = iso(deadline)
    fields = {"SUBJECT": text(params.get("title")) or "", "DESCRIPTION": text(params.get("description")) or "",
              "RESPONSIBLE_ID": id_str(params.get("responsibleId")) or str(ctx.user_id),
              "START_TIME": when, "END_TIME": when, "PROVIDER_ID": "CRM_TODO", "PROVIDER_TYPE_ID": "TODO",
              "SETTINGS": {"COLOR": text(params.get("colorId")) or "",
                           "PING_OFFSETS": [to_int(p) for p in as_list(params.get("pingOffsets"))]}}
    if positive_id(params.get("parentActivityId")):
        fields["ASSOCIATED_ENTITY_ID"] = params["parentActivityId"]
    row = new_activity(ctx, 6, (owner_type, owner_id), fields)
    row["PROVIDER_ID"], row["DEADLINE"], row["_COMMUNICATIONS"] = "CRM_TODO", when, []
    return {"id": insert_row(ctx, TABLE, row, "ONCRMACTIVITYADD")}


# ---- timeline comments (D api-reference/crm/timeline/comments/*)
_TYPE_IDS = {name: type_id for type_id, name in OWNER_TYPES.items()}
COMMENT_TYPES = {"ID": "integer", "ENTITY_ID": "integer", "ENTITY_TYPE": "string", "CREATED": "datetime",
                 "COMMENT": "string", "AUTHOR_ID": "user", "FILES": "string"}


def comment_add(ctx: CallContext, params: dict) -> int:
    """Only lowercase `fields` is read since crm 23.100.0 (FIELDS, Fields are not)."""
    ensure_crm(ctx.portal)
    fields = as_map(params.get("fields"))
    if fields is None:
        raise _missing("fields")
    entity_type = (text(fields.get("ENTITY_TYPE")) or "").lower()
    entity_id = positive_id(fields.get("ENTITY_ID"))
    if not entity_type or entity_id is None:
        raise RestError("OWNER_NOT_FOUND", "Owner not found.", 400)
    if not entity_exists(ctx.portal, _TYPE_IDS.get(entity_type, 0), entity_id):
        raise RestError("OWNER_NOT_FOUND", "Owner not found.", 400)
    comment = text(fields.get("COMMENT")) or ""
    if not comment.strip():
        raise RestError("INVALID_ARG_VALUE", "Empty comment", 400)
    new_id = ctx.portal.next_id(COMMENTS)
    ctx.portal.table(COMMENTS)[new_id] = {
        "ID": str(new_id), "ENTITY_ID": str(entity_id), "ENTITY_TYPE": entity_type,
        "CREATED": iso(now_dt(ctx.portal)), "COMMENT": comment,
        "AUTHOR_ID": id_str(fields.get("AUTHOR_ID")) or str(ctx.user_id), "FILES": _files(fields.get("FILES")),
    }
    return new_id


def _files(raw: Any) -> dict:
    """Attached files are kept by name only: [["1.gif", "<base64>"], …] -> {"1": {"id": 1, "name": "1.gif"}}."""
    out = {}
    for i, entry in enumerate(as_list(raw), start=1):
        pair = as_list(entry)
        if pair:
            out[str(i)] = {"id": i, "name": str(pair[0]), "type": "file"}
    return out


def comment_list(ctx: CallContext, params: dict):
    """The filter must name the comment's owner: ENTITY_ID and ENTITY_TYPE (D crm-timeline-comment-list.md)."""
    ensure_crm(ctx.portal)
    flt = arg(params, "filter")
    if not isinstance(flt, dict) or not {"ENTITY_ID", "ENTITY_TYPE"} <= {str(k).upper() for k in flt}:
        raise crm_error("Required filter fields ENTITY_ID and ENTITY_TYPE are not specified.")
    rows = [dict(r) for r in ctx.portal.table(COMMENTS).values()]
    return list_rows(rows, params, default_select=("*",), all_fields=COMMENT_TYPES)


METHODS = methods(
    *entity_specs("activity", add=activity_add, get=activity_get, list=activity_list, update=activity_update,
                  delete=activity_delete),
    crm_spec("crm.activity.todo.add", todo_add, WRITE),
    crm_spec("crm.timeline.comment.add", comment_add, WRITE),
    crm_spec("crm.timeline.comment.list", comment_list),
)

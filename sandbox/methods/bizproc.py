"""Automation rules and workflow activities of an app: bizproc.robot.*, bizproc.activity.*, bizproc.event.send.

Robots and activities share one code space per app (the portal keys both by md5(APP_ID@CODE)), so both
live in `portal.robots[(client_id, CODE)]` with `IS_ROBOT` telling them apart.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

from .. import workflows
from ..context import CallContext, MethodSpec, arg, methods
from ..crm_store import to_int
from ..errors import RestError, access_denied
from .events import check_handler_url

ROBOT_TYPES = frozenset({"bool", "date", "datetime", "double", "int", "select", "string", "text", "user"})
_CODE = re.compile(r"^[a-z0-9.\-_]+$", re.I)
_PROP_KEY = re.compile(r"^[a-z][a-z0-9_]*$", re.I)
# Keys kept as given (property codes, option values); everything else is upper-cased like the portal does.
_KEEP_CASE = ("PROPERTIES", "RETURN_PROPERTIES", "OPTIONS")


def fail(text: str) -> RestError:
    return RestError("ERROR_ACTIVITY_VALIDATION_FAILURE", text)


def normalise(data, keep_case: bool = False):
    """Upper-case keys recursively except directly under PROPERTIES/RETURN_PROPERTIES/OPTIONS."""
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        name = str(key) if keep_case else str(key).upper()
        out[name] = normalise(value, keep_case=name in _KEEP_CASE) if isinstance(value, dict) else value
    return out


def check_admin(ctx: CallContext) -> None:
    if not ctx.is_admin:
        raise access_denied()


def check_code(code) -> str:
    if not code:
        raise fail("Empty activity code!")
    if not isinstance(code, str) or not _CODE.match(code):
        raise fail("Wrong activity code!")
    return code


def check_handler(ctx: CallContext, url) -> None:
    """Well-formed http(s) URL on the host of the app's handler or install URL (D: same domain)."""
    check_handler_url(str(url or ""))
    host = urlparse(str(url)).hostname
    app = ctx.app
    hosts = {urlparse(u).hostname for u in (app.handler_url, app.install_url) if u}
    if hosts and "localhost" not in hosts and host not in hosts:
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")


def check_properties(props, robot: bool) -> None:
    if not isinstance(props, dict):
        raise fail("Wrong properties array!")
    for key, prop in props.items():
        if not _PROP_KEY.match(str(key)):
            raise fail(f"Wrong property key ({key})!")
        if not isinstance(prop, dict) or not prop.get("NAME"):
            raise fail(f"Empty property NAME ({key})!")
        kind = prop.get("TYPE") or "string"
        if robot and kind not in ROBOT_TYPES:
            raise fail(f"Unsupported property type ({kind})!")


def check_document_type(doc) -> None:
    if not isinstance(doc, list) or len(doc) != 3 or not all(isinstance(x, str) and x for x in doc):
        raise fail("Wrong activity DOCUMENT_TYPE!")


def check_fields(ctx: CallContext, data: dict, robot: bool, partial: bool = False) -> None:
    """The portal's checks, in its order; `partial` validates only what an update passes."""
    if not partial or "HANDLER" in data:
        check_handler(ctx, data.get("HANDLER"))
    if (not partial or "NAME" in data) and not data.get("NAME"):
        raise fail("Empty activity NAME!")
    for key in ("PROPERTIES", "RETURN_PROPERTIES"):
        if key in data:
            check_properties(data[key], robot)
    if "DOCUMENT_TYPE" in data:
        check_document_type(data["DOCUMENT_TYPE"])
    if data.get("FILTER") is not None and not isinstance(data["FILTER"], (dict, list)):
        raise fail("Wrong activity FILTER!")  # any array passes; what it says is judged when robots are offered
    if str(data.get("USE_PLACEMENT") or "").upper() == "Y":
        check_handler(ctx, data.get("PLACEMENT_HANDLER"))


def stored(data: dict) -> dict:
    """Registration fields as kept: user id as int, Y/N flags as given ('' = wait for an answer)."""
    out = dict(data)
    out["AUTH_USER_ID"] = to_int(out.get("AUTH_USER_ID"))
    out["USE_SUBSCRIPTION"] = str(out.get("USE_SUBSCRIPTION") or "").upper()
    for key in ("PROPERTIES", "RETURN_PROPERTIES"):
        out[key] = out.get(key) or {}
    return out


def _lookup(ctx: CallContext, code: str, robot: bool) -> dict:
    reg = ctx.portal.robots.get((ctx.app.client_id, code))
    if reg is None or (reg["IS_ROBOT"] == "Y") != robot:
        raise RestError("ERROR_ACTIVITY_NOT_FOUND", "Activity or Robot not found!")
    return reg


def add(robot: bool):
    def run(ctx: CallContext, params: dict):
        check_admin(ctx)
        data = normalise(params)
        data.pop("AUTH", None)
        if not data:
            raise fail("Empty data!")
        code = check_code(data.get("CODE"))
        check_fields(ctx, data, robot)
        if (ctx.app.client_id, code) in ctx.portal.robots:
            raise RestError("ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity or Robot already installed!")
        fields = {k: v for k, v in data.items() if k not in ("CODE", "APP_ID", "IS_ROBOT")}
        reg = {"CODE": code, **stored(fields), "APP_ID": ctx.app.client_id, "IS_ROBOT": "Y" if robot else "N"}
        ctx.portal.robots[(ctx.app.client_id, code)] = reg
        return True
    return run


def update(robot: bool):
    def run(ctx: CallContext, params: dict):
        check_admin(ctx)
        data = normalise(params)
        code = check_code(data.get("CODE"))
        reg = _lookup(ctx, code, robot)
        fields = data.get("FIELDS")
        fields = {k: v for k, v in fields.items() if k not in ("CODE", "APP_ID", "IS_ROBOT")} \
            if isinstance(fields, dict) else {}
        if "FILTER" in fields:  # null leaves it as it is, an empty value removes it
            if fields["FILTER"] is None:
                del fields["FILTER"]
            elif fields["FILTER"] in ("", "0", [], {}):
                fields["FILTER"] = None
        if not fields:
            raise fail("No fields to update")
        check_fields(ctx, fields, robot, partial=True)
        reg.update(stored({**reg, **fields}))
        return True
    return run


def delete(robot: bool):
    def run(ctx: CallContext, params: dict):
        check_admin(ctx)
        code = check_code(arg(params, "CODE"))
        _lookup(ctx, code, robot)
        del ctx.portal.robots[(ctx.app.client_id, code)]
        return True
    return run


def listing(robot: bool):
    def run(ctx: CallContext, params: dict):
        check_admin(ctx)
        flag = "Y" if robot else "N"
        return [reg["CODE"] for (cid, _), reg in ctx.portal.robots.items()
                if cid == ctx.app.client_id and reg["IS_ROBOT"] == flag]
    return run


def event_send(ctx: CallContext, params: dict):
    data = {str(k).upper(): v for k, v in params.items()}
    workflows.send_event(ctx.portal, data.get("EVENT_TOKEN"), data.get("RETURN_VALUES"), data.get("LOG_MESSAGE"))
    return True


def activity_log(ctx: CallContext, params: dict):
    data = {str(k).upper(): v for k, v in params.items()}
    wf = workflows.running_by_token(ctx.portal, data.get("EVENT_TOKEN"))
    message = data.get("LOG_MESSAGE")
    if message in (None, ""):
        raise RestError("ERROR_EMPTY_LOG_MESSAGE", "Empty log message!")
    wf["log"].append(str(message))
    return True


def _specs(kind: str, robot: bool) -> list[MethodSpec]:
    ops = {"add": add, "update": update, "delete": delete, "list": listing}
    return [MethodSpec(f"bizproc.{kind}.{op}", make(robot), "bizproc", app_only=True) for op, make in ops.items()]


METHODS = methods(
    *_specs("robot", True),
    *_specs("activity", False),
    MethodSpec("bizproc.event.send", event_send, "bizproc"),
    MethodSpec("bizproc.activity.log", activity_log, "bizproc"),
)

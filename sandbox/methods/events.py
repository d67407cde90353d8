"""Event subscriptions: event.bind/unbind/get, events, event.test and the offline queue."""
from __future__ import annotations

import secrets
from typing import Callable
from urllib.parse import urlparse

from .. import eventbus
from ..context import CallContext, ListResult, MethodSpec, arg, flag, methods
from ..crm_store import to_int
from ..errors import RestError, access_denied, argument_error, argument_null, wrong_auth_type
from ..listing import page_from_start


def require_app(ctx: CallContext) -> None:
    """event.* answer WRONG_AUTH_TYPE to anything but an application token."""
    if not ctx.is_app:
        raise wrong_auth_type()


def check_handler_url(url: str) -> None:
    """The portal accepts only absolute http(s) URLs whose host has a dot (or loopback names)."""
    try:
        parts = urlparse(url)
    except ValueError:
        parts = None
    host = parts.hostname if parts else None
    if not host or ("." not in host.strip(".") and host != "localhost"):
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")
    if parts.scheme not in ("http", "https"):
        raise RestError("ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol")


def _event_type(params: dict) -> str:
    value = str(arg(params, "event_type") or "").lower()
    if value and value not in ("online", "offline"):
        raise argument_error("Value must be one of {online|offline}", "EVENT_TYPE")
    return value or "online"


def _bind_user(ctx: CallContext, params: dict) -> int:
    user = to_int(arg(params, "auth_type"))
    if user > 0 and not ctx.is_admin and user != ctx.user_id:
        raise access_denied("Access denied! Event binding with AUTH_TYPE requires administrator access rights")
    return user if user > 0 or ctx.is_admin else ctx.user_id


def _options(name: str, given) -> dict:
    allowed = eventbus.EVENT_OPTIONS.get(name, {})
    if not isinstance(given, dict):
        return {}
    return {k: cast(given[k]) for k, cast in allowed.items() if k in given}


def _target(params: dict) -> tuple[str, str, str]:
    """The event name (required), the event type and the handler URL of event.bind / event.unbind."""
    name = str(arg(params, "event") or "").upper()
    if not name:
        raise argument_null("EVENT")
    return name, _event_type(params), str(arg(params, "handler") or "")


def unbind_matching(bindings: list[dict], matches: Callable[[dict], bool]) -> dict:
    """Drop the matching registrations in place and answer how many went."""
    keep = [b for b in bindings if not matches(b)]
    count = len(bindings) - len(keep)
    bindings[:] = keep
    return {"count": count}


def event_bind(ctx: CallContext, params: dict):
    require_app(ctx)
    user = _bind_user(ctx, params)
    name, event_type, handler = _target(params)
    if event_type == "offline":
        if not ctx.is_admin:
            raise access_denied("Access denied! Offline events binding requires administrator access rights")
        handler, user = "", 0
    elif not handler:
        raise argument_null("HANDLER")
    if handler:
        check_handler_url(handler)
    if name not in eventbus.available_events(ctx.scopes):
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found")
    if not handler and name in eventbus.NO_OFFLINE:
        raise RestError("ERROR_ARGUMENT", "Offline event cannot be registered for this event.")
    connector = str(arg(params, "auth_connector") or ctx.auth_connector or "")
    key = (ctx.app.client_id, name, handler, connector, user)
    for b in ctx.portal.event_bindings:
        if (b["client_id"], b["event"], b["handler"], b.get("auth_connector") or "", b["auth_type"]) == key:
            raise RestError("ERROR_CORE", "Unable to set event handler: Handler already binded")
    ctx.portal.event_bindings.append({
        "id": ctx.portal.next_id("event_binding"), "client_id": ctx.app.client_id, "event": name,
        "handler": handler, "auth_type": user, "event_type": event_type,
        "auth_connector": connector or None, "options": _options(name, arg(params, "options")),
    })
    return True


def _unbind_filter(ctx: CallContext, params: dict) -> dict:
    name, event_type, handler = _target(params)
    want: dict = {"client_id": ctx.app.client_id, "event": name}
    if event_type == "offline":
        if not ctx.is_admin:
            raise access_denied("Access denied! Offline events unbinding requires administrator access rights")
        want.update(handler="", auth_connector=str(arg(params, "auth_connector") or ctx.auth_connector or ""))
        return want
    if not handler:
        raise argument_null("HANDLER")
    want["handler"] = handler
    auth_type = arg(params, "auth_type")
    if auth_type is not None:
        if not ctx.is_admin and to_int(auth_type) != ctx.user_id:
            raise access_denied("Access denied! Event unbinding with AUTH_TYPE requires administrator access rights")
        want["auth_type"] = to_int(auth_type)
    elif not ctx.is_admin:
        want["auth_type"] = ctx.user_id
    return want


def event_unbind(ctx: CallContext, params: dict):
    require_app(ctx)
    want = _unbind_filter(ctx, params)

    def matches(b: dict) -> bool:
        seen = {**b, "auth_connector": b.get("auth_connector") or ""}
        return all(seen.get(k) == v for k, v in want.items())

    return unbind_matching(ctx.portal.event_bindings, matches)


def event_get(ctx: CallContext, params: dict):
    require_app(ctx)
    out = []
    for b in sorted(ctx.portal.event_bindings, key=lambda b: b["id"]):
        if b["client_id"] != ctx.app.client_id or (not ctx.is_admin and b["auth_type"] != ctx.user_id):
            continue
        if b["handler"]:
            out.append({"event": b["event"], "handler": b["handler"], "auth_type": str(b["auth_type"]),
                        "offline": 0})
        else:
            out.append({"event": b["event"], "connector_id": b.get("auth_connector") or "", "offline": 1})
    return out


def events_list(ctx: CallContext, params: dict):
    require_app(ctx)
    scope = arg(params, "scope")
    if scope is not None and scope != "":
        by_scope = {"basic": eventbus.GLOBAL_EVENTS, **eventbus.EVENTS_BY_SCOPE}
        return list(by_scope.get(str(scope), ()))
    if flag(params, "full"):
        return eventbus.available_events(eventbus.EVENTS_BY_SCOPE)
    return eventbus.available_events(ctx.scopes)


def event_test(ctx: CallContext, params: dict):
    """Fires ONAPPTEST to this app's handlers with the call's parameters."""
    require_app(ctx)
    portal = ctx.portal
    if portal.outbox is None or not ctx.app.installed:
        return 1
    data = {"QUERY": {k: v for k, v in params.items() if k != "auth"}, "LANGUAGE_ID": "en"}
    for b in eventbus.handlers_for(portal, ctx.app.client_id, "ONAPPTEST"):
        if b["handler"]:
            payload = eventbus.event_payload(portal, b, "ONAPPTEST", data, ctx)
            portal.outbox.post_async(b["handler"], payload, kind="event")
    return 1


# ---- offline queue (records kept by eventbus.record_offline)
def _queue(ctx: CallContext, params: dict) -> list[dict]:
    """This app's records in the queue of the request's auth_connector."""
    require_app(ctx)
    if not ctx.is_admin:
        raise access_denied()
    connector = str(arg(params, "auth_connector") or ctx.auth_connector or "")
    table = ctx.portal.table(eventbus.OFFLINE_TABLE)
    return [r for r in table.values() if r["client_id"] == ctx.app.client_id and r["CONNECTOR_ID"] == connector]


GET_FIELDS = ("ID", "TIMESTAMP_X", "EVENT_NAME", "MESSAGE_ID")
LIST_FIELDS = GET_FIELDS + ("PROCESS_ID", "ERROR")


def offline_get(ctx: CallContext, params: dict):
    """Reserve up to `limit` records under a process id; delete them at once unless clear=0."""
    records = _queue(ctx, params)
    clear = to_int(arg(params, "clear", 1))
    limit = to_int(arg(params, "limit", 50))
    if limit <= 0:
        raise argument_error("Value must be positive integer", "LIMIT")
    error = 1 if to_int(arg(params, "error", 0)) == 1 else 0
    process_id = arg(params, "process_id")
    records = [r for r in eventbus.select_offline(records, arg(params, "filter"), GET_FIELDS) if r["ERROR"] == error]
    order = arg(params, "order")
    if process_id is None:
        process_id = secrets.token_hex(16)
        free = eventbus.order_offline([r for r in records if not r["PROCESS_ID"]], order, ("TIMESTAMP_X", "ASC"), GET_FIELDS)
        for rec in free[:limit]:
            rec["PROCESS_ID"] = process_id
    mine = [r for r in records if r["PROCESS_ID"] == str(process_id).strip()]
    rows = [eventbus.offline_row(r) for r in eventbus.order_offline(mine, order, ("TIMESTAMP_X", "ASC"), GET_FIELDS)[:limit]]
    if clear and rows:
        _delete(ctx, mine)
    keep_id = not clear or arg(params, "process_id") is not None
    return {"process_id": process_id if keep_id else None, "events": rows}


def _delete(ctx: CallContext, records: list[dict]) -> None:
    table = ctx.portal.table(eventbus.OFFLINE_TABLE)
    for rec in records:
        table.pop(rec["ID"], None)


def offline_list(ctx: CallContext, params: dict):
    records = eventbus.select_offline(_queue(ctx, params), arg(params, "filter"), LIST_FIELDS)
    records = eventbus.order_offline(records, arg(params, "order"), ("ID", "ASC"), LIST_FIELDS)
    page = page_from_start(records, params)
    return ListResult([eventbus.offline_row(r, full=True) for r in page.items], page.total, page.next)


def _process_id(params: dict) -> str:
    value = arg(params, "process_id")
    if value is None:
        raise argument_null("PROCESS_ID")
    return str(value).strip()


def _message_ids(params: dict) -> list[str]:
    ids = arg(params, "message_id")
    if not isinstance(ids, list) or any(len(str(m).strip()) != 32 for m in ids):
        raise argument_error("Value must be array of MESSAGE_ID values", "message_id")
    return [str(m).strip() for m in ids]


def offline_clear(ctx: CallContext, params: dict):
    records = _queue(ctx, params)
    process_id = _process_id(params)
    mine = [r for r in records if r["PROCESS_ID"] == process_id]
    if arg(params, "message_id") is not None:
        wanted = set(_message_ids(params))
        mine = [r for r in mine if r["MESSAGE_ID"] in wanted]
    elif arg(params, "id") is not None:
        ids = arg(params, "id")
        if not isinstance(ids, list) or any(to_int(i) <= 0 for i in ids):
            raise argument_error("Value must be array of integers", "id")
        mine = [r for r in mine if r["ID"] in {to_int(i) for i in ids}]
    _delete(ctx, mine)
    return True


def offline_error(ctx: CallContext, params: dict):
    """Mark records failed: this process's copy is released with ERROR=1, other copies dropped."""
    records = _queue(ctx, params)
    process_id = _process_id(params)
    wanted = set(_message_ids(params))
    for rec in [r for r in records if r["MESSAGE_ID"] in wanted and r["ERROR"] == 0]:
        if rec["PROCESS_ID"] == process_id:
            rec.update(ERROR=1, PROCESS_ID="")
        else:
            _delete(ctx, [rec])
    return True


METHODS = methods(
    MethodSpec("event.bind", event_bind, "basic"),
    MethodSpec("event.unbind", event_unbind, "basic"),
    MethodSpec("event.get", event_get, "basic"),
    MethodSpec("events", events_list, "basic"),
    MethodSpec("event.test", event_test, "basic"),
    MethodSpec("event.offline.get", offline_get, "basic"),
    MethodSpec("event.offline.list", offline_list, "basic"),
    MethodSpec("event.offline.clear", offline_clear, "basic"),
    MethodSpec("event.offline.error", offline_error, "basic"),
)

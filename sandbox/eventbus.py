"""Event delivery: the portal's queue server posting bound events to application handlers.

Online bindings get a form-encoded POST through the outbox (no retry); offline bindings get one
record per app, connector and message in `portal.tables["offline_events"]` (the real
`b_rest_event_offline` merge semantics: the message id is md5 of name and data, so repeated
changes of one object update a single record).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .crm_store import to_int
from .oauth import server_endpoint
from .timeobj import iso

if TYPE_CHECKING:  # pragma: no cover
    from .context import CallContext
    from .state import LocalApp, Portal

OFFLINE_TABLE = "offline_events"
# Events whose delivery carries a refresh token (the docs: "typically" event auth has none).
REFRESH_EVENTS = frozenset({"ONAPPINSTALL", "ONOFFLINEEVENT"})


# ---- the catalogue: events an app may bind, by scope (D api-reference/events/events.md)
GLOBAL_EVENTS = (
    "ONAPPUNINSTALL", "ONAPPINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT", "ONAPPTEST",
    "ONAPPMETHODCONFIRM", "ONOFFLINEEVENT",
)
_CRM_ENTITIES = ("LEAD", "DEAL", "COMPANY", "CONTACT", "QUOTE", "INVOICE")
CRM_EVENTS = tuple(
    [f"ONCRM{e}{op}" for e in _CRM_ENTITIES for op in ("ADD", "UPDATE", "DELETE")]
    + ["ONCRMDEALMOVETOCATEGORY", "ONCRMINVOICESETSTATUS"]
    + [f"ONCRM{e}USERFIELD{op}" for e in _CRM_ENTITIES for op in ("ADD", "UPDATE", "DELETE", "SETENUMVALUES")]
    + [f"ONCRM{e}{op}" for e in ("CURRENCY", "PRODUCT", "PRODUCTPROPERTY", "PRODUCTSECTION", "ACTIVITY",
                                 "REQUISITE", "BANKDETAIL", "MEASURE", "TIMELINECOMMENT", "DYNAMICITEM",
                                 "TYPE", "DOCUMENTGENERATORDOCUMENT")
       for op in ("ADD", "UPDATE", "DELETE")]
    + ["ONCRMADDRESSREGISTER", "ONCRMADDRESSUNREGISTER"]
)
EVENTS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "user": ("ONUSERADD",),
    "crm": CRM_EVENTS,
    "task": tuple(f"ONTASK{x}{op}" for x in ("", "COMMENT") for op in ("ADD", "UPDATE", "DELETE")),
}
# Only ONOFFLINEEVENT takes options (minTimeout, int); it cannot itself be an offline event.
EVENT_OPTIONS = {"ONOFFLINEEVENT": {"minTimeout": int}}
NO_OFFLINE = frozenset({"ONOFFLINEEVENT"})


def available_events(scopes) -> list[str]:
    out = list(GLOBAL_EVENTS)
    for scope, names in EVENTS_BY_SCOPE.items():
        if scope in scopes:
            out += names
    return out


def handlers_for(portal: "Portal", client_id: str, event: str) -> list[dict]:
    """Bindings (online and offline) of one app to one event; the name in any case."""
    name = event.upper()
    return [b for b in portal.event_bindings if b["client_id"] == client_id and b["event"] == name]


def bindings_of(portal: "Portal", event: str) -> list[dict]:
    """All bindings of an event whose app is installed (events wait for installFinish)."""
    name = event.upper()
    out = []
    for b in portal.event_bindings:
        app = portal.apps.get(b["client_id"])
        if b["event"] == name and app is not None and app.installed:
            out.append(b)
    return out


def is_system(ctx: "CallContext | None") -> bool:
    """Changes by robots, workflows and agents carry no user tokens."""
    return ctx is None or getattr(ctx, "auth_kind", "") == "system"


def base_auth(portal: "Portal", app: "LocalApp") -> dict:
    """The auth part every delivery has, even without tokens."""
    return {
        "domain": portal.domain,
        "client_endpoint": portal.client_endpoint,
        "server_endpoint": server_endpoint(portal),
        "member_id": portal.member_id,
        "application_token": app.application_token,
    }


def user_auth(portal: "Portal", app: "LocalApp", user_id: int, refresh: bool = True) -> dict:
    """Freshly issued tokens of `user_id` for `app`, with the portal's identifiers."""
    tok = portal.issue_tokens(app, user_id)
    auth: dict[str, Any] = {
        "access_token": tok.access_token,
        "expires": str(int(tok.expires_at)),
        "expires_in": str(portal.config.access_ttl),
        "scope": ",".join(sorted(app.scopes)),
        "domain": portal.domain,
        "server_endpoint": server_endpoint(portal),
        "status": "L",
        "client_endpoint": portal.client_endpoint,
        "member_id": portal.member_id,
        "user_id": str(user_id),
    }
    if refresh:
        auth["refresh_token"] = tok.refresh_token
    auth["application_token"] = app.application_token
    return auth


def acting_user(binding: dict, ctx: "CallContext | None") -> int:
    """`auth_type` of the binding, else the user whose action fired the event (0 = nobody)."""
    auth_type = int(binding.get("auth_type") or 0)
    if auth_type:
        return auth_type
    return 0 if is_system(ctx) else int(getattr(ctx, "user_id", 0) or 0)


def delivery_auth(portal: "Portal", binding: dict, name: str, ctx: "CallContext | None") -> dict:
    app = portal.apps[binding["client_id"]]
    user_id = acting_user(binding, ctx)
    if not user_id:
        return base_auth(portal, app)
    return user_auth(portal, app, user_id, refresh=name in REFRESH_EVENTS)


def event_payload(portal: "Portal", binding: dict, name: str, data: Any, ctx: "CallContext | None") -> dict:
    """The form fields of one online delivery, in the documented order."""
    return {
        "event": name,
        "event_handler_id": str(binding["id"]),
        "data": data,
        "ts": str(int(portal.clock.now())),
        "auth": delivery_auth(portal, binding, name, ctx),
    }


def _connector(ctx: "CallContext | None") -> str:
    return str(getattr(ctx, "auth_connector", "") or "") if ctx is not None else ""


def fire(portal: "Portal", name: str, data: dict, ctx: "CallContext | None" = None) -> None:
    """Queue `name` for every installed app bound to it; offline bindings go to the offline queue."""
    if portal.outbox is None:
        return
    name = name.upper()
    posts: list[tuple[str, dict]] = []
    with portal.lock:
        connector = _connector(ctx)
        for binding in bindings_of(portal, name):
            if connector and connector == (binding.get("auth_connector") or ""):
                continue  # a change made with the binding's auth_connector does not come back to it
            if binding.get("event_type") == "offline":
                posts += record_offline(portal, binding, name, data, ctx)
            elif binding.get("handler"):
                posts.append((binding["handler"], event_payload(portal, binding, name, data, ctx)))
    for url, payload in posts:
        portal.outbox.post_async(url, payload, kind="event")


def message_id(name: str, data: Any) -> str:
    """Offline record identity: md5 of the event name and its data."""
    encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.md5(f"{name}|{encoded}".encode()).hexdigest()


def record_offline(portal: "Portal", binding: dict, name: str, data: Any, ctx) -> list[tuple[str, dict]]:
    """Store or refresh the record; answer the ONOFFLINEEVENT posts it triggers."""
    table = portal.table(OFFLINE_TABLE)
    client_id, connector = binding["client_id"], binding.get("auth_connector") or ""
    msg = message_id(name, data)
    now = portal.clock.now()
    user = acting_user({}, ctx)
    additional: Any = {"user_id": str(user)} if user else False
    for rec in table.values():
        if (rec["client_id"], rec["CONNECTOR_ID"], rec["MESSAGE_ID"], rec["PROCESS_ID"]) == (
            client_id, connector, msg, ""
        ):
            rec.update(TIMESTAMP_X=now, EVENT_DATA=data, EVENT_ADDITIONAL=additional)
            return offline_notices(portal, client_id, name, "update", ctx)
    rid = portal.next_id(OFFLINE_TABLE)
    table[rid] = {
        "ID": rid, "TIMESTAMP_X": now, "EVENT_NAME": name, "EVENT_DATA": data,
        "EVENT_ADDITIONAL": additional, "MESSAGE_ID": msg, "PROCESS_ID": "", "ERROR": 0,
        "client_id": client_id, "CONNECTOR_ID": connector,
    }
    return offline_notices(portal, client_id, name, "add", ctx)


def offline_notices(portal: "Portal", client_id: str, name: str, kind: str, ctx) -> list[tuple[str, dict]]:
    """ONOFFLINEEVENT signals for the app's online handlers, at most one per `minTimeout` seconds."""
    app = portal.apps.get(client_id)
    out: list[tuple[str, dict]] = []
    if app is None or not app.installed:
        return out
    now = portal.clock.now()
    for binding in handlers_for(portal, client_id, "ONOFFLINEEVENT"):
        if not binding.get("handler"):
            continue
        timeout = int((binding.get("options") or {}).get("minTimeout", 1))
        last = binding.get("last_notified")
        if last is not None and now - last < timeout:
            continue
        binding["last_notified"] = now
        data = {"type": kind, "event": name, "handler": binding["handler"], "minTimeout": timeout}
        out.append((binding["handler"], event_payload(portal, binding, "ONOFFLINEEVENT", data, ctx)))
    return out


def offline_row(rec: dict, full: bool = False) -> dict:
    """An offline record as event.offline.get (or .list with `full`) shows it."""
    row = {
        "ID": str(rec["ID"]),
        "TIMESTAMP_X": iso(rec["TIMESTAMP_X"]),
        "EVENT_NAME": rec["EVENT_NAME"],
        "EVENT_DATA": rec["EVENT_DATA"],
        "EVENT_ADDITIONAL": rec["EVENT_ADDITIONAL"],
        "MESSAGE_ID": rec["MESSAGE_ID"],
    }
    if full:
        row["PROCESS_ID"] = rec["PROCESS_ID"]
        row["ERROR"] = str(rec["ERROR"])
    return row


# ---- selecting offline records (event.offline.get/list filters: `[op]FIELD`, order `{FIELD: ASC|DESC}`)
_OPS = ("!=", ">=", "<=", "=", "!", ">", "<")


def _value(rec: dict, field: str):
    if field == "TIMESTAMP_X":
        return rec["TIMESTAMP_X"]
    return int(rec[field]) if field in ("ID", "ERROR") else str(rec[field])


def _cast(field: str, value):
    if field == "TIMESTAMP_X":
        try:
            return datetime.fromisoformat(str(value).replace(" ", "T", 1)).timestamp()
        except ValueError:
            return 0.0
    return to_int(value) if field in ("ID", "ERROR") else str(value)


def _compare(left, op: str, right) -> bool:
    if isinstance(right, list):
        return (left in right) != (op in ("!", "!="))
    return {"=": left == right, "!": left != right, "!=": left != right, ">": left > right,
            ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def select_offline(records, flt, fields: tuple[str, ...]) -> list[dict]:
    """Apply a `[op]FIELD: value` filter on the allowed fields; others are ignored."""
    rules = []
    for key, value in (flt.items() if isinstance(flt, dict) else ()):
        op = next((o for o in _OPS if str(key).startswith(o)), "=")
        field = str(key)[len(op):].upper() if str(key).startswith(op) else str(key).upper()
        if field in fields:
            right = [_cast(field, v) for v in value] if isinstance(value, list) else _cast(field, value)
            rules.append((field, op, right))
    return [r for r in records if all(_compare(_value(r, f), op, v) for f, op, v in rules)]


def order_offline(records: list[dict], order, default: tuple[str, str], fields: tuple[str, ...]) -> list[dict]:
    pairs = [(str(k).upper(), str(v).upper()) for k, v in order.items()] if isinstance(order, dict) else []
    pairs = [p for p in pairs if p[0] in fields] or [default]
    for field, direction in reversed(pairs):
        records = sorted(records, key=lambda r: _value(r, field), reverse=direction == "DESC")
    return records

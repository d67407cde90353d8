"""Event delivery: the portal's queue server posting bound events to application handlers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .context import CallContext
    from .state import LocalApp, Portal


def handlers_for(portal: "Portal", client_id: str, event: str) -> list[dict]:
    """Online and offline bindings of one app to one event (name in any case)."""
    name = event.upper()
    return [b for b in portal.event_bindings if b["client_id"] == client_id and b["event"] == name]


def bindings_of(portal: "Portal", event: str) -> list[dict]:
    """All bindings of an event whose app is installed (events are suppressed until installFinish)."""
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
        "server_endpoint": f"https://{portal.config.oauth_domain}/rest/",
        "member_id": portal.member_id,
        "application_token": app.application_token,
    }


def user_auth(portal: "Portal", app: "LocalApp", user_id: int, refresh: bool = True) -> dict:
    """Freshly issued tokens of `user_id` for `app`, in the order a portal sends them."""
    tok = portal.issue_tokens(app, user_id)
    auth: dict[str, Any] = {
        "access_token": tok.access_token,
        "expires": str(int(tok.expires_at)),
        "expires_in": str(portal.config.access_ttl),
        "scope": ",".join(sorted(app.scopes)),
        "domain": portal.domain,
        "server_endpoint": f"https://{portal.config.oauth_domain}/rest/",
        "status": "L",
        "client_endpoint": portal.client_endpoint,
        "member_id": portal.member_id,
        "user_id": str(user_id),
    }
    if refresh:
        auth["refresh_token"] = tok.refresh_token
    auth["application_token"] = app.application_token
    return auth


def _suppressed(binding: dict, ctx: "CallContext | None") -> bool:
    """A change made with the binding's auth_connector does not come back to that binding."""
    connector = binding.get("auth_connector")
    sent = getattr(ctx, "auth_connector", None) if ctx is not None else None
    return bool(connector) and sent == connector


def _acting_user(binding: dict, ctx: "CallContext | None") -> int:
    auth_type = int(binding.get("auth_type") or 0)
    return auth_type or int(getattr(ctx, "user_id", 0) or 1)


def event_payload(portal: "Portal", binding: dict, name: str, data: dict, ctx: "CallContext | None") -> dict:
    """The form fields of one online delivery."""
    app = portal.apps[binding["client_id"]]
    if is_system(ctx) and not int(binding.get("auth_type") or 0):
        auth = base_auth(portal, app)
    else:
        auth = user_auth(portal, app, _acting_user(binding, ctx))
    return {
        "event": name,
        "event_handler_id": str(binding["id"]),
        "data": data,
        "ts": str(int(portal.clock.now())),
        "auth": auth,
    }


def fire(portal: "Portal", name: str, data: dict, ctx: "CallContext | None" = None) -> None:
    """Queue `name` for every installed app bound to it; offline bindings go to the offline queue."""
    if portal.outbox is None:
        return
    name = name.upper()
    with portal.lock:
        posts = []
        for binding in bindings_of(portal, name):
            if _suppressed(binding, ctx):
                continue
            if binding.get("event_type") == "offline":
                record_offline(portal, binding, name, data)
            elif binding.get("handler"):
                posts.append((binding["handler"], event_payload(portal, binding, name, data, ctx)))
    for url, payload in posts:
        portal.outbox.post_async(url, payload, kind="event")


def record_offline(portal: "Portal", binding: dict, name: str, data: dict) -> None:
    """One record per app and object: a later change replaces the earlier record."""
    from .offline import store_offline  # local import: keeps this module light for early importers

    store_offline(portal, binding, name, data)

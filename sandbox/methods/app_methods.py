"""Application and portal basics: app.info, app.option.*, user.current/get, profile, scope, server.time,
feature.get, im.notify.system.add / im.notify.personal.add."""
from __future__ import annotations

from ..context import CallContext, MethodSpec, arg, flag, methods
from ..crm_store import to_int
from ..errors import RestError, argument_null
from ..listing import page_from_start
from ..state import ALL_SCOPES
from ..timeobj import iso

NOTIFICATIONS = "notifications"
# LICENSE / LICENSE_TYPE / LICENSE_FAMILY per sandbox plan (D app-info.md lists `<lang>_<plan>` codes)
LICENSES = {"standard": "std", "enterprise": "ent250", "unlimited": "ent10000"}
SERVICE_PARAMS = frozenset({"auth", "auth_connector"})


def app_info(ctx: CallContext, params: dict):
    portal, app = ctx.portal, ctx.app
    license_type = LICENSES.get(portal.config.plan, "std")
    return {
        "ID": list(portal.apps).index(app.client_id) + 1,
        "CODE": app.client_id,
        "VERSION": app.version,
        "STATUS": "L",
        "INSTALLED": bool(app.installed),
        "PAYMENT_EXPIRED": "N",
        "DAYS": None,
        "LANGUAGE_ID": "en",
        "LICENSE": f"en_{license_type}",
        "LICENSE_TYPE": license_type,
        "LICENSE_FAMILY": "ent" if license_type.startswith("ent") else license_type,
    }


def option_set(ctx: CallContext, params: dict):
    """Only the passed keys change; without `options` the request parameters are the options."""
    if not ctx.is_admin:
        raise RestError("ACCESS_DENIED", "Access denied! Administrator authorization required", 403)
    options = arg(params, "options")
    if options is None:
        options = {k: v for k, v in params.items() if k not in SERVICE_PARAMS}
    if not isinstance(options, dict) or not options:
        raise argument_null("options")
    ctx.app.options.update(options)
    return True


def option_get(ctx: CallContext, params: dict):
    name = arg(params, "option")
    if name is None or name == "":
        return dict(ctx.app.options)
    return ctx.app.options.get(str(name))


def user_row(portal, user: dict) -> dict:
    """A portal user as user.current / user.get show it (D api-reference/user/user-current.md)."""
    registered = iso(portal.clock.now() - 86400 * 30)
    return {
        "ID": str(user["ID"]), "ACTIVE": True, "NAME": user.get("NAME", ""),
        "LAST_NAME": user.get("LAST_NAME", ""), "EMAIL": user.get("EMAIL", ""),
        "LAST_LOGIN": iso(portal.clock.now()), "DATE_REGISTER": registered, "IS_ONLINE": "Y",
        "LAST_ACTIVITY_DATE": iso(portal.clock.now()).replace("T", " ")[:19],
        "PERSONAL_GENDER": "", "PERSONAL_BIRTHDAY": "", "WORK_POSITION": user.get("WORK_POSITION", ""),
        "UF_EMPLOYMENT_DATE": "", "UF_DEPARTMENT": [1],
    }


def user_current(ctx: CallContext, params: dict):
    return user_row(ctx.portal, ctx.portal.users[ctx.user_id])


def _user_filter(params: dict) -> dict:
    flt = arg(params, "FILTER")
    if not isinstance(flt, dict):
        skip = SERVICE_PARAMS | {"sort", "order", "admin_mode", "start", "filter"}
        flt = {k: v for k, v in params.items() if str(k).lower() not in skip}
    return {str(k).upper().lstrip("="): v for k, v in flt.items()}


def user_get(ctx: CallContext, params: dict):
    """Exact-match filter on the row's fields (ID may be a list)."""
    flt = _user_filter(params)
    rows = [user_row(ctx.portal, u) for _, u in sorted(ctx.portal.users.items())]

    def ok(row: dict) -> bool:
        for key, want in flt.items():
            wanted = [str(w) for w in want] if isinstance(want, list) else [str(want)]
            have = row.get(key)
            have = ("true" if have else "false") if isinstance(have, bool) else str(have)
            if key == "ACTIVE":
                wanted = ["true" if w.lower() in ("y", "true", "1") else "false" for w in wanted]
            if have not in wanted:
                return False
        return True

    return page_from_start([r for r in rows if ok(r)], params)


def profile(ctx: CallContext, params: dict):
    user = ctx.portal.users[ctx.user_id]
    return {"ID": str(user["ID"]), "ADMIN": bool(user.get("ADMIN")), "NAME": user.get("NAME", ""),
            "LAST_NAME": user.get("LAST_NAME", ""), "PERSONAL_GENDER": "", "TIME_ZONE": ""}


def user_admin(ctx: CallContext, params: dict):
    return ctx.is_admin


def scope(ctx: CallContext, params: dict):
    if flag(params, "full"):
        return sorted(ALL_SCOPES)
    return sorted(ctx.scopes) if ctx.scopes else sorted(ALL_SCOPES)


def server_time(ctx: CallContext, params: dict):
    return iso(ctx.portal.clock.now())


def feature_get(ctx: CallContext, params: dict):
    code = arg(params, "CODE")
    if not code or code == "0":
        raise RestError("CODE_EMPTY", "CODE can't be empty")
    # the sandbox offers the extended offline mode and auth_connector on every plan
    return {"value": "Y"}


def notify(kind: str):
    """im.notify.system.add / im.notify.personal.add: store the notification, answer its id."""
    def run(ctx: CallContext, params: dict):
        user_id = to_int(arg(params, "USER_ID"))
        if user_id <= 0:
            raise RestError("USER_ID_EMPTY", "User ID can't be empty")
        message = str(arg(params, "MESSAGE") or "").strip()
        if not message:
            raise RestError("MESSAGE_EMPTY", "Message can't be empty")
        if user_id not in ctx.portal.users:
            return False
        table = ctx.portal.table(NOTIFICATIONS)
        tag = str(arg(params, "TAG") or "")
        if tag:
            # a later notification with the same TAG replaces the earlier one
            for nid in [n for n, rec in table.items() if rec["USER_ID"] == user_id and rec["TAG"] == tag]:
                del table[nid]
        nid = ctx.portal.next_id(NOTIFICATIONS)
        table[nid] = {
            "ID": nid, "TYPE": kind, "USER_ID": user_id,
            "FROM_USER_ID": ctx.user_id if kind == "personal" else 0,
            "MESSAGE": message, "MESSAGE_OUT": str(arg(params, "MESSAGE_OUT") or ""), "TAG": tag,
            "SUB_TAG": str(arg(params, "SUB_TAG") or ""), "ATTACH": arg(params, "ATTACH"),
            "CLIENT_ID": ctx.app.client_id if ctx.app else None, "DATE": iso(ctx.portal.clock.now()),
        }
        return nid
    return run


METHODS = methods(
    MethodSpec("app.info", app_info, "basic", app_only=True),
    MethodSpec("app.option.set", option_set, "basic", app_only=True),
    MethodSpec("app.option.get", option_get, "basic", app_only=True),
    MethodSpec("user.current", user_current, "user"),
    MethodSpec("user.get", user_get, "user"),
    MethodSpec("user.admin", user_admin, "basic"),
    MethodSpec("profile", profile, "basic"),
    MethodSpec("scope", scope, "basic"),
    MethodSpec("server.time", server_time, "basic"),
    MethodSpec("feature.get", feature_get, "basic"),
    MethodSpec("im.notify.system.add", notify("system"), "im"),
    MethodSpec("im.notify.personal.add", notify("personal"), "im"),
)

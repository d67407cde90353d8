"""Widget placements: placement.bind/unbind/get/list (admin, application context)."""
from __future__ import annotations

import re

from ..context import CallContext, MethodSpec, arg, flag, methods
from ..crm_store import to_int
from ..errors import RestError, access_denied, argument_null, wrong_auth_type
from .events import check_handler_url, unbind_matching

_CRM_TYPES = ("LEAD", "DEAL", "CONTACT", "COMPANY", "INVOICE", "SMART_INVOICE", "QUOTE")
_CRM_SLOTS = ("LIST_MENU", "LIST_TOOLBAR", "DETAIL_TOOLBAR", "DETAIL_TAB", "DETAIL_ACTIVITY",
              "DOCUMENTGENERATOR_BUTTON")
# Placement codes by the scope that offers them (D api-reference/widgets/*).
PLACEMENTS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "placement": ("LEFT_MENU", "REST_APP_URI", "PAGE_BACKGROUND_WORKER"),
    "crm": tuple(f"CRM_{t}_{s}" for t in _CRM_TYPES for s in _CRM_SLOTS)
    + ("CRM_ACTIVITY_LIST_MENU", "CRM_DEAL_ACTIVITY_TIMELINE_MENU", "CRM_LEAD_ACTIVITY_TIMELINE_MENU",
       "CRM_QUOTE_ACTIVITY_TIMELINE_MENU", "CRM_ANALYTICS_MENU", "CRM_FUNNELS_TOOLBAR"),
    "user": ("USER_PROFILE_MENU", "USER_PROFILE_TOOLBAR"),
    "task": ("TASK_LIST_CONTEXT_MENU", "TASK_VIEW_TAB", "TASK_VIEW_SIDEBAR", "TASK_VIEW_TOP_PANEL"),
    "calendar": ("CALENDAR_GRIDVIEW",),
    "im": ("IM_NAVIGATION", "IM_TEXTAREA", "IM_SIDEBAR", "IM_CONTEXT_MENU", "IM_SMILES_SELECTOR"),
}
_DYNAMIC = re.compile(r"^CRM_DYNAMIC_\d+_(" + "|".join(_CRM_SLOTS) + r")$")
# Placements that keep OPTIONS (the others, e.g. CRM_*_DETAIL_TAB, ignore them).
WITH_OPTIONS = re.compile(r"^(PAGE_BACKGROUND_WORKER|IM_.*|CRM_.*_DETAIL_ACTIVITY)$")
USER_MODE = frozenset({"PAGE_BACKGROUND_WORKER"})  # USER_ID allowed, at most one binding
DEFAULT_LANG = "en"


def check_permission(ctx: CallContext) -> None:
    if not ctx.is_app:
        raise wrong_auth_type("Application context required")
    if not ctx.is_admin:
        raise access_denied()


def known(code: str, scopes) -> bool:
    """Is `code` offered by one of `scopes` (dynamic CRM types included)?"""
    if any(code in PLACEMENTS_BY_SCOPE.get(s, ()) for s in scopes):
        return True
    return "crm" in scopes and bool(_DYNAMIC.match(code))


def _code(params: dict, status: int = 200) -> str:
    code = str(arg(params, "PLACEMENT") or "").upper()
    if not code:
        # D placement-bind.md lists ERROR_ARGUMENT with HTTP 200
        raise argument_null("PLACEMENT", status)
    return code


def _langs(params: dict) -> dict[str, dict]:
    lang_all = arg(params, "LANG_ALL")
    fields = ("TITLE", "DESCRIPTION", "GROUP_NAME")
    if isinstance(lang_all, dict) and lang_all:
        return {str(lang): {f: str((item or {}).get(f) or "").strip() for f in fields}
                for lang, item in lang_all.items() if isinstance(item, dict)}
    given = {f: str(arg(params, f) or "").strip() for f in fields}
    return {DEFAULT_LANG: given} if any(given.values()) else {}


def _check_limits(ctx: CallContext, code: str, user_id: int) -> None:
    if user_id and code not in USER_MODE:
        raise RestError("ERROR_PLACEMENT_USER_MODE", "User mode is not available.")
    if code in USER_MODE:
        mine = [p for p in ctx.portal.placements
                if p["client_id"] == ctx.app.client_id and p["placement"] == code and p["user_id"] in (0, user_id)]
        if mine:
            raise RestError("ERROR_PLACEMENT_MAX_COUNT", "Placement max count: 1", 200)


def placement_bind(ctx: CallContext, params: dict):
    check_permission(ctx)
    code = _code(params)
    if code == "DEFAULT":
        raise RestError("ERROR_ARGUMENT", "Wrong value", 200, argument="PLACEMENT")
    handler = str(arg(params, "HANDLER") or "")
    if not handler:
        raise argument_null("HANDLER", 200)
    check_handler_url(handler)
    if not known(code, ctx.scopes):
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found")
    user_id = max(to_int(arg(params, "USER_ID")), 0)
    _check_limits(ctx, code, user_id)
    for p in ctx.portal.placements:
        if (p["client_id"], p["placement"], p["handler"]) == (ctx.app.client_id, code, handler):
            raise RestError("ERROR_CORE", "Unable to set placement handler: Handler already binded")
    langs = _langs(params)
    main = langs.get(DEFAULT_LANG) or next(iter(langs.values()), {})
    options = arg(params, "OPTIONS")
    ctx.portal.placements.append({
        "id": ctx.portal.next_id("placement"), "client_id": ctx.app.client_id, "placement": code,
        "handler": handler, "title": main.get("TITLE", ""), "description": main.get("DESCRIPTION", ""),
        "group_name": main.get("GROUP_NAME", ""), "lang_all": langs,
        "options": options if isinstance(options, dict) and WITH_OPTIONS.match(code) else {},
        "user_id": user_id,
    })
    return True


def placement_unbind(ctx: CallContext, params: dict):
    check_permission(ctx)
    code = _code(params)
    handler = str(arg(params, "HANDLER") or "")
    user_id = arg(params, "USER_ID")

    def matches(p: dict) -> bool:
        return (p["client_id"] == ctx.app.client_id and p["placement"] == code
                and (not handler or p["handler"] == handler)
                and (user_id is None or p["user_id"] == to_int(user_id)))

    return unbind_matching(ctx.portal.placements, matches)


def placement_get(ctx: CallContext, params: dict):
    check_permission(ctx)
    return [
        {
            "placement": p["placement"], "userId": p["user_id"], "handler": p["handler"],
            "options": p["options"], "title": p["title"], "description": p["description"],
            "langAll": p["lang_all"],
        }
        for p in sorted(ctx.portal.placements, key=lambda p: p["id"])
        if p["client_id"] == ctx.app.client_id
    ]


def placement_list(ctx: CallContext, params: dict):
    if not ctx.is_app:
        raise wrong_auth_type("Application context required")
    scope = arg(params, "SCOPE")
    if scope:
        scopes = [str(scope)]
    elif flag(params, "FULL"):
        scopes = list(PLACEMENTS_BY_SCOPE)
    else:
        scopes = [s for s in PLACEMENTS_BY_SCOPE if s in ctx.scopes or s == "placement"]
    return [code for s in scopes for code in PLACEMENTS_BY_SCOPE.get(s, ())]


METHODS = methods(
    MethodSpec("placement.bind", placement_bind, "placement"),
    MethodSpec("placement.unbind", placement_unbind, "placement"),
    MethodSpec("placement.get", placement_get, "placement"),
    MethodSpec("placement.list", placement_list, "placement"),
)

"""Pages shown inside the portal: the app's main (admin) page and the deal and contact tabs.

Every page proves who opened it before anything is read (`bitrix_app.portals.access`): the installation's
APPLICATION_TOKEN, then the user's own AUTH_ID asked of the portal. Each placement gets the same shell
(`shell.py`): the built front end plus a bootstrap blob with a page token of the viewer's role (one hour). The
screens read and write through the admin JSON API, which checks that role on every call. Portal administrators
and the users they allowed get the main page as admins; other employees (staff) get the tabs, and the main page
answers them 403 (the front end shows why).
"""
from __future__ import annotations

from flask import Blueprint, current_app

from bitrix_app import jsonsafe
from bitrix_app.portals import CallbackRejected, PageAccess, PortalUnreachable, Viewer
from bitrix_app.schemas.portal import PageSchema
from bitrix_app.scope import app_services
from webedge.admin_auth import issue_token
from webedge.errors import ApiError
from webedge.portal_form import parse, unauthorized

from . import shell

bp = Blueprint("placement_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/placement-ui/static")

TABS = {"deal": "CRM_DEAL_DETAIL_TAB", "contact": "CRM_CONTACT_DETAIL_TAB"}
ADMINS_ONLY = {
    "ru": "Настройки приложения доступны администраторам портала и сотрудникам, которым они разрешили доступ. "
          "Обратитесь к администратору портала.",
    "en": "The app's settings are for the portal's administrators and the people they allow. "
          "Ask your portal administrator for access.",
}


def _verified_page() -> tuple[dict, Viewer]:
    page, svc = parse(PageSchema(), with_query=True), app_services()
    try:
        viewer = PageAccess.from_services(svc).viewer(page["member_id"], page["APPLICATION_TOKEN"], page["AUTH_ID"],
                                                      page["AUTH_EXPIRES"])
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    except PortalUnreachable as exc:
        raise ApiError(503, "portal_unavailable", str(exc)) from exc
    return page, viewer


def _entity_id(raw: str | None) -> int | None:
    try:
        options = jsonsafe.loads(raw or "{}", max_depth=8)
    except ValueError:
        return None
    value = str(options.get("ID", "")) if isinstance(options, dict) else ""
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def _lang(page: dict) -> str:
    return "en" if str(page.get("LANG") or "ru").lower() not in ("ru", "ua", "by", "kz") else "ru"


def _shell(page: dict, viewer: Viewer, placement: str, status: int = 200, notice: str = ""):
    settings = app_services().settings
    portal = viewer.portal
    bootstrap = {
        "member_id": viewer.member_id, "user_id": viewer.user_id, "role": viewer.role, "lang": _lang(page),
        "placement": placement, "entity_id": _entity_id(page.get("PLACEMENT_OPTIONS")),
        "api_base": (settings.APP_BASE_URL or "").rstrip("/"),
        "token": issue_token(viewer.member_id, viewer.user_id, viewer.role),
    }
    origin = shell.portal_origin(portal.client_endpoint if portal else None, portal.domain if portal else None)
    try:
        return shell.render(current_app, bootstrap, origin, status, notice)
    except shell.FrontendMissing as exc:
        raise ApiError(503, "frontend_missing", str(exc)) from exc


@bp.post("/placement/install")
def install_page():
    """The install page (after /install stored the installation): the front end finishes it in the portal."""
    page, viewer = _verified_page()
    if not viewer.is_admin:
        return _shell(page, viewer, "INSTALL", 403, ADMINS_ONLY[_lang(page)])
    return _shell(page, viewer, "INSTALL")


@bp.post("/placement/<name>")
def tab(name: str):
    if name not in TABS:
        raise ApiError(404, "not_found", f"no placement {name!r}: deal or contact")
    page, viewer = _verified_page()
    return _shell(page, viewer, TABS[name])


@bp.post("/")
def main_page():
    page, viewer = _verified_page()
    if not viewer.is_admin:
        return _shell(page, viewer, "DEFAULT", 403, ADMINS_ONLY[_lang(page)])
    return _shell(page, viewer, "DEFAULT")

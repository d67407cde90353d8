"""Pages shown inside the portal: the deal and contact tabs, and the app's main (admin) page.

Every page proves who opened it before anything is read (`bitrix_app.portals.access`): the installation's
APPLICATION_TOKEN, then the user's own AUTH_ID asked of the portal. Portal administrators and the users they
allowed get the main page with an admin API token (one hour) for its script (static/admin.js); other employees
(staff) get the tabs, read-only, with a staff token, and a short refusal on the main page. Data comes from
bitrix_app.placement (local tables only).
"""
from __future__ import annotations

from flask import Blueprint, render_template

from bitrix_app import jsonsafe
from bitrix_app.placement.pages import admin_page, tab_page
from bitrix_app.portals import CallbackRejected, PageAccess, PortalUnreachable, Viewer, overview_of
from bitrix_app.schemas.portal import PageSchema
from bitrix_app.scope import app_services, portal_scope
from webedge.admin_auth import issue_token
from webedge.errors import ApiError
from webedge.portal_form import parse, unauthorized

bp = Blueprint("placement_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/placement-ui/static")

TABS = {"deal": "CRM_DEAL_DETAIL_TAB", "contact": "CRM_CONTACT_DETAIL_TAB"}
ADMINS_ONLY = {
    "ru": "Настройки приложения доступны администраторам портала и сотрудникам, которым они разрешили доступ. "
          "Обратитесь к администратору портала.",
    "en": "The app's settings are for the portal's administrators and the people they allow. "
          "Ask your portal administrator for access.",
}


def _verified_page() -> tuple[dict, Viewer, dict]:
    page, svc = parse(PageSchema(), with_query=True), app_services()
    try:
        viewer = PageAccess.from_services(svc).viewer(page["member_id"], page["APPLICATION_TOKEN"], page["AUTH_ID"],
                                                      page["AUTH_EXPIRES"])
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    except PortalUnreachable as exc:
        raise ApiError(503, "portal_unavailable", str(exc)) from exc
    return page, viewer, overview_of(svc, viewer.portal)


def _entity_id(raw: str | None) -> str:
    try:
        options = jsonsafe.loads(raw or "{}", max_depth=8)
    except ValueError:
        options = {}
    return str(options.get("ID", "")) if isinstance(options, dict) else ""


def _lang(page: dict) -> str:
    return "ru" if page.get("LANG") == "ru" else "en"


@bp.post("/placement/<name>")
def tab(name: str):
    if name not in TABS:
        return render_template("message.html", text="Unknown placement", lang="en"), 404
    page, viewer, overview = _verified_page()
    lang, entity_id = _lang(page), _entity_id(page.get("PLACEMENT_OPTIONS"))
    data = tab_page(portal_scope(page["member_id"]), name, entity_id, lang)
    return render_template("tab.html", kind=name, entity_id=entity_id, portal=overview, lang=lang,
                           role=viewer.role, api_token=issue_token(viewer.member_id, viewer.user_id, viewer.role),
                           **data)


@bp.post("/")
def main_page():
    page, viewer, overview = _verified_page()
    lang, member_id = _lang(page), page["member_id"]
    if not viewer.is_admin:
        return render_template("message.html", text=ADMINS_ONLY[lang], lang=lang), 403
    data = admin_page(portal_scope(member_id), lang)
    return render_template("main.html", portal=overview, lang=lang, member_id=member_id, role=viewer.role,
                           admin_token=issue_token(member_id, viewer.user_id, viewer.role), **data)

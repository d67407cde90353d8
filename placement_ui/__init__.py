"""Pages shown inside the portal: the deal and contact tabs, and the app's main (admin) page.

Every page verifies the portal's callback (member_id + APPLICATION_TOKEN) first; its data comes from
bitrix_app.placement (local tables only). The admin page carries a portal-scoped admin API token (one hour)
for its small script (static/admin.js).
"""
from __future__ import annotations

import json

from flask import Blueprint, render_template

from bitrix_app.placement.pages import admin_page, tab_page
from bitrix_app.portals.status import portal_overview
from bitrix_app.portals.verify import CallbackRejected
from bitrix_app.schemas.portal import PageSchema
from handlers.admin_auth import issue_token
from handlers.portal_form import parse, unauthorized

bp = Blueprint("placement_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/placement-ui/static")

TABS = {"deal": "CRM_DEAL_DETAIL_TAB", "contact": "CRM_CONTACT_DETAIL_TAB"}


def _verified_page() -> tuple[dict, dict]:
    page = parse(PageSchema(), with_query=True)
    try:
        overview = portal_overview(page["member_id"], page["APPLICATION_TOKEN"])
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    return page, overview


def _entity_id(raw: str | None) -> str:
    try:
        options = json.loads(raw or "{}")
    except ValueError:
        options = {}
    return str(options.get("ID", "")) if isinstance(options, dict) else ""


@bp.post("/placement/<name>")
def tab(name: str):
    if name not in TABS:
        return render_template("message.html", text="Unknown placement"), 404
    page, overview = _verified_page()
    lang, entity_id = page.get("LANG", "en"), _entity_id(page.get("PLACEMENT_OPTIONS"))
    data = tab_page(page["member_id"], name, entity_id, lang)
    return render_template("tab.html", kind=name, entity_id=entity_id, portal=overview, lang=lang, **data)


@bp.post("/")
def main_page():
    page, overview = _verified_page()
    lang, member_id = page.get("LANG", "en"), page["member_id"]
    data = admin_page(member_id, lang)
    return render_template("main.html", portal=overview, lang=lang, member_id=member_id,
                           admin_token=issue_token(member_id), **data)

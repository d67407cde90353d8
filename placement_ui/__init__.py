"""Pages shown inside the portal: the deal and contact tabs, and the app's main (admin) page."""
from __future__ import annotations

import json

from flask import Blueprint, render_template

from bitrix_app.portals.status import portal_overview
from bitrix_app.portals.verify import CallbackRejected
from bitrix_app.schemas.portal import PageSchema
from handlers.portal_form import parse, unauthorized

bp = Blueprint("placement_ui", __name__, template_folder="templates")

TABS = {"deal": "CRM_DEAL_DETAIL_TAB", "contact": "CRM_CONTACT_DETAIL_TAB"}


def _verified_page() -> tuple[dict, dict]:
    page = parse(PageSchema(), with_query=True)
    try:
        overview = portal_overview(page["member_id"], page["APPLICATION_TOKEN"])
    except CallbackRejected as exc:
        raise unauthorized(str(exc)) from exc
    return page, overview


@bp.post("/placement/<name>")
def tab(name: str):
    if name not in TABS:
        return render_template("message.html", text="Unknown placement"), 404
    page, overview = _verified_page()
    try:
        options = json.loads(page.get("PLACEMENT_OPTIONS") or "{}")
    except ValueError:
        options = {}
    entity_id = str(options.get("ID", "")) if isinstance(options, dict) else ""
    return render_template("tab.html", kind=name, entity_id=entity_id, portal=overview, lang=page.get("LANG", "en"))


@bp.post("/")
def main_page():
    page, overview = _verified_page()
    return render_template("main.html", portal=overview, lang=page.get("LANG", "en"))

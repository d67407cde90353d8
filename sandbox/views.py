"""`GET /_sandbox/view`: the portal's CRM as one plain, escaped HTML page for demos (no JavaScript)."""
from __future__ import annotations

from html import escape
from typing import Any, Iterable

from flask import Blueprint, Response, current_app

from .crm_deal_logic import links
from .crm_productrows import owner_rows
from .crm_userfields import entity_defs

RECENT = 20
OWNER_NAMES = {"1": "lead", "2": "deal", "3": "contact", "4": "company"}
STYLE = (
    "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#eef3f8}"
    ".sent{color:#fff;background:#2a7;padding:0 4px;border-radius:3px;font-size:12px}.muted{color:#888}"
)


def create_views_blueprint() -> Blueprint:
    bp = Blueprint("sandbox_views", __name__)

    @bp.get("/_sandbox/view")
    def view() -> Response:
        portal = current_app.config["SANDBOX_PORTAL"]
        with portal.lock:  # a consistent snapshot; rendering makes no outbound calls
            body = render_page(portal)
        return Response(body, content_type="text/html; charset=utf-8")

    return bp


def render_page(portal) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Sandbox portal</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Sandbox portal <span class='muted'>{_e(portal.domain)}</span></h1>",
        _deals(portal), _contacts(portal), _activities(portal), _comments(portal),
        "</body></html>",
    ]
    return "".join(parts)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _table(title: str, head: Iterable[str], rows: list[list[str]]) -> str:
    """Cells are pre-escaped HTML; an empty table says so."""
    out = [f"<h2>{_e(title)} ({len(rows)})</h2>"]
    if not rows:
        return out[0] + "<p class='muted'>none</p>"
    out.append("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>")
    out += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    out.append("</table>")
    return "".join(out)


def _contact_name(portal, contact_id: Any) -> str:
    row = portal.table("crm_contact").get(int(contact_id)) if str(contact_id or "").isdigit() else None
    if row is None:
        return f"#{contact_id}" if contact_id else ""
    return " ".join(p for p in (row.get("NAME"), row.get("LAST_NAME")) if p) or f"#{contact_id}"


def _stage_names(portal) -> dict[str, str]:
    return {s["STATUS_ID"]: s["NAME"] for s in portal.table("crm_status").values()
            if s["ENTITY_ID"].startswith("DEAL_STAGE")}


def _deals(portal) -> str:
    stages = _stage_names(portal)
    acts: dict[str, int] = {}
    for a in portal.table("crm_activity").values():
        if a["OWNER_TYPE_ID"] == "2":
            acts[a["OWNER_ID"]] = acts.get(a["OWNER_ID"], 0) + 1
    rows = []
    for deal_id in sorted(portal.table("crm_deal"), reverse=True):
        d = portal.table("crm_deal")[deal_id]
        contacts = ", ".join(_e(_contact_name(portal, c["CONTACT_ID"])) for c in links(portal, deal_id))
        rows.append([
            _e(d["ID"]), _e(d["TITLE"]), _e(f"{stages.get(d['STAGE_ID'], d['STAGE_ID'])} ({d['STAGE_ID']})"),
            _e(f"{d['OPPORTUNITY']} {d['CURRENCY_ID']}"), contacts, _e(d.get("ORIGIN_ID") or ""),
            _e(len(owner_rows(portal, "D", deal_id))), _e(acts.get(d["ID"], 0)),
        ])
    head = ("ID", "Title", "Stage", "Amount", "Contacts", "Origin ID", "Product rows", "Activities")
    return _table("Deals", head, rows)


def _multi(row: dict, kind: str) -> str:
    return "<br>".join(_e(f"{i['VALUE']} ({i['VALUE_TYPE']})") for i in row.get(kind) or [])


def _contacts(portal) -> str:
    ufs = [d["FIELD_NAME"] for d in entity_defs(portal, "CRM_CONTACT")]
    rows = []
    for contact_id in sorted(portal.table("crm_contact"), reverse=True):
        c = portal.table("crm_contact")[contact_id]
        name = " ".join(p for p in (c.get("NAME"), c.get("SECOND_NAME"), c.get("LAST_NAME")) if p)
        uf_text = "<br>".join(_e(f"{f}: {c.get(f)}") for f in ufs if c.get(f) not in (None, "", []))
        rows.append([_e(c["ID"]), _e(name), _multi(c, "PHONE"), _multi(c, "EMAIL"), _e(c.get("BIRTHDATE") or ""),
                     uf_text])
    return _table("Contacts", ("ID", "Name", "Phone", "E-mail", "Birthdate", "User fields"), rows)


def _activities(portal) -> str:
    kinds = {"1": "meeting", "2": "call", "3": "task", "4": "e-mail", "5": "activity", "6": "to-do"}
    rows = []
    recent = sorted(portal.table("crm_activity").values(), key=lambda a: int(a["ID"]), reverse=True)[:RECENT]
    for a in recent:
        sent = a.get("_SENT")
        mark = f" <span class='sent'>SENT to {_e(', '.join(sent['to']))}</span>" if sent else ""
        owner = f"{OWNER_NAMES.get(a['OWNER_TYPE_ID'], a['OWNER_TYPE_ID'])} #{a['OWNER_ID']}"
        rows.append([_e(a["ID"]), _e(kinds.get(a["TYPE_ID"], a["TYPE_ID"])) + mark, _e(a["SUBJECT"]), _e(owner),
                     _e(a["DEADLINE"]), _e(a["COMPLETED"])])
    return _table("Recent activities", ("ID", "Type", "Subject", "Owner", "Deadline", "Done"), rows)


def _comments(portal) -> str:
    recent = sorted(portal.table("crm_timeline_comment").values(), key=lambda c: int(c["ID"]), reverse=True)
    rows = [[_e(c["ID"]), _e(f"{c['ENTITY_TYPE']} #{c['ENTITY_ID']}"), _e(c["COMMENT"]), _e(c["CREATED"])]
            for c in recent[:RECENT]]
    return _table("Recent timeline comments", ("ID", "On", "Comment", "Created"), rows)

"""The deal and contact tabs and the main page: opened by the portal, verified, frameable."""
from __future__ import annotations

import requests

from tests.fixtures.shell_page import bootstrap_of


def test_deal_tab_opens_from_the_portal(installed):
    env, _ = installed
    ans = env.control("placements/open", {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "8061"}})
    assert ans["status"] == 200 and not ans["frame_blocked"]
    boot = bootstrap_of(ans["body"])
    assert boot["placement"] == "CRM_DEAL_DETAIL_TAB" and boot["entity_id"] == 8061 and boot["role"] == "admin"
    assert 'id="app"' in ans["body"] and "/placement-ui/static/dist/" in ans["body"]


def test_contact_tab_in_russian(installed):
    env, _ = installed
    ans = env.control("placements/open", {"placement": "CRM_CONTACT_DETAIL_TAB", "options": {"ID": "3"}, "lang": "ru"})
    assert ans["status"] == 200 and "Магазин" in ans["body"]
    boot = bootstrap_of(ans["body"])
    assert boot["lang"] == "ru" and boot["placement"] == "CRM_CONTACT_DETAIL_TAB" and boot["entity_id"] == 3


def test_pages_refuse_a_wrong_application_token(installed):
    env, ans = installed
    form = {"AUTH_ID": "a", "REFRESH_ID": "r", "member_id": ans["member_id"], "APPLICATION_TOKEN": "forged",
            "PLACEMENT": "DEFAULT", "PLACEMENT_OPTIONS": "{}"}
    for path in ("/", "/placement/deal"):
        res = requests.post(f"{env.live.url}{path}?DOMAIN={ans['domain']}&LANG=en", data=form, timeout=10)
        assert res.status_code == 401
    form["APPLICATION_TOKEN"] = ans["application_token"]
    page = requests.post(f"{env.live.url}/?DOMAIN={ans['domain']}&LANG=en", data=form, timeout=10)
    assert page.status_code == 401  # the right application token, but no user the portal vouches for
    form["AUTH_ID"] = env.control("placements/open", {"placement": "DEFAULT"})["fields"]["AUTH_ID"]
    page = requests.post(f"{env.live.url}/?DOMAIN={ans['domain']}&LANG=en", data=form, timeout=10)
    assert page.status_code == 200 and bootstrap_of(page.text)["role"] == "admin"
    # framed only by the portal's own origin; no cookie, the API token is in the page
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {env.sandbox.base_url}" in policy.replace("/;", ";") and "Set-Cookie" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_the_bootstrap_blob_cannot_close_its_script_element():
    from placement_ui.shell import blob

    text = blob({"lang": "</script><script>alert(1)</script>", "x": "a & b > c"})
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text)["lang"] == "</script><script>alert(1)</script>"

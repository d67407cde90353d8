"""The real app through the portal frame page: Flask verifies each placement and serves the shell; the built
front end boots from its bootstrap blob and reads the admin API with its page token."""
from __future__ import annotations

import pytest

from tests.browser.live_portal import DEAL_TAB, MAIN, MANAGER, shared_installed

pytestmark = pytest.mark.long  # handed out first in a parallel run

API = "/api/v1/portals/"


@pytest.fixture
def live(shared_portal, manifest):
    return shared_installed(shared_portal)


def _record_api_requests(page) -> list[dict]:
    """Every admin API request either frame makes: its Authorization and Cookie headers."""
    seen: list[dict] = []

    def record(request):
        if API in request.url:
            headers = request.all_headers()
            seen.append({"url": request.url, "auth": headers.get("authorization"), "cookie": headers.get("cookie")})

    page.on("request", record)
    return seen


@pytest.mark.parametrize("lang, overview", [("ru", "Обзор"), ("en", "Overview")])
def test_an_admin_gets_the_workspace_and_the_deal_tab(live, page, lang, overview):
    requests_seen = _record_api_requests(page)
    main, tab = live.open(page, lang=lang)
    main.get_by_test_id("admin-workspace").wait_for()
    main.get_by_role("tab", name=overview, selected=True).wait_for()
    main.get_by_test_id("matrix").wait_for()  # the overview answers before any rebuild
    tab.get_by_test_id("customer-card").wait_for()

    # the b24jssdk frame client talked to the portal: init in each frame, tagged with its placement, and a fit
    page.wait_for_function(f"document.querySelector('{MAIN}').style.height !== ''")
    calls = live.bx24_calls()
    assert {c["placement"] for c in calls if c["command"] == "getInitData"} == {"DEFAULT", "CRM_DEAL_DETAIL_TAB"}
    assert any(c["command"] == "resizeWindow" and c["params"]["height"] > 0 for c in calls)

    # the deal tab opens its deal in the portal's slider
    tab.get_by_test_id("open-entity").click()
    page.locator("#slider.open").wait_for()
    opened = [c for c in live.bx24_calls() if c["command"] == "openPath"]
    assert len(opened) == 1 and "/crm/deal/details/" in opened[0]["params"]["path"]

    # the admin API is read with the page's bearer token and never a cookie
    assert requests_seen and all(r["auth"] and r["auth"].startswith("Bearer ") and not r["cookie"]
                                 for r in requests_seen), requests_seen
    assert page.console_errors == []


def test_a_manager_sees_the_tab_and_is_refused_the_workspace(live, page):
    main, tab = live.open(page, user_id=MANAGER, lang="ru")
    main.get_by_test_id("forbidden").wait_for()
    assert main.get_by_test_id("admin-workspace").count() == 0
    tab.get_by_test_id("customer-card").wait_for()
    # the page itself answered 403: a staff token in the blob, no admin screens
    assert page.console_errors == [] or all("403" in e for e in page.console_errors)

"""The real app through the portal frame page: Flask verifies each placement and serves the shell; the built
front end boots from its bootstrap blob and reads the admin API with its page token."""
from __future__ import annotations

import pytest

from tests.browser.live_portal import DEAL_TAB, MAIN, MANAGER, installed_portal


@pytest.fixture
def live(portal_env, manifest):
    return installed_portal(portal_env)


@pytest.mark.parametrize("lang, overview", [("ru", "Обзор"), ("en", "Overview")])
def test_an_admin_gets_the_workspace_and_the_deal_tab(live, page, lang, overview):
    main, tab = live.open(page, lang=lang)
    main.get_by_test_id("admin-workspace").wait_for()
    main.get_by_role("tab", name=overview, selected=True).wait_for()
    tab.get_by_test_id("customer-card").wait_for()
    page.wait_for_function(f"document.querySelector('{MAIN}').style.height !== ''")
    assert {c["placement"] for c in live.bx24_calls() if c["command"] == "getInitData"} == {
        "DEFAULT", "CRM_DEAL_DETAIL_TAB"}
    assert page.console_errors == []


def test_a_manager_sees_the_tab_and_is_refused_the_workspace(live, page):
    main, tab = live.open(page, user_id=MANAGER, lang="ru")
    main.get_by_test_id("forbidden").wait_for()
    assert main.get_by_test_id("admin-workspace").count() == 0
    tab.get_by_test_id("customer-card").wait_for()
    # the page itself answered 403: a staff token in the blob, no admin screens
    assert page.console_errors == [] or all("403" in e for e in page.console_errors)

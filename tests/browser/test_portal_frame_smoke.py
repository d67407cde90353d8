"""Smoke: the sandbox's portal frame page frames the app's main page and a deal tab the way Bitrix24 does,
and the built bundle boots in both with no console error, talking to the portal over the BX24 bridge."""
from __future__ import annotations

import pytest
import requests

from sandbox.state import LocalApp
from tests.browser.harness import API_ANSWERS

CLIENT_ID = "local.browser.app"


@pytest.fixture
def portal(sandbox_factory, shell):
    """A sandbox portal with the app installed: its main page and deal tab are the stand-in shell's."""
    sandbox = sandbox_factory()
    portal = sandbox.portal
    with portal.lock:
        portal.apps[CLIENT_ID] = LocalApp(CLIENT_ID, "s3cret", f"{shell.url}/app", f"{shell.url}/install",
                                          frozenset({"crm", "placement"}), False, installed=True)
        portal.placements.append({"id": portal.next_id("placement"), "client_id": CLIENT_ID,
                                  "placement": "CRM_DEAL_DETAIL_TAB", "handler": f"{shell.url}/tab", "title": "Shop",
                                  "description": "", "group_name": "", "lang_all": {}, "options": {}, "user_id": 0})
    return sandbox


def _calls(sandbox) -> list[dict]:
    return requests.get(f"{sandbox.base_url}/_sandbox/bx24-calls", timeout=10).json()


@pytest.mark.parametrize("lang, tab_label, card_title", [("ru", "Обзор", "Карточка клиента"),
                                                        ("en", "Overview", "Customer card")])
def test_portal_frame_page_boots_the_app_in_both_placements(portal, shell, page, lang, tab_label, card_title):
    page.goto(f"{portal.base_url}/_sandbox/portal?user_id=1&lang={lang}")
    main = page.frame_locator("iframe[data-placement=DEFAULT]")
    tab = page.frame_locator("iframe[data-placement=CRM_DEAL_DETAIL_TAB]")

    main.get_by_test_id("admin-workspace").wait_for()
    assert main.get_by_role("tab", name=tab_label).count() == 1
    segment = API_ANSWERS["segments"]["segments"][0]
    main.get_by_text(segment["name_ru"] if lang == "ru" else segment["name_en"]).wait_for()
    tab.get_by_text(card_title).wait_for()

    # the b24jssdk frame client talked to the portal: init and a fit in each frame, tagged with its placement
    page.wait_for_function("document.querySelector('iframe[data-placement=DEFAULT]').style.height !== ''")
    calls = _calls(portal)
    assert {c["placement"] for c in calls if c["command"] == "getInitData"} == {"DEFAULT", "CRM_DEAL_DETAIL_TAB"}
    assert any(c["command"] == "resizeWindow" and c["params"]["height"] > 0 for c in calls)

    # the deal tab opens its deal in the portal's slider
    tab.get_by_test_id("open-entity").click()
    page.locator("#slider.open").wait_for()
    opened = [c for c in _calls(portal) if c["command"] == "openPath"]
    assert len(opened) == 1 and "/crm/deal/details/" in opened[0]["params"]["path"]

    # the admin API is read with the bearer token and no cookie
    assert shell.api_requests and all(r["auth"] == "Bearer test-token" and not r["cookie"]
                                      for r in shell.api_requests)
    assert page.console_errors == []


SCREENS = {"ru": ("Обзор", "Кампании и доступ", "Состояние синхронизации"),
           "en": ("Overview", "Campaigns and access", "Sync health")}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_screen_renders_as_an_admin_sees_it(portal, shell, page, lang, screenshots):
    """Every workspace tab and the deal tab render in the portal frame (a failed segment with its error in the
    page's language); each is saved as a screenshot (`SCREENSHOT_DIR`, else the test's own folder)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{portal.base_url}/_sandbox/portal?user_id=1&lang={lang}")
    main = page.frame_locator("iframe[data-placement=DEFAULT]")
    frame = page.locator("iframe[data-placement=DEFAULT]")
    main.get_by_test_id("admin-workspace").wait_for()
    error = API_ANSWERS["segments"]["segments"][1]["error"][f"message_{lang}"]
    main.get_by_test_id("segment-error").get_by_text(error).wait_for()
    for number, label in enumerate(SCREENS[lang], start=1):
        main.get_by_role("tab", name=label).click()
        main.get_by_role("tab", name=label, selected=True).wait_for()
        main.locator("[data-testid=admin-workspace] h2").first.wait_for()
        frame.screenshot(path=str(screenshots / f"admin-{number}-{lang}.png"))
    tab = page.frame_locator("iframe[data-placement=CRM_DEAL_DETAIL_TAB]")
    tab.get_by_test_id("open-entity").wait_for()
    page.locator("iframe[data-placement=CRM_DEAL_DETAIL_TAB]").screenshot(path=str(screenshots / f"deal-tab-{lang}.png"))
    assert page.console_errors == []

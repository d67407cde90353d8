"""The install page: the portal posts it to /install, which stores the installation and hands the browser on to
the front end's install screen; the screen finishes the installation through the frame SDK (installFinish), and
the portal then shows the app."""
from __future__ import annotations

import pytest

from tests.browser.live_portal import LivePortal, MAIN, off_the_loop

pytestmark = pytest.mark.long  # handed out first in a parallel run


@pytest.mark.parametrize("lang, done", [("ru", "Приложение установлено"), ("en", "The app is installed")])
def test_the_install_page_finishes_the_installation_in_the_portal(portal_env, manifest, page, lang, done,
                                                                   screenshots):
    env = portal_env()
    settings = env.app.extensions["bitrix_app"]["settings"]
    ans = off_the_loop(lambda: env.control("install", {
        "app_url": env.live.url, "client_id": settings.B24_CLIENT_ID, "client_secret": settings.B24_CLIENT_SECRET,
        "mode": "ui", "language": lang}))
    assert ans["app_status"] == 200 and ans["installed"] is False  # stored, waiting for installFinish
    live = LivePortal(env)
    live.work()

    main, _ = live.open(page, lang=lang)
    main.get_by_test_id("install").wait_for()
    main.locator("[data-testid=install][data-state=done]").wait_for()
    main.get_by_text(done).wait_for()
    assert [c["placement"] for c in live.bx24_calls() if c["command"] == "setInstallFinish"] == ["DEFAULT"]
    assert env.sandbox.portal.apps[settings.B24_CLIENT_ID].installed is True
    page.locator(MAIN).screenshot(path=str(screenshots / f"install-{lang}.png"))

    # the portal now opens the app itself
    main, _ = live.open(page, lang=lang)
    main.get_by_test_id("admin-workspace").wait_for()
    assert page.console_errors == []

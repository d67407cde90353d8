"""The sync health screen in the portal frame: an order the portal refused for its currency is a dead letter; the
admin adds the currency in the CRM, presses Retry, the worker runs and the event leaves the dead letters while its
deal appears; a robot call is run again with Replay."""
from __future__ import annotations

import pytest

from bitrix_app.shops.cache import changed
from tests.browser.live_portal import MAIN, LivePortal, off_the_loop
from tests.fixtures.shop_env import connect_shop, order_event
from tests.sync_health.sync_env import GBP

pytestmark = pytest.mark.long  # handed out first in a parallel run

WORDS = {
    "ru": {"tab": "Состояние синхронизации", "refused": "Портал не принимает валюту заказа", "order": "заказ N-2",
           "queued": "поставлено в очередь", "done": "обработано", "runs": "запусков: 2", "active": "работает"},
    "en": {"tab": "Sync health", "refused": "The portal does not accept the order’s currency", "order": "order N-2",
           "queued": "queued again", "done": "processed", "runs": "runs: 2", "active": "working"},
}


def _seed(portal_env):
    shop = connect_shop(portal_env())
    assert shop.post(order_event("1", status="paid")).status_code == 202
    shop.work()
    refused = order_event("2", status="paid")
    refused["data"]["currency"] = "GBP"  # an ISO code the portal's CRM does not have
    shop.env.redis.delete(f"bitrix_app:currencies:{shop.member_id}")
    changed(shop.env.redis)
    assert shop.post(refused).status_code == 202
    shop.work()
    [deal] = shop.deals()
    shop.env.control("robots/run", {"code": "customer_profile", "document_id": f"DEAL_{deal['ID']}",
                                    "properties": {}})
    assert shop.env.control("outbox/drain")["drained"]
    shop.work()
    return shop


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    return shop, LivePortal(shop.env)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_dead_letter_is_retried_from_the_screen_and_a_robot_call_replayed(seeded, page, screenshots, lang):
    shop, live = seeded
    words = WORDS[lang]
    page.set_viewport_size({"width": 1280, "height": 900})
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=words["tab"]).click()
    screen = main.get_by_test_id("sync-health")
    screen.get_by_test_id("portal-status").get_by_text(words["active"]).wait_for()
    letters = screen.get_by_test_id("dead-letters")
    letters.get_by_test_id("dead-letter-error").get_by_text(words["refused"]).wait_for()
    letters.get_by_text(words["order"]).wait_for()
    screen.get_by_test_id("robot-calls").get_by_test_id("robot-status").first.wait_for()
    page.locator(MAIN).screenshot(path=str(screenshots / f"sync-{lang}.png"))

    shop.env.sandbox.portal.table("crm_currency")[99] = dict(GBP)  # the admin adds the currency in the CRM
    letters.get_by_test_id("dead-letter-retry").click()
    letters.get_by_test_id("dead-letter-retried").get_by_text(words["queued"]).wait_for()
    live.work()
    screen.get_by_test_id("sync-refresh").click()
    letters.get_by_test_id("no-dead-letters").wait_for()
    screen.locator("[data-status=failed]").get_by_test_id("inbox-count").get_by_text("0").wait_for()
    screen.locator("[data-status=done]").get_by_test_id("inbox-count").get_by_text("2").wait_for()
    deals = off_the_loop(shop.deals)
    assert sorted(d["CURRENCY_ID"] for d in deals) == ["EUR", "GBP"]
    [deal] = [d["ID"] for d in deals if d["CURRENCY_ID"] == "EUR"]  # the one the robot ran on

    robots = screen.get_by_test_id("robot-calls")
    robots.get_by_test_id("robot-replay").click()
    robots.get_by_text(words["runs"]).wait_for()
    robots.get_by_test_id("robot-document").click()  # the deal it ran on opens in the portal's slider
    page.locator("#slider.open").wait_for()
    opened = [c["params"]["path"] for c in live.bx24_calls() if c["command"] == "openPath"]
    assert opened and f"/crm/deal/details/{deal}/" in opened[-1]
    assert page.console_errors == []

"""The deal tab's customer card in the portal frame: a manager (sandbox user 2) opens the tab of a synced order's
deal, reads the card, issues a promo code and sees it listed; the same manager is refused the admin workspace."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.clock import FrozenClock
from bitrix_app.store.shop_models import OrderRecord
from tests.browser.live_portal import MANAGER, LivePortal, off_the_loop
from tests.fixtures.shop_env import connect_shop, iso, order_event
from tests.placement.placement_env import NOW

pytestmark = pytest.mark.long  # handed out first in a parallel run


def _seed(portal_env):
    shop = connect_shop(portal_env(CLOCK=FrozenClock(NOW)))
    for order_id, days, status in (("A1", 120, "paid"), ("A2", 5, "pending_payment")):
        at = NOW - timedelta(days=days)
        assert shop.post(order_event(order_id, status=status, version=at, created_at=iso(at))).status_code == 202
        shop.work()
    return shop


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    with shop.session() as s:
        deal = s.scalar(select(OrderRecord.deal_id).where(OrderRecord.order_id == "A2"))
    return shop, LivePortal(shop.env), deal


@pytest.mark.parametrize("lang, figures, issue, awaiting", [
    ("ru", "Показатели", "Выдать промокод", "ждёт оплаты"), ("en", "Figures", "Issue a promo code",
                                                              "awaiting payment")])
def test_a_manager_reads_the_card_and_issues_a_promo_code(seeded, page, screenshots, lang, figures, issue, awaiting):
    shop, live, deal = seeded
    main, tab = live.open(page, user_id=MANAGER, lang=lang, deal_id=deal)
    main.get_by_test_id("forbidden").wait_for()
    assert main.get_by_test_id("admin-workspace").count() == 0
    tab.get_by_test_id("card-body").wait_for()
    tab.get_by_role("heading", name=figures).wait_for()
    assert "Ann Lee" in tab.get_by_test_id("customer-card").inner_text()
    assert awaiting in tab.get_by_test_id("next-action").inner_text()  # the order awaiting payment for 5 days
    assert "N-A2" in tab.get_by_test_id("card-orders").inner_text()
    tab.get_by_role("button", name=issue).click()
    tab.get_by_test_id("promo-submit").click()
    tab.get_by_test_id("action-outcome").wait_for()
    tab.get_by_test_id("promo-code").first.wait_for()
    code = tab.get_by_test_id("promo-code").first.inner_text()
    assert code.split()[0] in tab.get_by_test_id("action-outcome").inner_text()
    text = tab.get_by_test_id("customer-card").inner_text()
    for raw in ("pending_payment", "PROMISING", "T10:", "+00:00", "card."):  # no codes, ISO moments or keys
        assert raw not in text, raw
    page.locator("iframe[data-placement=CRM_DEAL_DETAIL_TAB]").screenshot(path=str(screenshots / f"card-{lang}.png"))
    tab.get_by_test_id("open-entity").click()
    page.locator("#slider.open").wait_for()  # the portal opens its slider once it has recorded the call
    opened = [c["params"]["path"] for c in live.bx24_calls() if c["command"] == "openPath"]
    assert any(f"/crm/deal/details/{deal}/" in path for path in opened)  # the deal in the portal's slider
    # the main page's 403 is the shell's answer for a staff user, not an error of the card
    assert [e for e in page.console_errors if "403" not in e] == []

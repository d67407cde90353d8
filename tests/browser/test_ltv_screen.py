"""The lifetime value screen in the portal frame: a portal with two and a half years of purchases (cohorts every
other month, several acquisition channels, repeat buyers); the admin opens the tab and reads the formula's cards
with money in the portal's currency, the cohort chart and table (young cohorts "too early"), new vs repeat and the
channels by name; a portal without orders shows its empty text."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from bitrix_app.clock import FrozenClock
from bitrix_app.scope import portal_scope
from bitrix_app.segments import ltv_report
from bitrix_app.store.shop_models import Customer, OrderRecord
from tests.browser.live_portal import MAIN, LivePortal, off_the_loop
from tests.fixtures.shop_env import connect_shop
from tests.placement.placement_env import NOW

pytestmark = pytest.mark.long  # handed out first in a parallel run

SOURCES = ("yandex", "newsletter", None, "vk", "spring-fair")
WORDS = {
    "ru": {"tab": "Ценность клиентов", "title": "Ценность клиентов", "early": "рано",
           "month": re.compile(r"^мар[т.]? 2024"),
           "channels": ("Яндекс", "Рассылка", "Без метки", "ВКонтакте", "spring-fair"),
           "empty": "Покупок пока нет"},
    "en": {"tab": "Lifetime value", "title": "Lifetime value", "early": "too early",
           "month": re.compile(r"^Mar 2024$"),
           "channels": ("Yandex", "Newsletter", "Not tagged", "VK", "spring-fair"), "empty": "No purchases yet"},
}


def _history():
    """(customer, source, [(moment, total)]): a cohort every other month from January 2024, 2-4 customers each,
    the later customers buying again every 150 days."""
    n = 0
    for k in range(17):
        start = datetime(2024 + (2 * k) // 12, (2 * k) % 12 + 1, 3, 12, tzinfo=timezone.utc)
        for i in range(2 + k % 3):
            n += 1
            orders = [(start + timedelta(days=i), 1200 + 300 * i + 50 * (k % 4))]
            for j in range(i):
                at = start + timedelta(days=i + 150 * (j + 1))
                if at < NOW:
                    orders.append((at, 800 + 100 * j))
            yield f"c{n}", SOURCES[(k + i) % len(SOURCES)], orders


def _seed(portal_env, with_orders: bool = True):
    shop = connect_shop(portal_env(CLOCK=FrozenClock(NOW)))
    if with_orders:
        with shop.session() as s:
            for name, source, orders in _history():
                customer = Customer(member_id=shop.member_id, profile={"first_name": name})
                s.add(customer)
                s.flush()
                for m, (at, total) in enumerate(orders):
                    s.add(OrderRecord(shop_id=shop.shop_id, member_id=shop.member_id, order_id=f"{name}-{m}",
                                      status="completed", total=f"{total:.2f}", currency="RUB",
                                      customer_id=customer.id, items=[], ordered_at=at, version=at,
                                      utm_source=source))
    return shop


def _money_pattern(lang: str, amount: float) -> str:
    """The amount as Intl formats roubles in the page's locale (any spaces)."""
    digits = f"{amount:,.2f}"
    if lang == "ru":
        return digits.replace(",", r"\s").replace(".", ",") + r"\s₽"
    return "₽" + digits.replace(".", r"\.")


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    with shop.env.app.app_context():
        report = ltv_report(portal_scope(shop.member_id), NOW)
    return shop, LivePortal(shop.env), report


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_ltv_screen_shows_the_formula_cohorts_and_channels(seeded, page, screenshots, lang):
    shop, live, report = seeded
    words = WORDS[lang]
    page.set_viewport_size({"width": 1280, "height": 900})
    main, _ = live.open(page, lang=lang)
    main.get_by_role("tab", name=words["tab"]).click()
    screen = main.get_by_test_id("ltv")
    screen.get_by_role("heading", name=words["title"]).wait_for()

    overall = report["overall"]
    for card, amount in (("ltv-aov", overall["average_order"]), ("ltv-ltv", overall["ltv"])):
        figure = screen.get_by_test_id(card).get_by_test_id("figure")
        assert re.fullmatch(_money_pattern(lang, amount), figure.inner_text().strip()), figure.inner_text()
    assert screen.get_by_test_id("ltv-frequency").get_by_test_id("figure").inner_text().strip()
    assert screen.get_by_test_id("ltv-currencies").count() == 0  # all in roubles

    chart = screen.get_by_test_id("cohort-chart")
    chart.wait_for()
    assert chart.locator("[data-testid=cohort-line-6] circle").count() == sum(
        1 for c in report["cohorts"] if c["value_6m"] is not None)
    table = screen.get_by_test_id("cohort-table")
    table.get_by_text(words["month"]).wait_for()
    assert table.get_by_text(words["early"], exact=True).count() >= 3  # the newest cohorts are young

    split = screen.get_by_test_id("new-vs-repeat")
    assert str(report["new_vs_repeat"]["repeat"]["customers"]) in split.get_by_test_id("split-repeat").inner_text()
    channels = screen.get_by_test_id("channel-table")
    for name in words["channels"]:
        channels.get_by_text(name, exact=True).wait_for()
    text = screen.inner_text()
    assert "None" not in text and "null" not in text and "T00:" not in text and "RUB" not in text
    page.locator(MAIN).screenshot(path=str(screenshots / f"ltv-{lang}.png"))
    assert page.console_errors == []


def test_a_portal_without_orders_shows_the_empty_text(portal_env, manifest, page):
    shop = off_the_loop(lambda: _seed(portal_env, with_orders=False))
    main, _ = LivePortal(shop.env).open(page, lang="en")
    main.get_by_role("tab", name=WORDS["en"]["tab"]).click()
    main.get_by_test_id("ltv-empty").get_by_text(WORDS["en"]["empty"]).wait_for()
    assert page.console_errors == []

"""The overview screen in the portal frame: a portal with synced orders and a segment rebuild; the admin reads the
matrix, opens a cell, sees its customers, downloads them as CSV and opens one in the portal's slider."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.store.segment_models import CustomerFigures
from bitrix_app.store.shop_models import Cart, Customer
from tests.browser.live_portal import MAIN, LivePortal, off_the_loop, seed_customers
from tests.placement.placement_env import NOW

pytestmark = pytest.mark.long  # handed out first in a parallel run

ORDERS = (  # order, days before now, status, customer
    ("A1", 200, "paid", "ann"), ("A2", 40, "delivered", "ann"), ("B1", 3, "paid", "bo"),
    ("C1", 9, "paid", "cy"), ("C2", 2, "paid", "cy"),
)
PEOPLE = {"ann": ("Ann", "Lee", "+7 999 123-45-67"), "bo": ("Bo", "Berg", "+7 999 000-00-01"),
          "cy": ("Cy", "Cole", "+7 999 000-00-02")}


def _seed(portal_env):
    shop = seed_customers(portal_env, NOW, ORDERS, PEOPLE)
    with shop.session() as s:  # two abandoned-cart deals, one of them bought afterwards
        for n, (state, days) in enumerate((("abandoned", 5), ("ordered", 12))):
            at = NOW - timedelta(days=days)
            s.add(Cart(shop_id=shop.shop_id, member_id=shop.member_id, cart_id=f"cart-{n}", state=state, data={},
                       version=at, first_seen_at=at, deal_id=900 + n))
    return shop


@pytest.fixture
def seeded(shared_portal, manifest):
    shop = off_the_loop(lambda: shared_portal(_seed))
    return shop, LivePortal(shop.env)


def _ann(shop) -> tuple[str, int]:
    """Ann's lifecycle cell and portal contact."""
    with shop.session() as s:
        customer = [c for c in s.scalars(select(Customer).where(Customer.member_id == shop.member_id))
                    if (c.profile or {}).get("email") == "ann@example.com"][0]
        return s.get(CustomerFigures, customer.id).lifecycle, customer.contact_id


@pytest.mark.parametrize("lang, title, customers_of", [("ru", "Жизненный цикл покупателей", "Покупатели"),
                                                       ("en", "Customer lifecycle", "Customers")])
def test_the_overview_screen_opens_a_cell_and_a_customer(seeded, page, screenshots, lang, title, customers_of):
    shop, live = seeded
    cell, contact = _ann(shop)
    assert cell and contact
    page.set_viewport_size({"width": 1280, "height": 900})
    main, _ = live.open(page, lang=lang)
    main.get_by_test_id("overview").get_by_text(title).wait_for()
    main.get_by_test_id("matrix-total").get_by_text("3").wait_for()
    main.get_by_test_id("revenue-chart").wait_for()
    main.get_by_test_id("share-chart").wait_for()  # one rebuild: one point
    main.get_by_test_id("carts").get_by_text("50").wait_for()  # one of two abandoned carts came back

    main.get_by_test_id(f"cell-{cell}").click()
    table = main.get_by_test_id("cell-customers-table")
    table.get_by_text("Ann Lee").wait_for()
    main.get_by_text(f"{customers_of}: ").first.wait_for()
    page.locator(MAIN).screenshot(path=str(screenshots / f"overview-{lang}.png"))

    with page.expect_download() as download:
        main.get_by_test_id("export-csv").click()
    saved = download.value.path().read_text(encoding="utf-8")
    assert "Ann Lee" in saved and saved.splitlines()[0].startswith("Имя" if lang == "ru" else "Name")

    table.get_by_test_id("open-customer").filter(has_text="Ann Lee").click()
    page.locator("#slider.open").wait_for()
    opened = [c["params"]["path"] for c in live.bx24_calls() if c["command"] == "openPath"]
    assert opened and f"/crm/contact/details/{contact}/" in opened[-1]
    assert page.console_errors == []

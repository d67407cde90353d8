"""The deal and contact tabs: the customer's figures, orders, segments and next best action, from local data."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.shop_env import T0
from tests.placement.placement_env import placement_env, section

FIGURES = dict(orders=3, revenue=1653.0, paid_revenue=1102.0, first_order_at=T0 - timedelta(days=100),
               last_order_at=T0, days_since=10, lifecycle="PROMISING_ACTIVE", r=5, f=3, m=4,
               rfm_group="potential_loyalist", ltv=2480.5, birth_month=11, birth_day=20)
SEGMENTS = ("PROMISING_ACTIVE", "RFM_POTENTIAL_LOYALIST", "BIKE_NO_HELMET")


@pytest.fixture
def pe(portal_env):
    env = placement_env(portal_env)
    env.define_cross_sell()
    env.sync_order("A1", T0 - timedelta(days=100), status="paid")
    env.sync_order("A2", T0 - timedelta(days=40), status="delivered")
    env.sync_order("A3", T0, status="new")
    return env


def _customer(pe) -> int:
    customer_id = pe.order("A1").customer_id
    assert customer_id is not None and pe.order("A3").customer_id == customer_id
    return customer_id


def _page(ans: dict) -> str:
    assert ans["status"] == 200 and not ans["frame_blocked"], ans
    return ans["body"]


def test_deal_tab_shows_the_customers_figures_orders_segments_and_next_action(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    deal_id = pe.order("A2").deal_id
    html = _page(pe.open("CRM_DEAL_DETAIL_TAB", deal_id))
    assert f"deal #{deal_id}" in html and "Ann Lee" in html
    figures = section(html, "figures", "</dl>")
    for text in ("<dd>3</dd>", "1 653.00 EUR", "551.00 EUR", "2026-07-25", "2026-11-02", "<dd>10</dd>",
                 "Promising active", "5-3-4 · Potential loyalists", "Predicted LTV", "2 480.50 EUR"):
        assert text in figures, text
    assert "Computed from the orders" not in html
    orders = section(html, "orders", "</table>")
    assert orders.index("N-A3") < orders.index("N-A2") < orders.index("N-A1")  # newest first
    assert orders.count("551.00 EUR") == 3 and "delivered" in orders and "paid" in orders and "new" in orders
    assert orders.count('<td class="num">3</td>') == 3  # a bike and two tyres per order
    assert "N-A2 <span class=\"small muted\">(this deal)</span>" in orders
    assert ">2026-09-23<" in orders  # A2: T0 - 40 days
    segments = section(html, "segments", "</div>")
    assert ">Promising active<" in segments and ">RFM: Potential loyalists<" in segments
    assert ">Bike without a helmet<" in segments
    action = section(html, "next-action", "</div>")
    assert "Offer helmets to go with their purchase." in action
    assert "Birthday this month: send a greeting with a promo code." in action  # listed under "Also"


def test_contact_tab_in_russian(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    html = _page(pe.open("CRM_CONTACT_DETAIL_TAB", pe.contact_of(customer_id), lang="ru"))
    assert "Магазин · контакт #" in html and 'lang="ru"' in html
    for text in ("Заказы", "Средний чек", "Дней с последнего заказа", "Прогноз LTV", "История заказов",
                 "Перспективные активные", "5-3-4 · Потенциально лояльные", "Велосипед без шлема",
                 "RFM: Потенциально лояльные", "Предложите helmets к покупке.", "оплачен", "доставлен"):
        assert text in html, text
    assert "(this deal)" not in html and "эта сделка" not in html  # no deal to mark on a contact tab
    assert section(html, "orders", "</table>").count("N-A") == 3


def test_a_customer_the_engine_has_not_computed_gets_figures_from_the_orders(pe):
    customer_id = _customer(pe)
    pe.drop_figures(customer_id)
    html = _page(pe.open("CRM_CONTACT_DETAIL_TAB", pe.contact_of(customer_id)))
    assert "Computed from the orders" in html
    figures = section(html, "figures", "</dl>")
    # three purchases, the last 10 days ago: promising active; fixed-threshold RFM 5-3-4
    for text in ("<dd>3</dd>", "1 653.00 EUR", "551.00 EUR", "Promising active", "5-3-4 · Potential loyalists",
                 "Lifetime value (paid)", "1 102.00 EUR", "2026-07-25", "2026-11-02", "<dd>10</dd>"):
        assert text in figures, text
    assert "In no segment." in html
    assert "No action suggested." in section(html, "next-action", "</div>")


def test_cancelled_orders_are_listed_but_not_counted_in_estimated_figures(pe):
    pe.sync_order("A4", T0 + timedelta(days=1), status="cancelled")
    customer_id = _customer(pe)
    pe.drop_figures(customer_id)
    html = _page(pe.open("CRM_DEAL_DETAIL_TAB", pe.order("A4").deal_id))
    assert "cancelled" in section(html, "orders", "</table>")
    assert "<dd>3</dd>" in section(html, "figures", "</dl>") and "2026-11-02" in html


def test_next_action_for_a_loyal_customer_slipping_away(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, ("LOYAL_LOST", "RFM_CANT_LOSE"), orders=9, revenue=5000.0, lifecycle="LOYAL_LOST",
                   r=1, f=5, m=5, rfm_group="cant_lose", last_order_at=T0 - timedelta(days=400), days_since=400)
    html = _page(pe.open("CRM_DEAL_DETAIL_TAB", pe.order("A1").deal_id))
    action = section(html, "next-action", "</div>")
    assert "Call them with a personal offer" in action and "Also" not in action
    assert ">Loyal lost<" in html and ">RFM: Can&#39;t lose them<" in html
    assert "<dd>410</dd>" in html  # days since the last order at the app's clock, not at computed_at


def test_a_deal_without_a_shop_order_has_no_shop_history_yet(pe):
    contact = pe.env.rest("crm.contact.add", {"fields": {"NAME": "Bob"}})
    deal = pe.env.rest("crm.deal.add", {"fields": {"TITLE": "Phone order", "CONTACT_ID": contact}})
    for entity in (deal, 987654, "not-a-number"):
        html = _page(pe.open("CRM_DEAL_DETAIL_TAB", entity))
        assert "No shop history yet" in html and 'id="orders"' not in html
    html = _page(pe.open("CRM_CONTACT_DETAIL_TAB", contact, lang="ru"))
    assert "Истории покупок пока нет" in html


def test_the_tabs_refuse_a_wrong_application_token(pe):
    for path in ("/placement/deal", "/placement/contact", "/"):
        res = pe.post_page(path, "forged")
        assert res.status_code == 401 and res.json()["error"] == "unauthorized"
        assert "Ann" not in res.text


def test_the_tab_makes_no_portal_call(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    before = len(pe.env.calls())
    _page(pe.open("CRM_DEAL_DETAIL_TAB", pe.order("A1").deal_id))
    # its data is local; the one call proves who opened it (the user's own token, once per token)
    assert [c["method"] for c in pe.env.calls()[before:]] == ["profile"]

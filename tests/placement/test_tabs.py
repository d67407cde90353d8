"""The deal and contact tabs' card (GET /cards/<kind>/<id>): the customer's figures, orders, segments and next best
action, from local data; raw values with names for the front end to format."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fixtures.shop_env import T0
from tests.placement.placement_env import placement_env

FIGURES = dict(orders=3, revenue=1653.0, paid_revenue=1102.0, first_order_at=T0 - timedelta(days=100),
               last_order_at=T0, days_since=10, lifecycle="PROMISING_ACTIVE", r=5, f=3, m=4,
               rfm_group="potential_loyalist", ltv=2480.5, birth_month=11, birth_day=20)
SEGMENTS = ("PROMISING_ACTIVE", "RFM_POTENTIAL_LOYALIST", "BIKE_NO_HELMET")


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


def _portal(portal_env):
    env = placement_env(portal_env)
    env.define_cross_sell()
    env.sync_order("A1", T0 - timedelta(days=100), status="paid")
    env.sync_order("A2", T0 - timedelta(days=40), status="delivered")
    env.sync_order("A3", T0, status="new")
    return env


@pytest.fixture
def pe(shared_portal):
    return shared_portal(_portal)


def _customer(pe) -> int:
    customer_id = pe.order("A1").customer_id
    assert customer_id is not None and pe.order("A3").customer_id == customer_id
    return customer_id


def test_deal_card_has_the_customers_figures_orders_segments_and_next_action(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    deal_id = pe.order("A2").deal_id
    ans = pe.card("deal", deal_id)
    assert ans["kind"] == "deal" and ans["entity_id"] == deal_id and ans["reason"] is None
    card = ans["customer"]
    assert card["name"] == "Ann Lee" and card["email"] == "ann@example.com" and card["phone"]
    f = card["figures"]
    assert f["orders"] == 3 and f["revenue"] == eur("1653.00") and f["average"] == eur("551.00")
    assert f["first_order"].startswith("2026-07-25") and f["last_order"].startswith("2026-11-02")
    assert f["days_since"] == 10 and f["lifecycle"] == {"code": "PROMISING_ACTIVE", "name": "Promising active"}
    assert f["rfm"] == "5-3-4" and f["rfm_group"]["name"] == "Potential loyalists"
    assert f["ltv"] == eur("2480.50") and f["ltv_kind"] == "predicted" and f["estimated"] is False
    orders = card["orders"]
    assert [o["number"] for o in orders] == ["N-A3", "N-A2", "N-A1"]  # newest first
    assert all(o["total"] == eur("551.00") and o["item_count"] == 3 for o in orders)  # a bike and two tyres each
    assert [o["status"]["name"] for o in orders] == ["new", "delivered", "paid"]
    assert [o["this_deal"] for o in orders] == [False, True, False]
    assert orders[1]["ordered_at"].startswith("2026-09-23")  # A2: T0 - 40 days
    names = [s["name"] for s in card["segments"]]
    assert "Promising active" in names and "RFM: Potential loyalists" in names and "Bike without a helmet" in names
    assert card["next_action"]["text"] == "Offer helmets to go with their purchase."
    assert "Birthday this month: send a greeting with a promo code." in [a["text"] for a in card["also"]]
    assert card["deal_products"] == [
        {"sku": "BIKE-1", "name": "City bike", "quantity": 1, "price": eur("500.00"), "sum": eur("500.00")},
        {"sku": "TYRE-2", "name": "Tyre", "quantity": 2, "price": eur("25.50"), "sum": eur("51.00")}]
    assert card["recommendations"] == [{"kind": {"code": "cross_sell", "name": "Goes with their purchase"},
                                        "products": ["helmets"], "segment": "Bike without a helmet"}]
    assert card["open_cart"] is None and card["messages"] == [] and card["promo_codes"] == []
    assert {t["code"] for t in ans["templates"]} >= {"payment_reminder", "we_miss_you"}


def test_contact_card_in_russian(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    card = pe.card("contact", pe.contact_of(customer_id), lang="ru")["customer"]
    assert card["figures"]["lifecycle"]["name"] == "Перспективные активные"
    assert card["figures"]["rfm_group"]["name"] == "Потенциально лояльные"
    assert {"Велосипед без шлема", "RFM: Потенциально лояльные"} <= {s["name"] for s in card["segments"]}
    assert card["next_action"]["text"] == "Предложите helmets к покупке."
    assert {"оплачен", "доставлен"} <= {o["status"]["name"] for o in card["orders"]}
    assert not any(o["this_deal"] for o in card["orders"]) and len(card["orders"]) == 3  # no deal on a contact tab
    assert card["deal_products"] == []


def test_a_customer_the_engine_has_not_computed_gets_figures_from_the_orders(pe):
    customer_id = _customer(pe)
    pe.drop_figures(customer_id)
    f = pe.card("contact", pe.contact_of(customer_id))["customer"]
    card, f = f, f["figures"]
    # three purchases, the last 10 days ago: promising active; fixed-threshold RFM 5-3-4
    assert f["estimated"] is True and f["orders"] == 3 and f["revenue"] == eur("1653.00")
    assert f["average"] == eur("551.00") and f["lifecycle"]["name"] == "Promising active"
    assert f["rfm"] == "5-3-4" and f["rfm_group"]["name"] == "Potential loyalists"
    assert f["ltv_kind"] == "paid" and f["ltv"] == eur("1102.00")
    assert f["first_order"].startswith("2026-07-25") and f["last_order"].startswith("2026-11-02")
    assert f["days_since"] == 10
    assert card["segments"] == [] and card["next_action"] is None


def test_cancelled_orders_are_listed_but_not_counted_in_estimated_figures(pe):
    pe.sync_order("A4", T0 + timedelta(days=1), status="cancelled")
    customer_id = _customer(pe)
    pe.drop_figures(customer_id)
    card = pe.card("deal", pe.order("A4").deal_id)["customer"]
    assert card["orders"][0]["status"] == {"code": "cancelled", "name": "cancelled"}
    assert card["figures"]["orders"] == 3 and card["figures"]["last_order"].startswith("2026-11-02")


def test_next_action_for_a_loyal_customer_slipping_away(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, ("LOYAL_LOST", "RFM_CANT_LOSE"), orders=9, revenue=5000.0, lifecycle="LOYAL_LOST",
                   r=1, f=5, m=5, rfm_group="cant_lose", last_order_at=T0 - timedelta(days=400), days_since=400)
    card = pe.card("deal", pe.order("A1").deal_id)["customer"]
    assert card["next_action"]["text"].startswith("Call them with a personal offer") and card["also"] == []
    assert card["next_action"]["suggests"] == {"action": "call", "template": None}
    assert {"Loyal lost", "RFM: Can't lose them"} <= {s["name"] for s in card["segments"]}
    assert card["figures"]["days_since"] == 410  # at the app's clock, not at computed_at


def test_an_order_awaiting_payment_for_days_suggests_a_payment_reminder(pe):
    pe.sync_order("A5", T0 + timedelta(days=6), status="pending_payment")  # 4 days before NOW
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    card = pe.card("deal", pe.order("A5").deal_id)["customer"]
    assert card["next_action"]["key"] == "remind_payment"
    assert card["next_action"]["text"] == "Order N-A5 has been awaiting payment for 4 days: remind them to pay."
    assert card["next_action"]["suggests"] == {"action": "message", "template": "payment_reminder"}
    ru = pe.card("deal", pe.order("A5").deal_id, lang="ru")["customer"]
    assert ru["next_action"]["text"] == "Заказ N-A5 ждёт оплаты 4 дня: напомните об оплате."


def test_a_record_without_a_shop_order_has_no_card_and_a_reason(pe):
    contact = pe.env.rest("crm.contact.add", {"fields": {"NAME": "Bob"}})
    deal = pe.env.rest("crm.deal.add", {"fields": {"TITLE": "Phone order", "CONTACT_ID": contact}})
    token = pe.tab_token()
    for entity in (deal, 987654):
        ans = pe.card("deal", entity, token=token)
        assert ans["customer"] is None and ans["reason"].startswith("This deal has no synced shop order")
    ru = pe.card("contact", contact, lang="ru", token=token)
    assert ru["customer"] is None and "истории покупок нет" in ru["reason"]
    for path in ("/cards/deal/not-a-number", "/cards/lead/1", "/cards/deal/-1"):
        assert pe.api("GET", path, token).status_code == 404, path
    assert pe.api("GET", f"/cards/deal/{deal}?lang=de", token).status_code == 422


def test_the_card_refuses_a_forged_or_missing_token(pe):
    customer_id = _customer(pe)
    for token in ("forged", pe.tab_token().replace(pe.member_id, "other-portal")):
        res = pe.api("GET", f"/cards/contact/{pe.contact_of(customer_id)}", token)
        assert res.status_code == 401 and res.json()["error"] == "unauthorized" and "Ann" not in res.text


def test_the_card_makes_no_portal_call(pe):
    customer_id = _customer(pe)
    pe.set_figures(customer_id, SEGMENTS, **FIGURES)
    token = pe.tab_token()
    before = len(pe.env.calls())
    pe.card("deal", pe.order("A1").deal_id, token=token)
    assert pe.env.calls()[before:] == []  # local data only; the token proves who asks

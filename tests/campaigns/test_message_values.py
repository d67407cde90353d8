"""What a campaign's message says: the product block recommended to each customer (read once per run) and, for a
customer who left a cart after their last purchase, that cart's items and total."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bitrix_app.messaging import templates
from bitrix_app.store.db import transaction
from bitrix_app.store.shop_models import Cart, OrderRecord
from tests.campaigns.campaigns_env import campaigns_env
from tests.fixtures.shop_env import T0

BIKE = {"sku": "BIKE-1", "name": "City bike", "price": "500.00", "quantity": 1}
HELMET = {"sku": "HELMET-3", "name": "Helmet", "price": "40.00", "quantity": 1}
LAMP = {"sku": "LAMP-4", "name": "Front lamp", "price": "20.00", "quantity": 2}


def _portal(portal_env):
    return campaigns_env(portal_env)


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


def _order(ce, customer_id: int, order_id: str, items: list, days_ago: int) -> None:
    at = T0 - timedelta(days=days_ago)
    with transaction(ce.factory()) as s:
        s.add(OrderRecord(shop_id=ce.shop.shop_id, member_id=ce.member_id, order_id=order_id, number=order_id,
                          status="paid", total="100.00", currency="EUR", customer_id=customer_id, items=items,
                          ordered_at=at, version=at))


def _wording(ce, text: str) -> None:
    """The portal's own wording of a campaign template."""
    with transaction(ce.factory()) as s:
        templates.save(s, ce.member_id, "we_miss_you", "en", T0, subject="For you, {first_name}", text=text)


def test_each_customer_gets_their_own_product_block(ce):
    _wording(ce, "Hello {first_name}, {discount} off with {promo_code}.\n\nPicked for you:\n{products}")
    ce.campaign(actions=[{"type": "promo_code", "discount_percent": 10, "prefix": "PICK"},
                         {"type": "message", "template": "we_miss_you", "channel": "email"}])
    ann, bob = ce.customer("Ann"), ce.customer("Bob")
    _order(ce, ann, "a1", [BIKE], 20)
    _order(ce, bob, "b1", [BIKE, HELMET], 30)
    _order(ce, bob, "b2", [LAMP], 25)
    ce.transition(ann), ce.transition(bob)
    ce.run()
    [mail] = [m["DESCRIPTION"].replace("\r", "") for m in ce.emails() if m["SUBJECT"] == "For you, Ann"]
    assert "Picked for you:\n- Helmet: 40.00 EUR\n- Front lamp: 20.00 EUR" in mail  # with her bike, then sold
    assert "City bike" not in mail.split("Picked for you:")[1]  # sent, not skipped for a missing {products}
    sent = {m.subject: (m.status, m.reason) for m in ce.messages() if m.template == "we_miss_you"}
    assert sent["For you, Ann"][0] == "sent"
    assert sent["For you, Bob"][0] == "skipped" and "products" in sent["For you, Bob"][1]  # owns them all


def test_a_cart_left_after_the_last_purchase_is_what_items_and_total_describe(ce):
    _wording(ce, "Your cart:\n{items}\nTotal: {total} {currency}")
    ce.campaign(actions=[{"type": "promo_code", "discount_percent": 10, "prefix": "PICK"},
                         {"type": "message", "template": "we_miss_you", "channel": "email"}])
    ann, bob = ce.customer("Ann"), ce.customer("Bob")
    _order(ce, ann, "a1", [BIKE], 20)
    _order(ce, bob, "b1", [BIKE], 2)
    with transaction(ce.factory()) as s:
        for cid, cart_id, days in ((ann, "c-ann", 5), (bob, "c-bob", 6)):  # Bob ordered after leaving his
            s.add(Cart(shop_id=ce.shop.shop_id, member_id=ce.member_id, cart_id=cart_id, state="abandoned",
                       customer_id=cid, data={"items": [HELMET], "total": "40.00", "currency": "EUR"},
                       version=T0 - timedelta(days=days), first_seen_at=T0 - timedelta(days=days)))
    ce.transition(ann), ce.transition(bob)
    ce.run()
    mails = {m["SUBJECT"]: m["DESCRIPTION"].replace("\r", "") for m in ce.emails()}
    assert "- Helmet × 1: 40.00 EUR\nTotal: 40.00 EUR" in mails["For you, Ann"]
    assert "- City bike × 1: 500.00 EUR" in mails["For you, Bob"]

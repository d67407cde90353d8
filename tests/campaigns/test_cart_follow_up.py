"""The cart recovery follow-up preset: it brings its abandoned-cart segment and its own template (ru, en); once
enabled, a customer whose cart waited long enough enters the segment at the next rebuild and gets the message with
the cart's items and a promo code; a cart left yesterday waits."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bitrix_app.campaigns import definitions, presets
from bitrix_app.messaging import templates
from bitrix_app.scope import portal_scope
from bitrix_app.segments import rebuild
from bitrix_app.store.db import transaction
from bitrix_app.store.segment_models import SegmentDefinition
from bitrix_app.store.shop_models import Cart
from tests.campaigns.campaigns_env import campaigns_env

TOKEN = "operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def ce(portal_env):
    return campaigns_env(portal_env, ADMIN_API_TOKEN=TOKEN)


def _rebuild(ce) -> None:
    with ce.env.app.app_context():
        rebuild(portal_scope(ce.member_id), ce.clock.now())


def _cart(ce, customer_id: int, days_ago: int) -> None:
    at = ce.clock.now() - timedelta(days=days_ago)
    with transaction(ce.factory()) as s:
        s.add(Cart(shop_id=ce.shop.shop_id, member_id=ce.member_id, cart_id=f"cart-{customer_id}", state="abandoned",
                   customer_id=customer_id, version=at, first_seen_at=at,
                   data={"items": [{"sku": "BIKE-1", "name": "City bike", "price": "500.00", "quantity": 1}],
                         "total": "500.00", "currency": "EUR"}))


def test_the_preset_resolves_its_segment_and_its_template_in_both_languages():
    data = presets.definition("CART_FOLLOW_UP")
    assert data["segment"] == "CART_ABANDONED" and data["trigger"] == "enter"
    assert [a["type"] for a in data["actions"]] == ["promo_code", "message"]
    assert presets.template_of("CART_FOLLOW_UP") == "cart_follow_up"
    for lang, words in (("en", "off with the code"), ("ru", "скидка")):
        tpl = templates.default("cart_follow_up", lang)
        assert tpl.marketing and "{promo_code}" in tpl.text and words in tpl.text and "{items}" in tpl.text


def test_enabling_it_brings_the_segment_and_a_left_cart_gets_the_follow_up(ce):
    web = ce.env.app.test_client()
    listed = web.get(f"/api/v1/portals/{ce.member_id}/campaigns/presets?lang=ru", headers=AUTH).json["presets"]
    shown = next(p for p in listed if p["code"] == "CART_FOLLOW_UP")
    assert shown["cell"] is None and shown["name"]["ru"] == "Возврат брошенной корзины" and not shown["choose"]
    res = web.patch(f"/api/v1/portals/{ce.member_id}/campaigns/presets/CART_FOLLOW_UP?lang=en",
                    json={"enabled": True}, headers=AUTH)
    assert res.status_code == 200, res.json
    assert res.json["segment_created"] is True and res.json["segment_exists"] and res.json["template"] == (
        "cart_follow_up")
    with transaction(ce.factory()) as s:
        row = s.scalar(select(SegmentDefinition).where(SegmentDefinition.code == "CART_ABANDONED"))
        assert (row.kind, row.params) == ("abandoned_cart", {"days": 3, "within_days": 30})
        definitions.update(s, ce.member_id, "CART_FOLLOW_UP", {"holdout_percent": 0}, ce.clock.now())
    ann, bob = ce.customer("Ann", segments=()), ce.customer("Bob", segments=())
    _rebuild(ce)  # the baseline
    _cart(ce, ann, 4)
    _cart(ce, bob, 1)  # left yesterday: the wait is not over
    _rebuild(ce)
    counts = ce.run("CART_FOLLOW_UP")
    assert counts["entered"] == 1
    [entry] = ce.entries()
    assert entry.customer_id == ann and entry.status == "done"
    [mail] = ce.emails()
    text = mail["DESCRIPTION"].replace("\r", "")
    code = {int(k): v for k, v in entry.results.items()}[0]["code"]
    assert mail["SUBJECT"].endswith(": 5% off") and "- City bike × 1: 500.00 EUR" in text
    assert "Total: 500.00 EUR" in text and f"5% off with the code {code}." in text and code.startswith("CART-")

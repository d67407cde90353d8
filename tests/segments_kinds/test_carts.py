"""Kind "abandoned_cart": customers with a cart left at least `days` and at most `within_days` ago, placed by the
engine's rebuild and an incremental refresh; its params checked; why (or why not) in Russian and English."""
from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError

from bitrix_app.segments.kinds import definitions
from bitrix_app.segments.kinds.carts import explain
from bitrix_app.segments.kinds.contract import SegmentDef
from bitrix_app.segments.engine.core import make_env
from bitrix_app.store.shop_models import Cart
from tests.segments.history import History

DEFN = SegmentDef("CART_ABANDONED", "abandoned_cart", {"en": "Left a cart", "ru": "Бросили корзину"},
                  {"days": 3, "within_days": 30})


def _cart(hist: History, customer_id: int | None, days_ago: float, state: str = "abandoned",
          member_id: str | None = None) -> None:
    at = hist.now - timedelta(days=days_ago)
    with hist.session() as s:
        s.add(Cart(shop_id="shop-1", member_id=member_id or hist.member_id, state=state,
                   cart_id=f"c{customer_id}-{days_ago}-{state}", customer_id=customer_id, version=at, first_seen_at=at,
                   data={"items": [{"sku": "BIKE-1", "name": "City bike", "price": "500.00", "quantity": 1}],
                         "total": "1500.00", "currency": "EUR"}))


def _define(hist: History, params: dict) -> None:
    with hist.session() as s:
        definitions.create(s, hist.member_id, {"code": DEFN.code, "kind": DEFN.kind, "name_en": DEFN.name["en"],
                                               "name_ru": DEFN.name["ru"], "params": params}, hist.now)


def test_a_rebuild_places_the_customers_whose_cart_waited_long_enough_and_not_too_long(app):
    hist = History(app)
    waited, fresh, stale, ordered, other_portal, buyer = (hist.customer() for _ in range(6))
    hist.order(buyer, 10)  # a buyer without a cart is in no cart segment
    _cart(hist, waited, 5)
    _cart(hist, fresh, 1)  # left yesterday: the 3-day wait is not over
    _cart(hist, stale, 45)  # older than the 30-day window
    _cart(hist, ordered, 5, state="ordered")  # came back and bought it
    _cart(hist, other_portal, 5, member_id="another-portal")
    _cart(hist, None, 5)  # an anonymous cart belongs to nobody
    _define(hist, {"days": 3, "within_days": 30})
    hist.rebuild()
    inside = {c for c in (waited, fresh, stale, ordered, other_portal, buyer) if DEFN.code in hist.segments(c)}
    assert inside == {waited}
    _cart(hist, fresh, 4)  # another cart of the fresh one's, left long enough ago: the refresh takes it in
    hist.refresh(fresh)
    assert DEFN.code in hist.segments(fresh)
    hist.rebuild(now=hist.now + timedelta(days=30))  # a month on, the waited cart is out of the window
    assert DEFN.code not in hist.segments(waited)


@pytest.mark.parametrize("params, field", [({"days": 0}, "days"), ({"days": 91}, "days"),
                                           ({"within_days": 3, "days": 3}, "within_days"),
                                           ({"days": "3"}, "days"), ({"when": 1}, "when")])
def test_bad_params_are_refused_by_field(app, params, field):
    hist = History(app)
    with pytest.raises(ValidationError) as err:
        _define(hist, params)
    assert field in str(err.value.messages)


def test_explain_says_when_the_cart_was_left_in_both_languages(app):
    hist = History(app)
    waited, fresh, none = hist.customer(), hist.customer(), hist.customer()
    _cart(hist, waited, 5)
    _cart(hist, fresh, 1)
    env = make_env(hist.member_id, hist.now, "sqlite", {})
    with hist.sessions() as s:
        words = lambda lang: type("W", (), {"lang": lang})()  # noqa: E731  (a reader's language)
        en = explain(DEFN, {"customer_id": waited}, env, s, words("en"))
        ru = explain(DEFN, {"customer_id": waited}, env, s, words("ru"))
        early = explain(DEFN, {"customer_id": fresh}, env, s)
        nothing = explain(DEFN, {"customer_id": none}, env, s, words("ru"))
    assert en == ["Left a cart of 1,500.00 EUR (1 item) on 28 October 2026, 5 days ago.",
                  "The segment waits 3 days after a cart is left and counts carts left in the last 30 days: so the "
                  "customer is in “Left a cart”."]
    assert ru[0] == "Бросил корзину на 1\u00a0500,00 EUR (1 поз.) 28 октября 2026, 5 дней назад."
    assert ru[1].endswith("поэтому клиент в сегменте «Бросили корзину».")
    assert "too recent yet" in early[1]
    assert nothing == ["У клиента нет брошенной корзины, поэтому его нет в сегменте «Бросили корзину» (сегмент ждёт "
                       "3 дня после того, как корзину бросили, и учитывает корзины за последние 30 дней)."]

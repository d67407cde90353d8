"""The three kinds as stored definitions through the engine: full rebuild, then an incremental update."""
from __future__ import annotations

from bitrix_app.segments.kinds import definitions
from tests.segments.history import History


def define(hist: History, code: str, kind: str, params: dict) -> None:
    with hist.session() as s:
        definitions.create(s, hist.member_id, {"code": code, "kind": kind, "name_en": code, "name_ru": code,
                                               "params": params}, hist.now)


BIKE = [{"sku": "BIKE-1", "category": "bikes", "price": "500.00", "quantity": 1}]


def test_rebuild_and_refresh_place_customers_in_the_new_kinds(app):
    hist = History(app)
    rider = hist.customer()
    hist.order(rider, 20, items=BIKE)
    coffee = hist.customer()
    for days in (70, 40, 10):
        hist.order(coffee, days, items=[{"sku": "BEANS", "category": "coffee", "price": "9.00"}])
    define(hist, "BIKE_NO_TYRES", "cross_sell", {"bought": {"categories": ["bikes"]},
                                                 "not_bought": {"categories": ["tyres"]}})
    define(hist, "COFFEE_DUE", "replenishment", {"categories": ["coffee"], "grace_days": 0})
    define(hist, "BIKERS_NOT_LOST", "custom", {"all": [
        {"field": "segment", "op": "in", "value": ["BIKE_NO_TYRES"]},
        {"not": {"field": "days_since_last_order", "op": ">", "value": 180}}]})
    hist.rebuild()
    assert hist.segments(rider) >= {"BIKE_NO_TYRES", "BIKERS_NOT_LOST"}
    assert not hist.segments(coffee) & {"BIKE_NO_TYRES", "COFFEE_DUE", "BIKERS_NOT_LOST"}
    hist.order(rider, 1, items=[{"sku": "TYRE-2", "category": "tyres", "price": "25.00"}])
    hist.refresh(rider)
    assert not hist.segments(rider) & {"BIKE_NO_TYRES", "BIKERS_NOT_LOST"}
    hist.rebuild(now=hist.now.replace(day=22))  # 30 days after the last coffee: the own median gap is 30 days
    assert "COFFEE_DUE" in hist.segments(coffee)

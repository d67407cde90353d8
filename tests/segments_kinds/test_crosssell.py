"""Kind "cross_sell": bought X in the window, no Y since (or in the quiet window), at the edges."""
from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError

from bitrix_app.segments.kinds import crosssell

from .conftest import NOW, defn

SECOND = timedelta(seconds=1)
BIKES_NOT_TYRES = {"bought": {"categories": ["bikes"]}, "not_bought": {"skus": ["TYRE-2"], "categories": ["tubes"]},
                   "within_days": 90}


def check(kit, params: dict, expected: set) -> None:
    """The predicate selects exactly `expected`; explain() ends with the same verdict for every customer."""
    segment = defn("cross_sell", params, "BIKE_NO_TYRES")
    for variant, (_, found) in kit.variants(segment).items():
        assert found == expected, variant
    for customer_id in kit.all_ids():
        verdict = kit.explain(segment, customer_id)[-1]
        assert verdict.endswith("is in “BIKE_NO_TYRES”.") == (customer_id in expected), (customer_id, verdict)


def buyer(kit, customer_id: int, *purchases) -> None:
    """A customer and their lines: (sku, category, days ago[, counted[, order_ref]])."""
    ages = [p[2] if isinstance(p[2], timedelta) else timedelta(days=p[2]) for p in purchases if len(p) < 4 or p[3]]
    kit.customer(customer_id, orders=len(ages), last_order_at=NOW - min(ages) if ages else None)
    for sku, category, ago, *rest in purchases:
        kit.line(customer_id, sku, category, ago=ago, counted=rest[0] if rest else True,
                 order_ref=rest[1] if len(rest) > 1 else None)


def test_the_purchase_window_is_inclusive(kit):
    buyer(kit, 1, ("BIKE-1", "bikes", 90))
    buyer(kit, 2, ("BIKE-1", "bikes", timedelta(days=90) + SECOND))
    buyer(kit, 3, ("BIKE-1", "bikes", 0))
    buyer(kit, 4, ("BIKE-1", "bikes", 10, False))  # cancelled
    buyer(kit, 5, ("HELMET", "gear", 10))
    check(kit, BIKES_NOT_TYRES, {1, 3})


def test_a_later_or_same_order_y_excludes_an_earlier_one_does_not(kit):
    buyer(kit, 1, ("BIKE-1", "bikes", 30), ("TYRE-2", "tyres", 20))  # tyres after the bike
    buyer(kit, 2, ("TYRE-2", "tyres", 40), ("BIKE-1", "bikes", 30))  # tyres before it
    buyer(kit, 3, ("BIKE-1", "bikes", 30, True, 900), ("TYRE-2", "tyres", 30, True, 900))  # same order
    buyer(kit, 4, ("BIKE-1", "bikes", 30), ("TUBE-9", "tubes", 5))  # a category of Y
    buyer(kit, 5, ("BIKE-1", "bikes", 30), ("TYRE-2", "tyres", 5, False))  # the tyres were cancelled
    buyer(kit, 6, ("BIKE-1", "bikes", 80), ("TYRE-2", "tyres", 50), ("BIKE-7", "bikes", 20))  # a second bike
    buyer(kit, 7, ("BIKE-1", "bikes", 30), ("TYRE-3", "tyres", 5))  # another tyre sku is not Y
    check(kit, BIKES_NOT_TYRES, {2, 5, 6, 7})


def test_not_since_days_looks_at_the_recent_window_only(kit):
    params = {**BIKES_NOT_TYRES, "not_since_days": 30}
    buyer(kit, 1, ("BIKE-1", "bikes", 60), ("TYRE-2", "tyres", timedelta(days=30) + SECOND))
    buyer(kit, 2, ("BIKE-1", "bikes", 60), ("TYRE-2", "tyres", 30))
    buyer(kit, 3, ("TYRE-2", "tyres", 20), ("BIKE-1", "bikes", 10))  # tyres before the bike, yet recent
    buyer(kit, 4, ("BIKE-1", "bikes", 95), ("HELMET", "gear", 1))  # the bike is outside the window
    check(kit, params, {1})


def test_other_portals_do_not_count(kit):
    buyer(kit, 1, ("BIKE-1", "bikes", 30))
    kit.line(1, "TYRE-2", "tyres", ago=5, member_id="other-portal")
    check(kit, BIKES_NOT_TYRES, {1})


def test_explain_names_the_purchase_and_the_missing_item(kit):
    buyer(kit, 1, ("BIKE-1", "bikes", 31), ("BIKE-7", "bikes", 30))
    buyer(kit, 2, ("BIKE-1", "bikes", 30), ("TUBE-9", "tubes", 5))
    buyer(kit, 3, ("HELMET", "gear", 5))
    segment = defn("cross_sell", BIKES_NOT_TYRES, "BIKE_NO_TYRES")
    assert kit.explain(segment, 1) == [
        "Bought “BIKE-7” (category “bikes”) on 3 October 2026, within the last 90 days (since 4 August 2026).",
        "No purchase of “TYRE-2” or the category “tubes” since that purchase, so the customer is in “BIKE_NO_TYRES”."]
    assert kit.explain(segment, 2)[1] == ("Bought “TUBE-9” (category “tubes”) on 28 October 2026 (“TYRE-2” or the "
                                          "category “tubes”) since that purchase, so the customer is not in "
                                          "“BIKE_NO_TYRES”.")
    assert kit.explain(segment, 3) == ["No purchase of the category “bikes” in the last 90 days (since 4 August 2026), "
                                       "so the customer is not in “BIKE_NO_TYRES”."]


@pytest.mark.parametrize("params, errors", [
    ({"not_bought": {"skus": ["T"]}}, {"bought": ["Missing data for required field."]}),
    ({"bought": {}, "not_bought": {"skus": ["T"]}}, {"bought": {"_schema": ["Give at least one sku or category."]}}),
    ({"bought": {"skus": ["B"]}, "not_bought": {"skus": ["T"]}, "within_days": 0},
     {"within_days": ["Must be greater than or equal to 1 and less than or equal to 36600."]}),
    ({"bought": {"skus": "B"}, "not_bought": {"skus": ["T"]}}, {"bought": {"skus": ["Not a valid list."]}}),
])
def test_params_are_validated(params, errors):
    with pytest.raises(ValidationError) as caught:
        crosssell.ParamsSchema().load(params)
    assert caught.value.messages == errors


def test_defaults():
    assert crosssell.ParamsSchema().load({"bought": {"skus": ["B"]}, "not_bought": {"categories": ["t"]}}) == {
        "bought": {"skus": ["B"], "categories": []}, "not_bought": {"skus": [], "categories": ["t"]},
        "within_days": 90, "not_since_days": None}

"""Kind "replenishment": own median, product median, default interval; edges of medians and due dates."""
from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError

from bitrix_app.segments.kinds import replenish
from bitrix_app.segments.kinds.prepared import for_incremental

from .conftest import defn

SECOND = timedelta(seconds=1)
COFFEE = {"categories": ["coffee"], "skus": ["FILTER-1"]}


def prepared(kit, segment):
    """The definition as prepare() leaves it for incremental updates."""
    with kit.engine.connect() as conn:
        return for_incremental(replenish.prepare(segment, kit.env(), conn))


def check(kit, params: dict, expected: set) -> None:
    """Correlated medians and prepared ones select `expected`; explain() agrees for every customer."""
    segment = defn("replenishment", params, "REFILL")
    for name, (variant, found) in kit.variants(segment).items():
        assert found == expected, name
        for customer_id in kit.all_ids():
            verdict = kit.explain(variant, customer_id)[-1]
            assert verdict.endswith("is in “REFILL”.") == (customer_id in expected), (customer_id, verdict)


def buys(kit, customer_id: int, sku: str, *ago, category: str | None = "coffee", counted: bool = True) -> None:
    """A customer (created once) buying `sku` at each age (days or timedelta)."""
    if customer_id not in kit.all_ids():
        kit.customer(customer_id, orders=len(ago))
    for when in ago:
        kit.line(customer_id, sku, category, ago=when, counted=counted)


def test_own_median_odd_even_and_ties(kit):
    buys(kit, 1, "BEANS", 130, 110, 80, 30)  # gaps 20, 30, 50: median 30, due exactly now
    buys(kit, 2, "BEANS", 130, 110, 80, timedelta(days=30) - SECOND)  # a second short
    buys(kit, 3, "BEANS", 91, 71, 30)  # gaps 20, 41: median 30.5 days
    buys(kit, 4, "BEANS", 92, 72, 31)  # same gaps, a day later: due
    buys(kit, 5, "BEANS", 150, 140, 110, 80, 30)  # gaps 10, 30, 30, 50: median 30
    buys(kit, 6, "BEANS", 89, 59, 29)  # gaps 30, 30, last 29 days ago
    buys(kit, 7, "BEANS", 60, timedelta(days=59, hours=12), 30)  # the same-day repeat is no interval: 29.5
    check(kit, {"categories": ["coffee"], "min_history": 1000}, {1, 4, 5, 7})


def test_product_median_needs_min_history_else_default_interval(kit):
    buys(kit, 1, "FILTER-1", 40, 20, category=None)  # own gap 20: due
    buys(kit, 2, "FILTER-1", 40, 10, category=None)  # own gap 30: not yet
    buys(kit, 3, "FILTER-1", 45, 5, category=None)  # own gap 40: not yet; the product median is 30
    buys(kit, 4, "FILTER-1", 30, category=None)  # once: due by the product median
    buys(kit, 5, "FILTER-1", 29, category=None)  # once: not yet
    buys(kit, 6, "FILTER-1", 1, 1, 5, 50, category=None, counted=False)  # cancelled: never bought
    buys(kit, 8, "FILTER-1", 31, category=None)
    kit.line(9, "FILTER-1", None, ago=60, member_id="other-portal")
    kit.line(9, "FILTER-1", None, ago=59, member_id="other-portal")
    check(kit, {**COFFEE, "min_history": 3}, {1, 4, 8})
    check(kit, {**COFFEE, "min_history": 4}, {1})
    check(kit, {**COFFEE, "min_history": 4, "default_interval_days": 29}, {1, 4, 5, 8})
    check(kit, {**COFFEE, "min_history": 3, "grace_days": 1}, {8})


def test_even_product_median_and_any_due_sku_counts(kit):
    buys(kit, 1, "BEANS", 100, 80)  # gap 20
    buys(kit, 2, "BEANS", 100, 59)  # gap 41 -> product median 30.5 over two gaps
    buys(kit, 3, "BEANS", timedelta(days=30, hours=12))  # once: exactly due
    buys(kit, 4, "BEANS", timedelta(days=30, hours=12) - SECOND)
    buys(kit, 4, "MILK", 100, 99, 98, 97, category="dairy")  # not a matching item
    buys(kit, 5, "BEANS", 10)
    buys(kit, 5, "TEA", 60, 30, category="coffee")  # own gap 30: due
    check(kit, {"categories": ["coffee"], "min_history": 2}, {1, 2, 3, 5})


def test_explain_gives_the_interval_and_its_source(kit):
    buys(kit, 1, "BEANS", 90, 60, 30)
    buys(kit, 2, "BEANS", 10)
    buys(kit, 2, "TEA", 5)
    buys(kit, 3, "MILK", 5, category="dairy")
    segment = defn("replenishment", {"categories": ["coffee"], "min_history": 2}, "REFILL")
    assert kit.explain(segment, 1) == [
        "“BEANS”: last bought 3 October 2026; usual interval 30 days (the customer's own median over 2 repurchases): "
        "due on 2 November 2026, due now.", "So the customer is in “REFILL”."]
    assert kit.explain(segment, 2) == [
        "“BEANS”: last bought 23 October 2026; usual interval 30 days (the product's median over 2 repurchases by "
        "all customers): due on 22 November 2026, not due yet.",
        "“TEA”: last bought 28 October 2026; no repurchases of the customer's own, fewer than 2 by all customers and "
        "no default interval: not judged.", "So the customer is not in “REFILL”."]
    assert kit.explain(segment, 3) == ["The customer never bought a matching item, so is not in “REFILL”."]
    assert kit.explain(prepared(kit, segment), 2) == kit.explain(segment, 2)


def test_prepare_keeps_the_trusted_medians_in_the_params(kit):
    buys(kit, 1, "BEANS", 90, 60, 30)
    buys(kit, 2, "TEA", 40, 30)
    segment = prepared(kit, defn("replenishment", {"categories": ["coffee"], "min_history": 2}))
    assert segment.params == {"categories": ["coffee"], "min_history": 2,
                              "_prepared": {"product_medians": {"BEANS": [30 * 86400.0, 2]}}}
    assert replenish.load(segment) == ({"categories": ["coffee"], "skus": [], "grace_days": 0, "min_history": 2,
                                        "default_interval_days": None}, segment.params["_prepared"])


@pytest.mark.parametrize("params, errors", [
    ({}, {"_schema": ["Give at least one sku or category."]}),
    ({"skus": ["A"], "grace_days": -1}, {"grace_days": ["Must be greater than or equal to 0 and less than or equal "
                                                        "to 36600."]}),
    ({"skus": ["A"], "min_history": 0}, {"min_history": ["Must be greater than or equal to 1 and less than or "
                                                         "equal to 1000000."]}),
    ({"skus": ["A"], "default_interval_days": "30"}, {"default_interval_days": ["Not a valid integer."]}),
])
def test_params_are_validated(params, errors):
    with pytest.raises(ValidationError) as caught:
        replenish.ParamsSchema().load(params)
    assert caught.value.messages == errors

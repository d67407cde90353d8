"""Lifecycle cells and lapsed segments at their threshold edges, and thresholds from the portal's settings."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

CELLS = {"NEW_ACTIVE", "NEW_SLEEPING", "NEW_LOST", "PROMISING_ACTIVE", "PROMISING_SLEEPING", "PROMISING_LOST",
         "LOYAL_ACTIVE", "LOYAL_SLEEPING", "LOYAL_LOST"}


@pytest.mark.parametrize("purchases,days,cell", [
    (1, 0, "NEW_ACTIVE"), (1, 60, "NEW_ACTIVE"), (1, 61, "NEW_SLEEPING"), (1, 180, "NEW_SLEEPING"),
    (1, 181, "NEW_LOST"), (2, 60, "PROMISING_ACTIVE"), (3, 61, "PROMISING_SLEEPING"), (3, 181, "PROMISING_LOST"),
    (4, 0, "LOYAL_ACTIVE"), (4, 180, "LOYAL_SLEEPING"), (5, 181, "LOYAL_LOST"),
])
def test_lifecycle_cell_at_the_edges(hist, purchases, days, cell):
    cid = hist.buyer(purchases, days)
    hist.rebuild()
    row = hist.row(cid)
    assert (row["orders"], row["days_since"], row["lifecycle"]) == (purchases, days, cell)
    assert hist.segments(cid) & CELLS == {cell}


def test_cancelled_and_refunded_orders_are_not_purchases(hist):
    cid = hist.buyer(1, 10, total="100.00")
    hist.order(cid, 5, total="900.00", status="cancelled")
    hist.order(cid, 3, total="50.00", status="refunded")
    hist.order(cid, 2, total="20.00", status="pending_payment")
    never = hist.customer()
    hist.order(never, 1, status="cancelled")
    hist.rebuild()
    row = hist.row(cid)
    assert (row["orders"], row["revenue"], row["paid_revenue"], row["days_since"]) == (2, 120.0, 100.0, 2)
    assert row["lifecycle"] == "PROMISING_ACTIVE"
    empty = hist.row(never)
    assert (empty["orders"], empty["lifecycle"], empty["r"], empty["days_since"], empty["segments"]) == (
        0, None, None, None, "|")


@pytest.mark.parametrize("days,lapsed", [
    (89, set()), (90, {"LAPSED_90"}), (179, {"LAPSED_90"}), (180, {"LAPSED_90", "LAPSED_180"}),
    (359, {"LAPSED_90", "LAPSED_180"}), (360, {"LAPSED_90", "LAPSED_180", "LAPSED_360"}),
])
def test_lapsed_means_no_purchase_for_n_days_or_more(hist, days, lapsed):
    cid = hist.buyer(2, days)
    hist.rebuild()
    assert {c for c in hist.segments(cid) if c.startswith("LAPSED_")} == lapsed


def test_thresholds_come_from_the_portal_settings(hist):
    cid = hist.buyer(3, 45)
    hist.rebuild()
    assert hist.row(cid)["lifecycle"] == "PROMISING_ACTIVE"
    merged = hist.settings({"lifecycle": {"active_days": 30, "loyal_from": 3}, "lapsed_days": [40]})
    assert merged["lifecycle"] == {"promising_from": 2, "loyal_from": 3, "active_days": 30, "sleeping_days": 180}
    hist.rebuild()
    assert hist.row(cid)["lifecycle"] == "LOYAL_SLEEPING"
    assert {"LOYAL_SLEEPING", "LAPSED_40"} <= hist.segments(cid)
    assert not any(code == "LAPSED_90" for code in hist.segments(cid))


@pytest.mark.parametrize("changes,field", [
    ({"lifecycle": {"sleeping_days": 50}}, "lifecycle"),  # not above active_days (60)
    ({"lifecycle": {"loyal_from": 2}}, "lifecycle"),  # not above promising_from (2)
    ({"lapsed_days": [180, 90]}, "lapsed_days"),
    ({"birthday_days": 0}, "birthday_days"),
    ({"age_bands": []}, "age_bands"),
    ({"active_target_share": 1.5}, "active_target_share"),
])
def test_bad_settings_are_refused_with_the_field(hist, changes, field):
    with pytest.raises(ValidationError) as caught:
        hist.settings(changes)
    assert field in caught.value.messages

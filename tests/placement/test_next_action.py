"""The next-best-action rules (pure): each rule, their order, the products named, Russian."""
from __future__ import annotations

import pytest

from bitrix_app.placement.next_action import Offer, Signals, actions, next_action
from bitrix_app.placement.offers import offers_of
from bitrix_app.segments import SegmentDef


def _key(**signals) -> str | None:
    found = next_action(Signals(**signals))
    return found.key if found else None


@pytest.mark.parametrize("signals, key", [
    ({"lifecycle": "LOYAL_LOST"}, "call_personal"),
    ({"lifecycle": "LOYAL_ACTIVE", "rfm_group": "at_risk"}, "call_personal"),
    ({"lifecycle": "PROMISING_LOST", "rfm_group": "cant_lose"}, "call_personal"),
    ({"lifecycle": "PROMISING_SLEEPING"}, "win_back"),
    ({"lifecycle": "PROMISING_ACTIVE", "offers": (Offer("replenishment", ("Dog food",)),)}, "replenish"),
    ({"lifecycle": "LOYAL_ACTIVE", "offers": (Offer("cross_sell", ("helmets",)),)}, "cross_sell"),
    ({"lifecycle": "NEW_SLEEPING", "birthday_this_month": True}, "birthday"),
    ({"lifecycle": "NEW_ACTIVE"}, "welcome"),
    ({"lifecycle": "PROMISING_ACTIVE", "rfm_group": "loyal"}, None),
    ({"lifecycle": "NEW_LOST", "rfm_group": "lost"}, "win_back_lost"),
    ({"lifecycle": "PROMISING_LOST"}, "win_back_lost"),
    ({"lifecycle": "NEW_SLEEPING"}, "wake_up"),
    ({"lifecycle": "LOYAL_SLEEPING"}, "wake_up"),
    ({"lifecycle": "NEW_ACTIVE", "awaiting_order": "1001", "awaiting_days": 3}, "remind_payment"),
    ({"lifecycle": "NEW_ACTIVE", "awaiting_order": "1001", "awaiting_days": 1}, "welcome"),
    ({"lifecycle": "LOYAL_ACTIVE"}, None),
    ({}, None),
])
def test_each_rule(signals, key):
    assert _key(**signals) == key


def test_rules_in_priority_order():
    every = Signals(lifecycle="LOYAL_LOST", rfm_group="at_risk", birthday_this_month=True,
                    offers=(Offer("cross_sell", ("helmets",)), Offer("replenishment", ("Chain oil",))))
    assert [a.key for a in actions(every)] == ["call_personal", "replenish", "cross_sell", "birthday"]
    assert [a.key for a in actions(Signals(lifecycle="PROMISING_SLEEPING", birthday_this_month=True))] == [
        "win_back", "birthday"]
    assert [a.key for a in actions(Signals(lifecycle="NEW_ACTIVE", birthday_this_month=True,
                                           offers=(Offer("cross_sell", ()),)))] == ["cross_sell", "birthday",
                                                                                     "welcome"]


def test_the_new_rules_come_after_the_old_ones_and_payment_first():
    assert [a.key for a in actions(Signals(lifecycle="NEW_SLEEPING", birthday_this_month=True))] == [
        "birthday", "wake_up"]
    assert [a.key for a in actions(Signals(lifecycle="PROMISING_LOST", rfm_group="at_risk"))] == ["call_personal"]
    assert [a.key for a in actions(Signals(lifecycle="PROMISING_SLEEPING"))] == ["win_back"]
    due = actions(Signals(lifecycle="LOYAL_LOST", awaiting_order="N-7", awaiting_days=21))
    assert [a.key for a in due] == ["remind_payment", "call_personal"]
    assert due[0].en == "Order N-7 has been awaiting payment for 21 days: remind them to pay."
    assert due[0].ru == "Заказ N-7 ждёт оплаты 21 день: напомните об оплате."


def test_offers_name_up_to_three_products_once_each():
    offers = (Offer("cross_sell", ("helmets", "locks")), Offer("cross_sell", ("locks", "lights", "bells")))
    found = next_action(Signals(offers=offers))
    assert found.en == "Offer helmets, locks, lights … to go with their purchase."
    assert found.text("ru") == "Предложите helmets, locks, lights … к покупке."
    plain = next_action(Signals(offers=(Offer("replenishment", ()),)))
    assert plain.en == "Time to restock: offer the products they buy regularly."


def test_russian_and_english_texts():
    found = next_action(Signals(lifecycle="LOYAL_LOST"))
    assert found.text("ru").startswith("Позвоните с персональным предложением")
    assert found.text("en").startswith("Call them with a personal offer")
    assert found.text("de") == found.en and found.text(None) == found.en


def test_offers_from_segment_definitions():
    replenish = SegmentDef("FOOD_DUE", "replenishment", {"en": "Food due", "ru": "Пора корм"},
                           {"skus": ["FOOD-1", "FOOD-2"], "categories": ["food"], "_prepared": {"x": 1}})
    cross = SegmentDef("BIKE_NO_HELMET", "cross_sell", {"en": "b", "ru": "b"},
                       {"bought": {"categories": ["bikes"]}, "not_bought": {"skus": ["HELM-1"],
                                                                            "categories": ["helmets"]}})
    other = SegmentDef("NEW_ACTIVE", "lifecycle", {"en": "n", "ru": "n"}, {"cells": ["NEW_ACTIVE"]})
    bought = {"FOOD-2": "Dog food 10 kg", "BIKE-1": "City bike"}
    assert offers_of([replenish, cross, other], bought) == (
        Offer("replenishment", ("Dog food 10 kg",)), Offer("cross_sell", ("HELM-1", "helmets")))
    # bought none of the listed skus (matched by category): the segment's categories and skus
    assert offers_of([replenish], {}) == (Offer("replenishment", ("food", "FOOD-1", "FOOD-2")),)

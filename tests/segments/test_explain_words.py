"""'Why is this customer here?' in the reader's words: every kind's reasons in Russian and English with segment,
field, operator, choice and product names instead of codes, money with its currency, dates and day counts in
words; the API's ?lang= and the CLI's --lang."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from bitrix_app.segments.explain import explain_in
from bitrix_app.segments.kinds import definitions
from tests.fixtures.segment_portal import AUTH, installed_history

BIKE = {"sku": "BIKE-1", "category": "bikes", "price": "80.00", "quantity": 1, "name": "City bike"}
BEANS = {"sku": "BEANS-1", "category": "coffee", "price": "12.50", "quantity": 1, "name": "Arabica beans"}
RULE = {"all": [{"field": "average_order", "op": ">=", "value": 50},
                {"field": "categories_bought", "op": "includes", "value": ["bikes", "tyres"]},
                {"not": {"field": "segment", "op": "in", "value": ["LAPSED_90"]}},
                {"field": "lifecycle", "op": "in", "value": ["PROMISING_SLEEPING", "LOYAL_ACTIVE"]},
                {"field": "days_since_last_order", "op": "between", "value": [30, 120]}]}
STORED = (
    ("BIG_BIKERS", "custom", "Big bikers", "Крупные велосипедисты", RULE),
    ("BIKE_NO_COFFEE", "cross_sell", "Bike, no coffee", "Велосипед без кофе",
     {"bought": {"skus": ["BIKE-1"]}, "not_bought": {"categories": ["coffee"]}, "within_days": 200}),
    ("COFFEE_REFILL", "replenishment", "Coffee refill", "Пополнить кофе",
     {"skus": ["BEANS-1"], "min_history": 1, "default_interval_days": 30}),
)
CODES = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b(?:average_order|categories_bought|days_since_last_order)\b"
                   r"|>=|\bT\d\d:")


def _bikers(portal_env):
    """A customer who bought a bike three times, the last 95 days ago, and coffee beans once, with a birthday."""
    hist = installed_history(portal_env)
    cid = hist.customer(birthday="1990-11-06", gender="female")
    for days in (97, 96, 95):
        hist.order(cid, days, "80.00", items=[BIKE])
    hist.order(cid, 100, "12.50", items=[BEANS])
    for n in range(4):
        hist.buyer(1 + n, 10 * n, total="20.00")
    with hist.session() as s:
        for code, kind, en, ru, params in STORED:
            definitions.create(s, hist.member_id, {"code": code, "kind": kind, "name_en": en, "name_ru": ru,
                                                   "params": params}, hist.now)
    hist.rebuild()
    return hist, cid


@pytest.fixture
def built(shared_portal):
    return shared_portal(_bikers)


@pytest.fixture
def portal(built):
    return replace(built[0])


@pytest.fixture
def bikers(built):
    return built[1]


def _explain(hist, cid, lang):
    with hist.session() as s:
        answer = explain_in(s, hist.member_id, cid, hist.now, True, lang)
    return {m["code"]: m for m in answer["memberships"] + answer["not_in"]}, answer


def _flat(found: dict) -> str:
    return "\n".join(line for m in found.values() for line in [m["title"] or ""] + m["reasons"])


def test_reasons_in_english_name_segments_fields_and_products_with_money_in_its_currency(portal, bikers):
    found, answer = _explain(portal, bikers, "en")
    assert answer["lang"] == "en" and answer["currency"] == "EUR"
    assert found["LOYAL_SLEEPING"]["title"] == "Loyal sleeping" and found["LOYAL_SLEEPING"]["reasons"] == [
        "4 purchases: loyal (new: 1, promising: 2 to 3, loyal: 4 or more).",
        "Last purchase 95 days ago: sleeping (active: up to 60 days, sleeping: up to 180 days, lost: longer).",
        "Cell “Loyal sleeping”: the segment takes “Loyal sleeping”, so the customer is in it."]
    assert found["LAPSED_90"]["reasons"] == [
        "Last purchase 95 days ago (30 July 2026): at least 90 days without a purchase."]
    assert found["BIRTHDAY_NEXT_7"]["reasons"] == ["Birthday 6 November, in 4 days: within today and the next 7 days."]
    assert "Monetary 5 of 5: revenue €252.50; the cut points are €20.00 / €40.00 / €60.00 / €80.00." in found[
        "RFM_CANT_LOSE"]["reasons"]
    assert found["BIG_BIKERS"]["reasons"] == [
        "The customer does not match the rule of “Big bikers”.",
        "  All of the following: does not hold.",
        "    Average order: at least €50.00: the customer's value is €63.12, so it holds.",
        "    Bought a category: includes “bikes” or “tyres”: the customer's value is “bikes”, so it holds.",
        "    Not the following: does not hold.",
        "      Segment: is one of “No purchase for 90+ days”: the customer's value is “No purchase for 90+ days”, "
        "so it holds.",
        "    Lifecycle cell: is one of “Loyal active” or “Promising sleeping”: the customer's value is "
        "“Loyal sleeping”, so it does not hold.",
        "    Days since the last purchase: between 30 days and 120 days: the customer's value is 95 days, so it holds."]
    assert found["BIKE_NO_COFFEE"]["reasons"] == [
        "Bought “City bike” (category “bikes”) on 30 July 2026, within the last 200 days (since 16 April 2026).",
        "No purchase of the category “coffee” since that purchase, so the customer is in “Bike, no coffee”."]
    assert found["COFFEE_REFILL"]["reasons"] == [
        "“Arabica beans”: last bought 25 July 2026; usual interval 30 days (the default interval): due on "
        "24 August 2026, due now.", "So the customer is in “Coffee refill”."]
    assert not CODES.findall(_flat(found))


def test_reasons_in_russian(portal, bikers):
    found, answer = _explain(portal, bikers, "ru")
    assert found["LOYAL_SLEEPING"]["title"] == "Лояльные спящие" and found["LOYAL_SLEEPING"]["reasons"] == [
        "4 покупки: лояльный (новый: 1, перспективный: от 2 до 3, лояльный: 4 и больше).",
        "Последняя покупка 95 дней назад: спящий (активный: до 60 дней, спящий: до 180 дней, потерянный: дольше).",
        "Ячейка «Лояльные спящие»: сегмент берёт «Лояльные спящие», поэтому клиент в нём."]
    assert found["BIRTHDAY_NEXT_7"]["reasons"] == [
        "День рождения 6 ноября, через 4 дня: в пределах сегодняшнего дня и следующих 7 дней."]
    assert found["GENDER_FEMALE"]["reasons"] == ["Пол: женский (сегмент берёт: женский)."]
    assert found["AGE_35_44"]["reasons"] == ["Возраст: 35 лет (сегмент берёт: 35–44)."]
    euros = " / ".join(f"{n},00\u00a0€" for n in (20, 40, 60, 80))
    assert f"Сумма 5 из 5: выручка 252,50\u00a0€; границы — {euros}." in found["RFM_CANT_LOSE"]["reasons"]
    assert found["BIG_BIKERS"]["reasons"][:4] == [
        "Клиент не подходит под правило сегмента «Крупные велосипедисты».",
        "  Все условия ниже: не выполнено.",
        "    Средний чек: не меньше 50,00\u00a0€: у клиента 63,12\u00a0€, условие выполнено.",
        "    Покупал категорию: включает «bikes» или «tyres»: у клиента «bikes», условие выполнено."]
    assert found["BIKE_NO_COFFEE"]["reasons"][1] == (
        "Не покупал категорию «coffee» после этой покупки, поэтому клиент в сегменте «Велосипед без кофе».")
    assert found["COFFEE_REFILL"]["reasons"][-1] == "Поэтому клиент в сегменте «Пополнить кофе»."
    text = _flat(found)
    assert not CODES.findall(text) and not re.search(r"\b(?:the|days|purchase)\b", text)


def test_the_api_answers_in_the_page_language_and_the_cli_takes_one(portal, bikers):
    web = portal.app.test_client()
    url = f"/api/v1/portals/{portal.member_id}/segments/customers/{bikers}/explain"
    ru = {m["code"]: m for m in web.get(f"{url}?lang=ru", headers=AUTH).json["memberships"]}
    assert ru["LAPSED_90"]["title"] == "Без покупок 90+ дней" and ru["LAPSED_90"]["kind_name"] == "Без покупок N дней"
    assert ru["LAPSED_90"]["reasons"] == [
        "Последняя покупка 95 дней назад (30 июля 2026): без покупок не меньше 90 дней."]
    en = {m["code"]: m for m in web.get(url, headers=AUTH).json["memberships"]}  # English unless asked
    assert en["LAPSED_90"]["reasons"][0].startswith("Last purchase 95 days ago")
    assert web.get(f"{url}?lang=de", headers=AUTH).status_code == 422
    res = portal.app.test_cli_runner().invoke(args=["segments", "explain", "--member-id", portal.member_id,
                                                    "--customer-id", str(bikers), "--lang", "ru"])
    assert res.exit_code == 0
    cli = {m["code"]: m for m in json.loads(res.stdout)["memberships"]}
    assert cli["LAPSED_90"]["reasons"] == ru["LAPSED_90"]["reasons"]

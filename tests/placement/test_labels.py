"""Number and date formats and the language switch of the placement pages."""
from __future__ import annotations

from datetime import datetime, timezone

from bitrix_app.placement import labels
from bitrix_app.placement.customer import crm_id


def test_money_percent_and_dates():
    assert labels.money(1653, "EUR") == "1 653.00 EUR" and labels.money(None) == "0.00"
    assert labels.percent(0.3) == "30 %" and labels.percent(0.2857) == "28.6 %" and labels.percent(None) == "—"
    assert labels.percent(0.0357, signed=True) == "+3.6 %" and labels.percent(-0.05, signed=True) == "-5 %"
    assert labels.day(datetime(2026, 11, 2, 23, 0, tzinfo=timezone.utc)) == "2026-11-02" and labels.day(None) == "—"


def test_russian_only_for_ru():
    assert labels.translator("ru")("orders") == "Заказы"
    assert labels.translator("RU")("orders") == "Заказы"
    assert labels.translator("de")("orders") == "Orders" and labels.translator(None)("orders") == "Orders"
    assert labels.translator("en")("newest_first", n=20) == "newest first, up to 20"
    assert labels.named(labels.CELL_NAMES, "LOYAL_LOST", "ru") == "Лояльные потерянные"
    assert labels.named(labels.CELL_NAMES, None, "en") == "—"
    assert labels.rfm_group_name("cant_lose", "en") == "Can't lose them"


def test_crm_ids_from_placement_options():
    assert crm_id("8061") == 8061 and crm_id(" 12 ") == 12
    for bad in ("", None, "0", "-1", "1e3", "12a", "99999999999", "2147483648"):
        assert crm_id(bad) is None, bad

"""The names the placement API gives codes, and the language switch."""
from __future__ import annotations

from bitrix_app.placement import labels
from bitrix_app.placement.customer import crm_id


def test_russian_only_for_ru():
    assert labels.named(labels.BANDS, "LOYAL", "RU") == "Лояльные" and labels.named(labels.BANDS, "LOYAL", "de") == "Loyal"
    assert labels.named(labels.CELL_NAMES, "LOYAL_LOST", "ru") == "Лояльные потерянные"
    assert labels.named(labels.CELL_NAMES, None, "en") == "—"
    assert labels.rfm_group_name("cant_lose", "en") == "Can't lose them"


def test_crm_ids_from_placement_options():
    assert crm_id("8061") == 8061 and crm_id(" 12 ") == 12
    for bad in ("", None, "0", "-1", "1e3", "12a", "99999999999", "2147483648"):
        assert crm_id(bad) is None, bad

"""The names the placement API gives codes (order statuses, lifecycle cells, bands, recency, segment states, RFM
groups): Russian when the portal's LANG is ru, else English. Numbers, money and dates are formatted by the front end."""
from __future__ import annotations

from types import MappingProxyType

from bitrix_app.portals import LIFECYCLE_CELLS
from bitrix_app.segments import GROUP_NAMES

# key -> (English, Russian)
STATUS = MappingProxyType({
    "new": ("new", "новый"), "pending_payment": ("awaiting payment", "ожидает оплаты"), "paid": ("paid", "оплачен"),
    "shipped": ("shipped", "отправлен"), "ready_for_pickup": ("ready for pickup", "готов к выдаче"),
    "delivered": ("delivered", "доставлен"), "completed": ("completed", "выполнен"),
    "cancelled": ("cancelled", "отменён"), "refunded": ("refunded", "возвращён"),
})
DEFINITION_STATE = MappingProxyType({"active": ("calculated", "рассчитывается"), "off": ("off", "выключен"),
                                     "failed": ("failed", "ошибка")})
CELL_NAMES = MappingProxyType({code: (en, ru) for code, en, ru in LIFECYCLE_CELLS})
BANDS = MappingProxyType({"NEW": ("New", "Новые"), "PROMISING": ("Promising", "Перспективные"),
                          "LOYAL": ("Loyal", "Лояльные")})
RECENCY = MappingProxyType({"ACTIVE": ("Active", "Активные"), "SLEEPING": ("Sleeping", "Спящие"),
                            "LOST": ("Lost", "Потерянные")})


def is_ru(lang: str | None) -> bool:
    return (lang or "").lower() == "ru"


def pick(pair: tuple[str, str], lang: str | None) -> str:
    return pair[1] if is_ru(lang) else pair[0]


def named(table, code: str | None, lang: str | None) -> str:
    """The name of a code from one of the tables above (the code itself when unknown)."""
    if code is None:
        return "—"
    pair = table.get(code)
    return pick(pair, lang) if pair else code


def rfm_group_name(group: str | None, lang: str | None) -> str:
    return named(GROUP_NAMES, group, lang)



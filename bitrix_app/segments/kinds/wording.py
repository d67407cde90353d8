"""How an explanation words its facts for a reader: the language (ru/en), the customer's currency, and the names of
segments, products, fields, operators and choices, so no sentence shows a raw code.

The kinds' explain() functions take a Wording; names.wording() builds one with every name filled in
(a Wording without names falls back to the codes, which only a caller that built it so would see).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Mapping

LANGS = ("ru", "en")
SYMBOLS = MappingProxyType({"RUB": "₽", "RUR": "₽", "USD": "$", "EUR": "€", "GBP": "£", "KZT": "₸", "UAH": "₴",
                            "BYN": "Br", "CNY": "¥"})
MONTHS_OF = (("January", "января"), ("February", "февраля"), ("March", "марта"), ("April", "апреля"),
             ("May", "мая"), ("June", "июня"), ("July", "июля"), ("August", "августа"), ("September", "сентября"),
             ("October", "октября"), ("November", "ноября"), ("December", "декабря"))
# (English singular, English plural, Russian one, few, many)
UNITS = MappingProxyType({
    "day": ("day", "days", "день", "дня", "дней"),
    "purchase": ("purchase", "purchases", "покупка", "покупки", "покупок"),
    "repurchase": ("repurchase", "repurchases", "повторная покупка", "повторные покупки", "повторных покупок"),
    "year": ("year", "years", "год", "года", "лет"),
})


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _grouped(value: float, decimals: int, lang: str) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "ru" else text


@dataclass(frozen=True)
class Wording:
    lang: str = "en"
    currency: str | None = None
    segments: Mapping[str, str] = field(default_factory=dict)  # code -> name in lang
    products: Mapping[str, str] = field(default_factory=dict)  # sku -> product name
    fields: Mapping[str, str] = field(default_factory=dict)  # rule field -> name in lang
    ops: Mapping[str, str] = field(default_factory=dict)  # rule operator -> words in lang
    choices: Mapping[tuple[str, Any], str] = field(default_factory=dict)  # (field, value) -> name in lang
    money_fields: frozenset = frozenset()

    @property
    def ru(self) -> bool:
        return self.lang == "ru"

    def say(self, en: str, ru: str, **values) -> str:
        return (ru if self.ru else en).format(**values)

    def number(self, value, decimals: int = 0) -> str:
        value = float(value or 0)
        if decimals and value.is_integer():
            decimals = 0
        return _grouped(value, decimals, self.lang)

    def money(self, value) -> str:
        amount = _grouped(float(value or 0), 2, self.lang)
        code = (self.currency or "").upper()
        if not code:
            return amount
        symbol = SYMBOLS.get(code)
        if self.ru:
            return f"{amount}\u00a0{symbol or code}"
        return f"{symbol}{amount}" if symbol and symbol != "₽" else f"{amount}\u00a0{code}"

    def count(self, n, unit: str) -> str:
        forms = UNITS[unit]
        if self.ru:
            return f"{self.number(n)} {plural_ru(n, *forms[2:])}"
        return f"{self.number(n)} {forms[0] if n == 1 else forms[1]}"

    def date(self, moment: date | datetime | None) -> str:
        if moment is None:
            return self.say("unknown", "неизвестно")
        day = moment.date() if isinstance(moment, datetime) else moment
        pair = MONTHS_OF[day.month - 1]
        return f"{day.day} {pair[1]} {day.year}" if self.ru else f"{day.day} {pair[0]} {day.year}"

    def listing(self, names: list[str], last: tuple[str, str] = ("or", "или")) -> str:
        names = [n for n in names if n]
        if len(names) < 2:
            return names[0] if names else ""
        joint = last[1] if self.ru else last[0]
        return f"{', '.join(names[:-1])} {joint} {names[-1]}"

    def segment(self, code: str) -> str:
        return self.segments.get(code, code)

    def product(self, sku: str) -> str:
        return self.products.get(sku, sku)

    def field_name(self, name: str) -> str:
        return self.fields.get(name, name)

    def op_name(self, op: str) -> str:
        return self.ops.get(op, op)

    def choice_name(self, name: str, value) -> str:
        return self.choices.get((name, value), str(value))


def default_wording(lang: str = "en") -> Wording:
    """Every name filled in, for a caller that gave no Wording (the names only; no currency, no portal's names)."""
    from .names import wording

    return wording(lang)

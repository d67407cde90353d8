"""The human names (English, Russian) of a custom rule's fields, operators and choices, and the Wording that
words an explanation with them (wording.py); segments/rule_words.py offers the same names to the rule builder."""
from __future__ import annotations

from types import MappingProxyType

from bitrix_app.portals import LIFECYCLE_CELLS

from .builtin import GROUP_NAMES
from .rules_schema import FIELDS
from .wording import Wording

# (English, Russian)
FIELD_NAMES = MappingProxyType({
    "orders": ("Purchases", "Покупок"), "revenue": ("Revenue", "Выручка"),
    "average_order": ("Average order", "Средний чек"), "ltv": ("Lifetime value", "Пожизненная ценность"),
    "days_since_last_order": ("Days since the last purchase", "Дней с последней покупки"),
    "days_to_birthday": ("Days to the birthday", "Дней до дня рождения"), "age": ("Age", "Возраст"),
    "categories_bought": ("Bought a category", "Покупал категорию"),
    "skus_bought": ("Bought a product", "Покупал товар"),
    "channel": ("First purchase channel", "Канал первой покупки"),
    "birthday_month": ("Birthday month", "Месяц рождения"),
    "gender": ("Gender", "Пол"), "lifecycle": ("Lifecycle cell", "Ячейка жизненного цикла"),
    "rfm_group": ("RFM group", "RFM-группа"), "segment": ("Segment", "Сегмент"),
})
OP_NAMES = MappingProxyType({
    "=": ("equals", "равно"), "!=": ("not equal to", "не равно"), "<": ("less than", "меньше"),
    "<=": ("at most", "не больше"), ">": ("more than", "больше"), ">=": ("at least", "не меньше"),
    "between": ("between", "от и до"), "eq": ("is", "равно"), "ne": ("is not", "не равно"),
    "in": ("is one of", "одно из"), "not_in": ("is none of", "ни одно из"), "includes": ("includes", "включает"),
    "excludes": ("does not include", "не включает"),
})
MONTHS = (("January", "Январь"), ("February", "Февраль"), ("March", "Март"), ("April", "Апрель"), ("May", "Май"),
          ("June", "Июнь"), ("July", "Июль"), ("August", "Август"), ("September", "Сентябрь"),
          ("October", "Октябрь"), ("November", "Ноябрь"), ("December", "Декабрь"))
GENDERS = MappingProxyType({"male": ("Male", "Мужской"), "female": ("Female", "Женский")})
MONEY_FIELDS = frozenset({"revenue", "average_order", "ltv"})


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ru" else pair[0]


def choices(name: str, lang: str) -> list[dict]:
    if name == "lifecycle":
        return [{"value": code, "name": ru if lang == "ru" else en} for code, en, ru in LIFECYCLE_CELLS]
    if name == "rfm_group":
        return [{"value": g, "name": pick(GROUP_NAMES[g], lang)} for g in FIELDS[name].choices]
    if name == "gender":
        return [{"value": g, "name": pick(GENDERS[g], lang)} for g in FIELDS[name].choices]
    if name == "birthday_month":
        return [{"value": n, "name": pick(MONTHS[n - 1], lang)} for n in range(1, 13)]
    return []


def wording(lang: str, currency: str | None = None, segments: dict | None = None,
            products: dict | None = None) -> Wording:
    """The names an explanation uses in `lang`: fields, operators, choices (lifecycle cells, RFM groups, genders,
    months), plus the portal's segment names and product names when given."""
    named = {(name, c["value"]): c["name"] for name in FIELDS for c in choices(name, lang)}
    return Wording(lang=lang, currency=currency, segments=dict(segments or {}), products=dict(products or {}),
                   fields={name: pick(pair, lang) for name, pair in FIELD_NAMES.items()},
                   ops={op: pick(pair, lang) for op, pair in OP_NAMES.items()}, choices=named,
                   money_fields=MONEY_FIELDS)

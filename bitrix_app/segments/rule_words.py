"""What a rule builder may offer, read from the rule schema (kinds/rules_schema.FIELDS) and the kinds' contract,
with the human names of every field, operator, choice and kind in Russian and English."""
from __future__ import annotations

from types import MappingProxyType

from bitrix_app.portals import LIFECYCLE_CELLS

from .kinds.builtin import GROUP_NAMES
from .kinds.contract import KINDS
from .kinds.rules_schema import BOUNDS, FIELDS, MAX_CONDITIONS, MAX_DEPTH, MAX_LIST

# (English, Russian)
KIND_NAMES = MappingProxyType({
    "lifecycle": ("Lifecycle cell", "Ячейка жизненного цикла"), "rfm": ("RFM group", "RFM-группа"),
    "lapsed": ("No purchase for N days", "Без покупок N дней"), "birthday": ("Birthday", "День рождения"),
    "demographic": ("Gender and age", "Пол и возраст"), "cross_sell": ("Cross-sell", "Кросс-продажа"),
    "replenishment": ("Replenishment", "Пополнение запаса"), "custom": ("Custom rule", "Своё правило"),
    "abandoned_cart": ("Abandoned cart", "Брошенная корзина"),
})
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
GROUPS = MappingProxyType({"all": ("All of", "Все условия"), "any": ("Any of", "Любое из условий"),
                           "not": ("None of", "Ни одно из условий")})
MONTHS = (("January", "Январь"), ("February", "Февраль"), ("March", "Март"), ("April", "Апрель"), ("May", "Май"),
          ("June", "Июнь"), ("July", "Июль"), ("August", "Август"), ("September", "Сентябрь"),
          ("October", "Октябрь"), ("November", "Ноябрь"), ("December", "Декабрь"))
GENDERS = MappingProxyType({"male": ("Male", "Мужской"), "female": ("Female", "Женский")})
MONEY_FIELDS = frozenset({"revenue", "average_order", "ltv"})


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ru" else pair[0]


def kind_name(kind: str, lang: str) -> str:
    return pick(KIND_NAMES.get(kind, (kind, kind)), lang)


def _choices(name: str, lang: str) -> list[dict]:
    if name == "lifecycle":
        return [{"value": code, "name": ru if lang == "ru" else en} for code, en, ru in LIFECYCLE_CELLS]
    if name == "rfm_group":
        return [{"value": g, "name": pick(GROUP_NAMES[g], lang)} for g in FIELDS[name].choices]
    if name == "gender":
        return [{"value": g, "name": pick(GENDERS[g], lang)} for g in FIELDS[name].choices]
    if name == "birthday_month":
        return [{"value": n, "name": pick(MONTHS[n - 1], lang)} for n in range(1, 13)]
    return []


def _field(name: str, lang: str) -> dict:
    spec = FIELDS[name]
    out = {"field": name, "name": pick(FIELD_NAMES[name], lang), "kind": spec.kind,
           "ops": [{"op": op, "name": pick(OP_NAMES[op], lang)} for op in spec.ops],
           "choices": _choices(name, lang), "money": name in MONEY_FIELDS, "within_days": spec.kind == "items"}
    if name in BOUNDS:
        out["min"], out["max"] = BOUNDS[name]
    return out


def rule_schema(lang: str) -> dict:
    """The fields with their operators and choices, the groups, the kinds and the rule's limits."""
    return {"fields": [_field(name, lang) for name in FIELDS],
            "groups": [{"group": key, "name": pick(pair, lang)} for key, pair in GROUPS.items()],
            "kinds": [{"kind": kind, "name": kind_name(kind, lang)} for kind in KINDS],
            "limits": {"depth": MAX_DEPTH, "conditions": MAX_CONDITIONS, "values": MAX_LIST}}


def portal_rule_schema(session, member_id: str, lang: str) -> dict:
    """rule_schema with the segments a rule may test (every definition but the custom rules) as the segment
    field's choices."""
    from .kinds.definitions import listing

    out = rule_schema(lang)
    testable = [{"value": v["code"], "name": v["name_ru"] if lang == "ru" else v["name_en"]}
                for v in listing(session, member_id) if v["kind"] != "custom"]
    for field in out["fields"]:
        if field["field"] == "segment":
            field["choices"] = testable
    return out

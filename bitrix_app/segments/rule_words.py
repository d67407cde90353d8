"""What a rule builder may offer, read from the rule schema (kinds/rules_schema.FIELDS) and the kinds' contract,
with the human names of every field, operator, choice and kind in Russian and English; the same names word an
explanation (wording())."""
from __future__ import annotations

from types import MappingProxyType

from .kinds.contract import KINDS
from .kinds.rules_schema import BOUNDS, FIELDS, MAX_CONDITIONS, MAX_DEPTH, MAX_LIST
from .kinds.names import FIELD_NAMES, MONEY_FIELDS, OP_NAMES, choices, pick, wording

__all__ = ["KIND_NAMES", "GROUPS", "kind_name", "rule_schema", "portal_rule_schema", "wording"]

# (English, Russian)
KIND_NAMES = MappingProxyType({
    "lifecycle": ("Lifecycle cell", "Ячейка жизненного цикла"), "rfm": ("RFM group", "RFM-группа"),
    "lapsed": ("No purchase for N days", "Без покупок N дней"), "birthday": ("Birthday", "День рождения"),
    "demographic": ("Gender and age", "Пол и возраст"), "cross_sell": ("Cross-sell", "Кросс-продажа"),
    "replenishment": ("Replenishment", "Пополнение запаса"), "custom": ("Custom rule", "Своё правило"),
    "abandoned_cart": ("Abandoned cart", "Брошенная корзина"),
})
GROUPS = MappingProxyType({"all": ("All of", "Все условия"), "any": ("Any of", "Любое из условий"),
                           "not": ("None of", "Ни одно из условий")})


def kind_name(kind: str, lang: str) -> str:
    return pick(KIND_NAMES.get(kind, (kind, kind)), lang)


def _field(name: str, lang: str) -> dict:
    spec = FIELDS[name]
    out = {"field": name, "name": pick(FIELD_NAMES[name], lang), "kind": spec.kind,
           "ops": [{"op": op, "name": pick(OP_NAMES[op], lang)} for op in spec.ops],
           "choices": choices(name, lang), "money": name in MONEY_FIELDS, "within_days": spec.kind == "items"}
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


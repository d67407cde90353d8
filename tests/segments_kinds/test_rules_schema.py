"""The custom rule schema: normalised values, and errors that name the bad node and what is allowed."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from bitrix_app.segments.kinds.rules_schema import MAX_CONDITIONS, ParamsSchema, referenced_segments, rule_errors


def cond(field: str, op: str, value, **extra) -> dict:
    return {"field": field, "op": op, "value": value, **extra}


def test_loading_normalises_values():
    rule = {"all": [cond("segment", "in", "lapsed_90"), {"not": cond("lifecycle", "eq", "loyal_lost")},
                    cond("rfm_group", "in", ["RFM_CHAMPIONS", "at_risk", "champions"]),
                    cond("channel", "eq", " Google "), cond("categories_bought", "includes", "bikes", within_days=30)]}
    assert ParamsSchema().load(rule) == {"all": [
        cond("segment", "in", ["LAPSED_90"]), {"not": cond("lifecycle", "eq", "LOYAL_LOST")},
        cond("rfm_group", "in", ["at_risk", "champions"]), cond("channel", "eq", "google"),
        cond("categories_bought", "includes", ["bikes"], within_days=30)]}
    assert referenced_segments(ParamsSchema().load(rule)) == {"LAPSED_90"}


@pytest.mark.parametrize("rule, errors", [
    ({"all": [cond("orders", ">", 1), cond("spend", ">", 1)]},
     {"all.1.field": ["Unknown field 'spend'; allowed: orders, revenue, average_order, ltv, days_since_last_order, "
                      "days_to_birthday, age, categories_bought, skus_bought, channel, birthday_month, gender, "
                      "lifecycle, rfm_group, segment."]}),
    ({"any": [{"not": cond("orders", "like", 1)}]},
     {"any.0.not.op": ["Operator 'like' is not allowed for orders; allowed: =, !=, <, <=, >, >=, between."]}),
    (cond("gender", "in", ["male"]), {"op": ["Operator 'in' is not allowed for gender; allowed: eq, ne."]}),
    (cond("orders", ">=", "3"), {"value": ["Operator '>=' needs a number."]}),
    (cond("orders", ">=", True), {"value": ["Operator '>=' needs a number."]}),
    (cond("revenue", "between", [5]), {"value": ["Operator 'between' needs [low, high]: two numbers."]}),
    (cond("revenue", "between", [5, 1]), {"value": ["Operator 'between' needs low <= high."]}),
    (cond("birthday_month", "in", [1, 13]), {"value": ["birthday_month values are month numbers 1-12."]}),
    (cond("gender", "eq", "other"), {"value": ["'other' is not a gender; allowed: male, female."]}),
    (cond("channel", "eq", ["a"]), {"value": ["Operator 'eq' needs one value, not a list (use in / not_in)."]}),
    (cond("segment", "in", []), {"value": ["Operator 'in' needs 1 to 100 values."]}),
    (cond("segment", "in", ["50%"]), {"value": ["'50%' is not a segment code (letters, digits, _)."]}),
    (cond("lifecycle", "eq", "LOYAL"), {"value": ["'LOYAL' is not a lifecycle; allowed: NEW_ACTIVE, NEW_SLEEPING, "
                                                  "NEW_LOST, PROMISING_ACTIVE, PROMISING_SLEEPING, PROMISING_LOST, "
                                                  "LOYAL_ACTIVE, LOYAL_SLEEPING, LOYAL_LOST."]}),
    (cond("orders", ">", 1, within_days=5),
     {"within_days": ["within_days is only allowed for categories_bought and skus_bought."]}),
    (cond("skus_bought", "includes", "A", within_days=0), {"within_days": ["Must be greater than or equal to 1 and "
                                                                           "less than or equal to 36600."]}),
    (cond("orders", ">", None), {"value": ["Field may not be null."]}),
    ({"field": "orders", "op": ">"}, {"_schema": ['A node is {"all": [...]}, {"any": [...]}, {"not": {...}} or a '
                                                  'condition {"field": ..., "op": ..., "value": ...}.']}),
    ({"all": [cond("orders", ">", 1)], "any": [cond("orders", ">", 1)]},
     {"_schema": ['A node is {"all": [...]}, {"any": [...]}, {"not": {...}} or a '
                  'condition {"field": ..., "op": ..., "value": ...}.']}),
    ({"all": []}, {"all": ["Shorter than minimum length 1."]}),
    ({"all": ["orders > 1"]}, {"all.0": ["Invalid input type."]}),
    ({"not": cond("orders", ">", 1), "size": 3}, {"size": ["Unknown field."]}),
    ([cond("orders", ">", 1)], {"_schema": ["Invalid input type."]}),
])
def test_errors_name_the_node_and_the_allowed_choices(rule, errors):
    assert rule_errors(rule) == errors


def test_a_custom_segment_cannot_reference_another_custom():
    rule = {"all": [cond("segment", "in", ["LAPSED_90"]), {"any": [cond("orders", ">", 1),
                                                                   cond("segment", "not_in", ["vip", "NEW_ACTIVE"])]}]}
    assert rule_errors(rule) == {}
    assert rule_errors(rule, custom_codes=["VIP", "BIG_BIKERS"]) == {"all.1.any.1.value": [
        "VIP: custom segments cannot be referenced (they are evaluated together in stage 2); "
        "reference built-in, cross-sell or replenishment segments."]}
    with pytest.raises(ValidationError):
        ParamsSchema(custom_codes={"VIP"}).load(rule)


def test_depth_and_size_limits():
    deep = cond("orders", ">", 1)
    for _ in range(7):
        deep = {"not": deep}
    assert rule_errors(deep) == {}  # 8 levels
    assert rule_errors({"all": [deep]}) == {"_schema": ["The rule is nested too deeply: at most 8 levels."]}
    hopeless = cond("orders", ">", 1)
    for _ in range(5000):  # refused before marshmallow recurses into it
        hopeless = {"not": hopeless}
    assert rule_errors(hopeless) == {"_schema": ["The rule is nested too deeply: at most 8 levels."]}
    assert rule_errors({"any": [cond("orders", ">", n) for n in range(MAX_CONDITIONS)]}) == {}
    assert rule_errors({"any": [cond("orders", ">", n) for n in range(MAX_CONDITIONS + 1)]}) == {
        "_schema": ["The rule is too large: at most 100 conditions and 300 nodes."]}

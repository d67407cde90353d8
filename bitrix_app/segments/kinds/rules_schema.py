"""The custom segment rule language: its fields, operators and the marshmallow schema that validates a rule.

A node is {"all": [nodes]}, {"any": [nodes]}, {"not": node} or a condition {"field": F, "op": OP, "value": V}
(skus_bought and categories_bought also take "within_days"). Loading returns the rule with values normalised
(lists for in/not_in/includes/excludes, upper-case segment codes, lower-case enumerations).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from bitrix_app.portals import LIFECYCLE_CELLS

MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_NODES = 300
MAX_LIST = 100
NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "between")
CHOICE_OPS = ("eq", "ne", "in", "not_in")
RFM_GROUPS = ("champions", "loyal", "potential_loyalist", "new", "promising", "need_attention", "about_to_sleep",
              "at_risk", "cant_lose", "hibernating", "lost")
SEGMENT_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
SHAPE = ('A node is {"all": [...]}, {"any": [...]}, {"not": {...}} '
         'or a condition {"field": ..., "op": ..., "value": ...}.')


@dataclass(frozen=True)
class FieldSpec:
    ops: tuple
    kind: str  # number | text | month | choice | items | code
    choices: tuple = ()


FIELDS = {
    "orders": FieldSpec(NUMERIC_OPS, "number"),
    "revenue": FieldSpec(NUMERIC_OPS, "number"),
    "average_order": FieldSpec(NUMERIC_OPS, "number"),
    "ltv": FieldSpec(NUMERIC_OPS, "number"),
    "days_since_last_order": FieldSpec(NUMERIC_OPS, "number"),
    "days_to_birthday": FieldSpec(NUMERIC_OPS, "number"),
    "age": FieldSpec(NUMERIC_OPS, "number"),
    "categories_bought": FieldSpec(("includes", "excludes"), "items"),
    "skus_bought": FieldSpec(("includes", "excludes"), "items"),
    "channel": FieldSpec(CHOICE_OPS, "text"),
    "birthday_month": FieldSpec(CHOICE_OPS, "month"),
    "gender": FieldSpec(("eq", "ne"), "choice", ("male", "female")),
    "lifecycle": FieldSpec(CHOICE_OPS, "choice", tuple(code for code, _, _ in LIFECYCLE_CELLS)),
    "rfm_group": FieldSpec(CHOICE_OPS, "choice", RFM_GROUPS),
    "segment": FieldSpec(("in", "not_in"), "code"),
}


MONEY = 1e12
# the values a numeric field may be compared with: what a shop can need, and what SQL integers (32-bit on
# PostgreSQL) and dates (days before now) can take
BOUNDS = MappingProxyType({
    "orders": (0, 1_000_000_000),
    "revenue": (-MONEY, MONEY),
    "average_order": (-MONEY, MONEY),
    "ltv": (-MONEY, MONEY),
    "days_since_last_order": (0, 36600),
    "days_to_birthday": (0, 366),
    "age": (0, 150),
})


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(bound) -> str:
    return f"{bound:,.0f}".replace(",", " ")


def _in_range(name: str, value) -> None:
    low, high = BOUNDS[name]
    if not low <= value <= high:  # NaN compares false, infinities and huge integers are out of range
        raise ValidationError(f"{name} is compared with numbers from {_shown(low)} to {_shown(high)}.")


def _numeric(name: str, op: str, value):
    """A finite number within the field's bounds, or [low, high] of them for between."""
    if op != "between":
        if not _is_number(value):
            raise ValidationError(f"Operator {op!r} needs a number.")
        _in_range(name, value)
        return value
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        raise ValidationError("Operator 'between' needs [low, high]: two numbers.")
    for bound in value:
        _in_range(name, bound)
    if value[0] > value[1]:
        raise ValidationError("Operator 'between' needs low <= high.")
    return list(value)


def _scalar(spec: FieldSpec, name: str, item):
    """One value of a text, month, choice or code field, normalised."""
    if spec.kind == "month":
        if not (isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 12):
            raise ValidationError(f"{name} values are month numbers 1-12.")
        return item
    if not isinstance(item, str) or not item.strip() or len(item) > 255:
        raise ValidationError(f"{name} values are non-empty strings.")
    item = item.strip()
    if spec.kind == "code":
        if not SEGMENT_CODE.match(item.upper()):
            raise ValidationError(f"{item!r} is not a segment code (letters, digits, _).")
        return item.upper()
    if spec.kind == "choice":
        key = item.lower() if name != "lifecycle" else item.upper()
        key = key[4:] if name == "rfm_group" and key.startswith("rfm_") else key
        if key not in spec.choices:
            raise ValidationError(f"{item!r} is not a {name}; allowed: {', '.join(spec.choices)}.")
        return key
    return item if spec.kind == "items" else item.lower()


def _value(name: str, op: str, value):
    """The condition's value, checked against its field and operator, normalised."""
    spec = FIELDS[name]
    if spec.kind == "number":
        return _numeric(name, op, value)
    if op in ("eq", "ne"):
        if isinstance(value, list):
            raise ValidationError(f"Operator {op!r} needs one value, not a list (use in / not_in).")
        return _scalar(spec, name, value)
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_LIST:
        raise ValidationError(f"Operator {op!r} needs 1 to {MAX_LIST} values.")
    return sorted({_scalar(spec, name, item) for item in items}, key=str)


class NodeSchema(Schema):
    """One node of a rule: a group (all / any / not) or a condition."""

    all = fields.List(fields.Nested(lambda: NodeSchema()), validate=validate.Length(min=1))
    any = fields.List(fields.Nested(lambda: NodeSchema()), validate=validate.Length(min=1))
    not_ = fields.Nested(lambda: NodeSchema(), data_key="not")
    field = fields.String()
    op = fields.String()
    value = fields.Raw()
    within_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=36600))

    @validates_schema
    def _shape(self, data, **_):
        keys = set(data)
        if len(keys & {"all", "any", "not_"}) == 1 and not keys & {"field", "op", "value", "within_days"}:
            return
        if keys & {"all", "any", "not_"} or not {"field", "op", "value"} <= keys:
            raise ValidationError(SHAPE)
        self._condition(data)

    @staticmethod
    def _condition(data) -> None:
        name, op = data["field"], data["op"]
        if name not in FIELDS:
            raise ValidationError(f"Unknown field {name!r}; allowed: {', '.join(FIELDS)}.", "field")
        if op not in FIELDS[name].ops:
            raise ValidationError(f"Operator {op!r} is not allowed for {name}; allowed: "
                                  f"{', '.join(FIELDS[name].ops)}.", "op")
        if "within_days" in data and FIELDS[name].kind != "items":
            raise ValidationError("within_days is only allowed for categories_bought and skus_bought.",
                                  "within_days")
        try:
            _value(name, op, data["value"])
        except ValidationError as err:
            raise ValidationError(err.messages, "value") from err

    @post_load
    def _plain(self, data, **_):
        """Rename not_ and normalise a condition's value."""
        if "not_" in data:
            data["not"] = data.pop("not_")
        if "field" in data:
            data["value"] = _value(data["field"], data["op"], data["value"])
        return data


def _measure(node, depth: int, tally: dict) -> None:
    """Count nodes and conditions and the deepest level, stopping just past the limits."""
    if not isinstance(node, dict) or depth > MAX_DEPTH or tally["nodes"] > MAX_NODES:
        tally["depth"] = max(tally["depth"], depth if isinstance(node, dict) else 0)
        return
    tally["depth"] = max(tally["depth"], depth)
    tally["nodes"] += 1
    tally["conditions"] += "field" in node
    children = [node["not"]] if "not" in node else []
    for key in ("all", "any"):
        children += node[key] if isinstance(node.get(key), list) else []
    for child in children:
        _measure(child, depth + 1, tally)


def referenced_segments(rule: dict) -> set[str]:
    """Segment codes a (loaded) rule tests membership of."""
    codes = set(rule["value"]) if rule.get("field") == "segment" else set()
    for child in rule.get("all", []) + rule.get("any", []) + ([rule["not"]] if "not" in rule else []):
        codes |= referenced_segments(child)
    return codes


def _custom_references(rule: dict, custom_codes: frozenset, path: tuple = ()) -> dict:
    """Nested error messages for every segment condition naming a custom segment."""
    if rule.get("field") == "segment":
        bad = sorted(set(rule["value"]) & custom_codes)
        if not bad:
            return {}
        message = (f"{', '.join(bad)}: custom segments cannot be referenced (they are evaluated together in "
                   f"stage 2); reference built-in, cross-sell or replenishment segments.")
        errors: dict = {"value": [message]}
        for key in reversed(path):
            errors = {key: errors}
        return errors
    found: dict = {}
    children = [("not",)] if "not" in rule else []
    children += [(key, i) for key in ("all", "any") for i in range(len(rule.get(key, [])))]
    for step in children:
        child = rule["not"] if step == ("not",) else rule[step[0]][step[1]]
        _merge(found, _custom_references(child, custom_codes, path + step))
    return found


def _merge(into: dict, more: dict) -> None:
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


class ParamsSchema(NodeSchema):
    """A whole rule (the params of a custom definition); pass custom_codes to refuse references to customs."""

    def __init__(self, *args, custom_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_codes = frozenset(code.upper() for code in custom_codes)

    @pre_load
    def _limits(self, data, **_):
        tally = {"depth": 0, "nodes": 0, "conditions": 0}
        _measure(data, 1, tally)
        if tally["depth"] > MAX_DEPTH:
            raise ValidationError(f"The rule is nested too deeply: at most {MAX_DEPTH} levels.")
        if tally["conditions"] > MAX_CONDITIONS or tally["nodes"] > MAX_NODES:
            raise ValidationError(f"The rule is too large: at most {MAX_CONDITIONS} conditions "
                                  f"and {MAX_NODES} nodes.")
        return data

    @post_load
    def _references(self, data, **_):
        data = self._plain(data)
        errors = _custom_references(data, self.custom_codes) if self.custom_codes else {}
        if errors:
            raise ValidationError(errors)
        return data


def rule_errors(params, custom_codes=()) -> dict[str, list[str]]:
    """Validation errors of a rule as {"all.0.op": [message]} ({} when it is valid)."""
    from bitrix_app.orders.schemas import flatten_errors

    try:
        ParamsSchema(custom_codes=custom_codes).load(params)
    except ValidationError as err:
        return flatten_errors(err.messages)
    return {}

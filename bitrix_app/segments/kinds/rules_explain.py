"""Why a customer matches a custom rule (kind "custom", rules.py) or not: every condition with the customer's own
value and whether it holds, in the reader's words (field, operator, choice, segment and product names; money in
the customer's currency; days counted), the nested groups indented under their heading."""
from __future__ import annotations

from .prepared import aware
from .rules import BOUGHT, _bought_query, age_of, days_to_birthday, holds, load
from .rules_schema import FIELDS
from .wording import Wording, default_wording

DAY_FIELDS = ("days_since_last_order", "days_to_birthday")
TITLES = {"all": ("All of the following", "Все условия ниже"), "any": ("Any of the following", "Любое из условий ниже"),
          "not": ("Not the following", "Не выполняется следующее")}


def actual_value(cond: dict, row: dict, env, session):
    """The customer's value of the condition's field (what explain() shows)."""
    name, today = cond["field"], env.now.date()
    if name == "average_order":
        return row["revenue"] / row["orders"] if row.get("orders") else None
    if name == "days_since_last_order":
        last = aware(row.get("last_order_at"))
        return max(0, (env.now - last).days) if last is not None else None
    if name == "days_to_birthday":
        return days_to_birthday(row.get("birth_month"), row.get("birth_day"), today)
    if name == "age":
        return age_of(row.get("birth_year"), row.get("birth_month"), row.get("birth_day"), today)
    if name in BOUGHT:
        query = _bought_query(env, name, cond["value"], cond.get("within_days"), row["customer_id"])
        return sorted(set(session.execute(query).scalars()))
    if name == "segment":
        return [code for code in (row.get("segments") or "|").split("|") if code]
    if name == "birthday_month":
        return row.get("birth_month")
    value = row.get(name)
    if name == "rfm_group" and value:
        value = value.lower()[4:] if value.lower().startswith("rfm_") else value.lower()
    return value.lower() if name in ("channel", "gender") and value else value


def condition_holds(cond: dict, actual) -> bool:
    """The Python twin of rules._condition for the value actual_value() returned."""
    op, value = cond["op"], cond["value"]
    if cond["field"] in BOUGHT:
        return bool(actual) == (op == "includes")
    if cond["field"] == "segment":
        return bool(set(actual) & set(value)) == (op == "in")
    if FIELDS[cond["field"]].kind == "number":
        return holds(op, actual, value)
    if actual is None:
        return False
    values = value if isinstance(value, list) else [value]
    return (actual in values) == (op in ("eq", "in"))


def _quoted(w: Wording, name: str) -> str:
    return f"«{name}»" if w.ru else f"“{name}”"


def _one(w: Wording, name: str, value) -> str:
    """One value of the field in words."""
    if FIELDS[name].kind == "number":
        if name in w.money_fields:
            return w.money(value)
        return w.count(value, "day") if name in DAY_FIELDS else w.number(value, 2)
    if name == "segment":
        return _quoted(w, w.segment(value))
    if name == "skus_bought":
        return _quoted(w, w.product(value))
    if name == "categories_bought":
        return _quoted(w, value)
    if name in ("lifecycle", "rfm_group", "gender", "birthday_month"):
        return _quoted(w, w.choice_name(name, value))
    return _quoted(w, value)


def _values(w: Wording, name: str, value, joint=("or", "или")) -> str:
    if isinstance(value, list):
        return w.listing([_one(w, name, v) for v in value], joint)
    return _one(w, name, value)


def _wanted(w: Wording, cond: dict) -> str:
    name, op, value = cond["field"], cond["op"], cond["value"]
    if op == "between":
        test = w.say("between {low} and {high}", "от {low} до {high}", low=_one(w, name, value[0]),
                     high=_one(w, name, value[1]))
    else:
        test = f"{w.op_name(op)} {_values(w, name, value)}"
    window = (w.say(" within the last {days}", " за последние {days}", days=w.count(cond["within_days"], "day"))
              if cond.get("within_days") else "")
    return f"{w.field_name(name)}: {test}{window}"


def _actual(w: Wording, cond: dict, actual) -> str:
    name = cond["field"]
    if name == "segment":
        actual = [code for code in actual if code in cond["value"]]
        return _values(w, name, actual, ("and", "и")) if actual else w.say("in none of them", "ни в одном из них")
    if name in BOUGHT:
        return (_values(w, name, actual, ("and", "и")) if actual else
                w.say("bought none of them", "не покупал ничего из этого"))
    return w.say("unknown", "неизвестно") if actual is None else _one(w, name, actual)


def _line(w: Wording, cond: dict, actual, ok: bool) -> str:
    if ok:
        return w.say("{wanted}: the customer's value is {actual}, so it holds.",
                     "{wanted}: у клиента {actual}, условие выполнено.", wanted=_wanted(w, cond),
                     actual=_actual(w, cond, actual))
    return w.say("{wanted}: the customer's value is {actual}, so it does not hold.",
                 "{wanted}: у клиента {actual}, условие не выполнено.", wanted=_wanted(w, cond),
                 actual=_actual(w, cond, actual))


def _explain_node(node: dict, row: dict, env, session, w: Wording, depth: int, out: list) -> bool:
    pad = "  " * depth
    if "field" in node:
        actual = actual_value(node, row, env, session)
        ok = condition_holds(node, actual)
        out.append(pad + _line(w, node, actual, ok))
        return ok
    key = "all" if "all" in node else "any" if "any" in node else "not"
    at = len(out)
    children = node[key] if key != "not" else [node["not"]]
    results = [_explain_node(child, row, env, session, w, depth + 1, out) for child in children]
    ok = all(results) if key == "all" else any(results) if key == "any" else not results[0]
    verdict = w.say("holds", "выполнено") if ok else w.say("does not hold", "не выполнено")
    out.insert(at, f"{pad}{w.say(*TITLES[key])}: {verdict}.")
    return ok


def explain(defn, row: dict, env, session, words: Wording | None = None) -> list[str]:
    """Every condition of the rule with the customer's actual value and whether it holds."""
    w = words or default_wording()
    lines: list[str] = []
    ok = _explain_node(load(defn), row, env, session, w, 1, lines)
    name = _quoted(w, (defn.name or {}).get(w.lang) or w.segment(defn.code))
    head = (w.say("The customer matches the rule of {name}.", "Клиент подходит под правило сегмента {name}.",
                  name=name) if ok else
            w.say("The customer does not match the rule of {name}.",
                  "Клиент не подходит под правило сегмента {name}.", name=name))
    return [head] + lines

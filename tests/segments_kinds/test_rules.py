"""Kind "custom": each field's SQL condition at its edges, on SQLite and PostgreSQL, and explain() agreeing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bitrix_app.segments.kinds import rules

from .conftest import NOW, defn


def check(kit, rule: dict, expected: set, env=None) -> None:
    """The predicate (as is and prepared) selects exactly `expected`; explain() gives everyone the same verdict."""
    custom = defn("custom", rule)
    for variant, (_, found) in kit.variants(custom, env).items():
        assert found == set(expected), variant
    for customer_id in kit.all_ids():
        text = kit.explain(custom, customer_id, env)
        assert ("does not match" not in text[0]) == (customer_id in expected), (customer_id, text)


def cond(field: str, op: str, value, **extra) -> dict:
    return {"field": field, "op": op, "value": value, **extra}


def test_numeric_fields_at_their_edges(kit):
    kit.customer(1, orders=2, revenue=200.0, ltv=300.0)
    kit.customer(2, orders=3, revenue=300.0, ltv=450.5)
    kit.customer(3, orders=4, revenue=250.0, ltv=500.0)
    kit.customer(4)  # no purchases: average order unknown
    check(kit, cond("orders", ">=", 3), {2, 3})
    check(kit, cond("orders", ">", 3), {3})
    check(kit, cond("orders", "=", 3), {2})
    check(kit, cond("orders", "!=", 3), {1, 3, 4})
    check(kit, cond("orders", "between", [2, 3]), {1, 2})
    check(kit, cond("revenue", "<", 250), {1, 4})
    check(kit, cond("ltv", "<=", 450.5), {1, 2, 4})
    check(kit, cond("average_order", "=", 100), {1, 2})
    check(kit, cond("average_order", "<", 100), {3})
    check(kit, {"not": cond("average_order", ">=", 100)}, {3, 4})


def test_days_since_last_order_counts_whole_days_before_now(kit):
    day = timedelta(days=1)
    kit.customer(1, orders=1, last_order_at=NOW - 30 * day)  # exactly 30 days
    kit.customer(2, orders=1, last_order_at=NOW - 30 * day + timedelta(seconds=1))  # 29 days and change
    kit.customer(3, orders=1, last_order_at=NOW - 31 * day + timedelta(seconds=1))  # still 30 days
    kit.customer(4, orders=1, last_order_at=NOW - 31 * day)
    kit.customer(5)  # never bought
    check(kit, cond("days_since_last_order", ">=", 30), {1, 3, 4})
    check(kit, cond("days_since_last_order", ">", 29.5), {1, 3, 4})
    check(kit, cond("days_since_last_order", "<=", 30), {1, 2, 3})
    check(kit, cond("days_since_last_order", "<", 30), {2})
    check(kit, cond("days_since_last_order", "=", 30), {1, 3})
    check(kit, cond("days_since_last_order", "=", 30.5), set())
    check(kit, cond("days_since_last_order", "!=", 30), {2, 4})
    check(kit, cond("days_since_last_order", "between", [29.5, 30.9]), {1, 3})
    check(kit, {"not": cond("days_since_last_order", "<", 30)}, {1, 3, 4, 5})


def test_days_to_birthday_wraps_the_year_and_handles_29_february(kit):
    kit.customer(1, birth_month=11, birth_day=2)  # today
    kit.customer(2, birth_month=11, birth_day=9)  # in 7 days
    kit.customer(3, birth_month=11, birth_day=10)  # in 8 days
    kit.customer(4, birth_month=11, birth_day=1)  # yesterday: 364 days
    kit.customer(5, birth_month=2, birth_day=29)
    kit.customer(6, birth_month=1, birth_day=2)
    kit.customer(7, birth_month=12, birth_day=27)
    kit.customer(8, birth_month=2, birth_day=28)
    kit.customer(9)  # no birthday
    check(kit, cond("days_to_birthday", "<=", 7), {1, 2})
    check(kit, cond("days_to_birthday", "=", 0), {1})
    check(kit, cond("days_to_birthday", ">", 363), {4})
    check(kit, {"not": cond("days_to_birthday", "<=", 7)}, {3, 4, 5, 6, 7, 8, 9})
    late_december = kit.env(datetime(2026, 12, 28, 8, 0, tzinfo=timezone.utc))
    check(kit, cond("days_to_birthday", "between", [1, 5]), {6}, late_december)
    check(kit, cond("days_to_birthday", ">=", 364), {7}, late_december)
    plain_year = kit.env(datetime(2027, 2, 25, 8, 0, tzinfo=timezone.utc))  # 29 Feb falls on 28 Feb 2027
    check(kit, cond("days_to_birthday", "=", 3), {5, 8}, plain_year)
    leap_year = kit.env(datetime(2028, 2, 25, 8, 0, tzinfo=timezone.utc))
    check(kit, cond("days_to_birthday", "=", 3), {8}, leap_year)
    check(kit, cond("days_to_birthday", "=", 4), {5}, leap_year)


def test_age_counts_whether_this_year_s_birthday_has_passed(kit):
    kit.customer(1, birth_year=2000, birth_month=11, birth_day=2)  # 26 today
    kit.customer(2, birth_year=2000, birth_month=11, birth_day=3)  # 25 until tomorrow
    kit.customer(3, birth_year=2000)  # year only: counted as 26
    kit.customer(4, birth_month=1, birth_day=1)  # no year: unknown
    check(kit, cond("age", ">=", 26), {1, 3})
    check(kit, cond("age", "=", 25), {2})
    check(kit, {"not": cond("age", "between", [18, 25])}, {1, 3, 4})


def test_bought_items_count_purchases_only_and_respect_the_window(kit):
    for customer_id in (1, 2, 3, 4):
        kit.customer(customer_id, orders=1)
    kit.line(1, "BIKE-1", "bikes", ago=30)
    kit.line(2, "BIKE-1", "bikes", ago=30, counted=False)  # cancelled
    kit.line(3, "TYRE-2", "tyres", ago=30)
    kit.line(3, "HELMET", "gear", ago=timedelta(days=30, seconds=1))
    kit.line(4, "BIKE-2", "bikes", ago=10, member_id="other-portal")
    check(kit, cond("categories_bought", "includes", "bikes"), {1})
    check(kit, cond("categories_bought", "excludes", ["bikes", "gear"]), {2, 4})
    check(kit, cond("skus_bought", "includes", ["TYRE-2", "BIKE-1"]), {1, 3})
    check(kit, cond("skus_bought", "includes", ["HELMET", "TYRE-2"], within_days=30), {3})
    check(kit, cond("skus_bought", "includes", "HELMET", within_days=30), set())
    check(kit, cond("categories_bought", "excludes", "gear", within_days=30), {1, 2, 3, 4})


def test_text_and_choice_fields(kit):
    kit.customer(1, channel="Google", gender="female", birth_month=3, lifecycle="LOYAL_LOST", rfm_group="champions",
                 segments="|LOYAL_LOST|LAPSED_90|")
    kit.customer(2, channel="newsletter", gender="male", birth_month=12, lifecycle="NEW_ACTIVE",
                 rfm_group="RFM_AT_RISK", segments="|NEW_ACTIVE|AXB|")
    kit.customer(3)  # nothing known
    check(kit, cond("channel", "eq", "google"), {1})
    check(kit, cond("channel", "ne", "google"), {2})
    check(kit, cond("channel", "not_in", ["GOOGLE", "yandex"]), {2})
    check(kit, {"not": cond("channel", "in", ["google"])}, {2, 3})
    check(kit, cond("gender", "eq", "male"), {2})
    check(kit, cond("birthday_month", "in", [3, 4]), {1})
    check(kit, cond("birthday_month", "eq", 12), {2})
    check(kit, cond("lifecycle", "in", ["loyal_lost", "NEW_ACTIVE"]), {1, 2})
    check(kit, cond("lifecycle", "eq", "NEW_ACTIVE"), {2})
    check(kit, cond("rfm_group", "in", ["champions", "RFM_AT_RISK"]), {1, 2})
    check(kit, cond("rfm_group", "eq", "at_risk"), {2})
    check(kit, cond("segment", "in", ["LAPSED_90"]), {1})
    check(kit, cond("segment", "in", "A_B"), set())  # "_" is not a LIKE wildcard here
    check(kit, cond("segment", "not_in", ["LAPSED_90", "NEW_ACTIVE"]), {3})


def test_groups_nest(kit):
    kit.customer(1, orders=5, revenue=900.0, gender="female", last_order_at=NOW - timedelta(days=200))
    kit.customer(2, orders=5, revenue=900.0, gender="male", last_order_at=NOW - timedelta(days=10))
    kit.customer(3, orders=1, revenue=90.0, gender="female", last_order_at=NOW - timedelta(days=10))
    rule = {"all": [cond("orders", ">=", 2),
                    {"any": [cond("gender", "eq", "female"), cond("days_since_last_order", "<", 30)]},
                    {"not": {"all": [cond("revenue", ">", 1000)]}}]}
    check(kit, rule, {1, 2})
    check(kit, {"any": [{"not": rule}, cond("orders", "=", 5)]}, {1, 2, 3})
    check(kit, {"all": [rule, {"not": cond("gender", "eq", "male")}]}, {1})


def test_explain_lists_each_condition_with_the_actual_value(kit):
    kit.customer(1, orders=4, revenue=1000.0, channel="google", last_order_at=NOW - timedelta(days=45),
                 segments="|LOYAL_ACTIVE|")
    kit.line(1, "BIKE-1", "bikes", ago=45)
    rule = {"all": [cond("average_order", ">=", 200), cond("categories_bought", "includes", ["bikes", "tyres"]),
                    {"not": cond("segment", "in", ["LAPSED_90"])}, cond("days_since_last_order", "<", 30)]}
    text = kit.explain(defn("custom", rule, "BIG_BIKERS"), 1)
    assert text == [  # no names given (a kit's Env): codes stand in for the segment names, no currency
        "The customer does not match the rule of “BIG_BIKERS”.",
        "  All of the following: does not hold.",
        "    Average order: at least 200.00: the customer's value is 250.00, so it holds.",
        "    Bought a category: includes “bikes” or “tyres”: the customer's value is “bikes”, so it holds.",
        "    Not the following: holds.",
        "      Segment: is one of “LAPSED_90”: the customer's value is in none of them, so it does not hold.",
        "    Days since the last purchase: less than 30 days: the customer's value is 45 days, so it does not hold.",
    ]


def test_predicate_renders_on_both_dialects(kit):
    from sqlalchemy.dialects import postgresql, sqlite

    rule = {"any": [cond(name, spec.ops[0], _sample(spec)) for name, spec in rules.FIELDS.items()]}
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        text = str(rules.predicate(defn("custom", rule), kit.env()).compile(dialect=dialect))
        assert "customer_stats" in text and "shop_order_lines" in text


def _sample(spec):
    return {"number": 1, "items": ["X"], "text": "google", "month": 3, "code": ["LAPSED_90"]}.get(
        spec.kind, spec.choices[0] if spec.choices else None)


def test_prepare_puts_each_bought_condition_s_buyers_in_a_table(kit):
    from bitrix_app.segments.kinds.prepared import for_incremental

    kit.customer(1, orders=1)
    kit.customer(2, orders=1)
    kit.line(1, "BIKE-1", "bikes", ago=5)
    kit.line(2, "TYRE-2", "tyres", ago=50)
    rule = {"any": [cond("orders", ">", 5), {"not": cond("categories_bought", "includes", "bikes")},
                    cond("skus_bought", "includes", "TYRE-2", within_days=30)]}
    found = kit.variants(defn("custom", rule))
    ready = found["prepared"][0]
    assert len(ready.params["_prepared"]["bought_tables"]) == 2
    assert {name: ids for name, (_, ids) in found.items()} == {"plain": {2}, "prepared": {2}, "incremental": {2}}
    assert for_incremental(ready).params == rule
    assert kit.variants(defn("custom", cond("orders", ">", 5)))["prepared"][0].params == cond("orders", ">", 5)

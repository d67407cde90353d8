"""Each robot on a deal, through the sandbox: the workflow receives the right return values."""
from __future__ import annotations

import json

import pytest

from tests.robots.robots_env import robots_env

BIKE = {"sku": "BIKE-1", "name": "City bike", "category": "bikes", "price": "500.00", "quantity": 1}
LAMP = {"sku": "LAMP-3", "name": "Front lamp", "category": "parts", "price": "20.00", "quantity": 1}
HELMET = {"sku": "HELMET-9", "name": "Helmet", "category": "parts", "price": "40.00", "quantity": 1}
TYRE = {"sku": "TYRE-2", "name": "Tyre", "category": "tyres", "price": "25.00", "quantity": 2}
PUMP = {"sku": "PUMP-1", "name": "Pump", "category": "parts", "price": "15.00", "quantity": 1}


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _values(wf: dict) -> dict:
    assert wf["status"] == "completed", wf
    assert wf["return_values"]["status"] == "ok", wf
    return wf["return_values"]


def test_customer_profile_returns_the_purchase_figures_segment_and_rfm(rb):
    deals = rb.orders(("1", "completed", 100), ("2", "paid", 30), ("3", "cancelled", 10), ("4", "new", 5))
    values = _values(rb.run("customer_profile", deals["1"]))
    # purchases: 1, 2 and 4 (551.00 each); the cancelled order does not count. The segment engine has the
    # customer's figures (the sync refreshed them): its LTV is predicted, 551.00 x 3 a year x 1 year; RFM is the
    # fixed-threshold fallback until the portal's first full rebuild sets its quintiles
    assert values == {
        "status": "ok", "error": "", "segment": "PROMISING_ACTIVE", "rfm": "534", "orders": 3,
        "total_spent": "1653.00", "average_order": "551.00", "last_order_date": "2026-10-28",
        "days_since_last_order": 5, "lifetime_value": "1653.00", "repeat_buyer": "Y", "currency": "EUR",
    }


def test_customer_profile_of_a_deal_without_shop_history(rb):
    deal = rb.env.rest("crm.deal.add", {"fields": {"TITLE": "Phone enquiry"}})
    wf = rb.run("customer_profile", deal)
    values = _values(wf)
    assert values["orders"] == 0 and values["segment"] == "" and values["repeat_buyer"] == "N"
    assert wf["log"][-1] == "No shop purchases for this deal's customer yet"


def test_recommend_products_uses_rules_first_then_co_purchases(rb):
    deals = rb.orders(
        ("ann-1", "completed", 10, [BIKE], "+7 999 000-00-01", "ann@example.com"),
        ("bob-1", "completed", 20, [BIKE, LAMP, HELMET], "+7 999 000-00-02", "bob@example.com"),
        ("carl-1", "completed", 30, [BIKE, LAMP], "+7 999 000-00-03", "carl@example.com"),
        ("dan-1", "completed", 40, [TYRE, PUMP], "+7 999 000-00-04", "dan@example.com"),
    )
    cli = rb.env.app.test_cli_runner()
    rules = json.dumps([{"if_category": "bikes", "offer": ["TYRE-2"]}, {"if_sku": "SCOOTER-1", "offer": ["PUMP-1"]}])
    out = cli.invoke(args=["robots", "rules", "--member-id", rb.shop.member_id, "--set", rules])
    assert out.exit_code == 0, out.output
    values = _values(rb.run("recommend_products", deals["ann-1"], {"limit": 3}))
    assert values["skus"] == "TYRE-2,LAMP-3,HELMET-9" and values["count"] == 3
    assert values["text"] == "Tyre, Front lamp, Helmet"
    bad = cli.invoke(args=["robots", "rules", "--member-id", rb.shop.member_id, "--set", '[{"offer": ["X"]}]'])
    assert bad.exit_code != 0 and "exactly one of" in bad.output


def test_recommend_products_with_nothing_to_offer(rb):
    deals = rb.orders(("1", "completed", 10, [PUMP]))
    values = _values(rb.run("recommend_products", deals["1"]))
    assert (values["skus"], values["text"], values["count"]) == ("", "", 0)


def test_schedule_call_puts_a_todo_after_working_days_inside_working_hours(rb):
    deals = rb.orders(("1", "paid", 1))
    with rb.env.app.app_context():
        rb.env.app.test_cli_runner().invoke(args=["shops", "settings", "--member-id", rb.shop.member_id,
                                                  "--set", '{"timezone": "Europe/Moscow"}'])
    # now: Monday 2026-11-02 13:00 in Moscow; 4 working days on is Friday; 20:00 is after hours -> 17:00
    values = _values(rb.run("schedule_call", deals["1"], {"days": 4, "time": "20:00", "user": "user_3",
                                                          "title": "Offer the service plan"}))
    assert values["deadline"] == "2026-11-06T17:00:00+03:00" and values["responsible"] == "user_3"
    [todo] = rb.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO", "OWNER_ID": deals["1"]},
                                               "select": ["ID", "SUBJECT", "RESPONSIBLE_ID", "DEADLINE"]})
    assert int(todo["ID"]) == values["todo_id"] and todo["RESPONSIBLE_ID"] == "3"
    assert todo["SUBJECT"] == "Offer the service plan"


def test_schedule_call_defaults_to_the_deal_responsible_and_skips_the_weekend(rb):
    deals = rb.orders(("1", "paid", 1))
    rb.clock.advance(days=4)  # Friday 2026-11-06, 10:00 UTC
    rb.env.rest("crm.deal.update", {"id": deals["1"], "fields": {"ASSIGNED_BY_ID": 2}})
    values = _values(rb.run("schedule_call", deals["1"], {"days": 1, "time": "08:00"}))
    assert values["deadline"] == "2026-11-09T09:00:00+00:00" and values["responsible"] == "user_2"


def test_assign_responsible_takes_turns_and_sends_loyal_customers_to_their_users(rb):
    deals = rb.orders(
        ("a", "completed", 10, None, "+7 999 000-00-01", "a@example.com"),
        ("b", "completed", 10, None, "+7 999 000-00-02", "b@example.com"),
        ("c", "completed", 10, None, "+7 999 000-00-03", "c@example.com"),
        ("loyal-1", "completed", 40, None, "+7 999 000-00-09", "l@example.com"),
        ("loyal-2", "completed", 20, None, "+7 999 000-00-09", "l@example.com"),
    )
    props = {"users": ["user_2", "user_3"], "loyal_users": ["user_1"], "loyal_min_orders": 2}
    turns = [_values(rb.run("assign_responsible", deals[o], props)) for o in ("a", "b", "c")]
    assert [(v["assigned"], v["rule"]) for v in turns] == [("user_2", "round_robin"), ("user_3", "round_robin"),
                                                           ("user_2", "round_robin")]
    assert [rb.env.rest("crm.deal.get", {"id": deals[o]})["ASSIGNED_BY_ID"] for o in ("a", "b", "c")] == ["2", "3", "2"]
    loyal = _values(rb.run("assign_responsible", deals["loyal-2"], props))
    assert (loyal["assigned"], loyal["rule"]) == ("user_1", "loyal")
    assert rb.env.rest("crm.deal.get", {"id": deals["loyal-2"]})["ASSIGNED_BY_ID"] == "1"

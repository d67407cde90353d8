"""Numbers no shop needs (huge, non-finite, a between of them) are refused where definitions come in: the
schema names the path, the admin API answers 4xx, the CLI refuses, and nothing is stored."""
from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from bitrix_app.segments.kinds import definitions
from bitrix_app.segments.kinds.rules_schema import rule_errors
from tests.fixtures.segment_portal import AUTH as TOKEN_ONLY
from tests.fixtures.segment_portal import definition_views, portal  # noqa: F401
from tests.segments.history import NOW

AUTH = {**TOKEN_ONLY, "Content-Type": "application/json"}
INF, NAN = float("inf"), float("nan")
HOSTILE = [10**30, 1e308, INF, -INF, NAN]
NUMERIC = ("orders", "revenue", "average_order", "ltv", "days_since_last_order", "days_to_birthday", "age")


def cond(field: str, op: str, value) -> dict:
    return {"field": field, "op": op, "value": value}


@pytest.mark.parametrize("field", NUMERIC)
@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_a_rule_refuses_huge_and_non_finite_numbers_naming_the_path(field, value):
    message = rule_errors({"all": [cond("orders", ">", 1), {"not": cond(field, ">=", value)}]})
    assert list(message) == ["all.1.not.value"] and f"{field} is compared with numbers from" in message[
        "all.1.not.value"][0]


@pytest.mark.parametrize("value", [[-1e20, 1e20], [1, 1e20], [-1e20, 1], [1, NAN], [NAN, 1], [-INF, INF],
                                   [0, 10**30]], ids=repr)
def test_between_needs_both_bounds_in_range(value):
    assert "value" in rule_errors(cond("revenue", "between", value))
    assert "value" in rule_errors(cond("days_since_last_order", "between", value))


@pytest.mark.parametrize("field, good", [("orders", [0, 1_000_000_000]), ("revenue", [-1e12, 1e12]),
                                         ("ltv", [0, 999_999_999_999.99]), ("days_since_last_order", [0, 36600]),
                                         ("days_to_birthday", [0, 366]), ("age", [18, 150])])
def test_the_bounds_a_shop_needs_are_accepted(field, good):
    assert rule_errors(cond(field, "between", good)) == {}
    assert rule_errors(cond(field, "<=", good[1])) == {}
    reversed_ = rule_errors(cond(field, "between", [good[1], good[0]]))
    assert reversed_ == {"value": ["Operator 'between' needs low <= high."]}


KIND_PARAMS = [
    ("cross_sell", "within_days", {"bought": {"skus": ["A"]}, "not_bought": {"skus": ["B"]}}),
    ("cross_sell", "not_since_days", {"bought": {"skus": ["A"]}, "not_bought": {"skus": ["B"]}}),
    ("replenishment", "grace_days", {"skus": ["A"]}),
    ("replenishment", "min_history", {"skus": ["A"]}),
    ("replenishment", "default_interval_days", {"skus": ["A"]}),
    ("lapsed", "days", {}),
]


def _body(code: str, kind: str, params: dict) -> str:
    """Python's JSON writes NaN / Infinity as the literals a careless client sends."""
    return json.dumps({"code": code, "kind": kind, "name_en": code, "name_ru": code, "params": params})


@pytest.mark.parametrize("kind, key, base", KIND_PARAMS, ids=lambda v: v if isinstance(v, str) else None)
@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_cross_sell_replenishment_and_lapsed_params_refuse_them(portal, kind, key, base, value):
    with portal.session() as s, pytest.raises(ValidationError) as err:
        definitions.create(s, portal.member_id, json.loads(_body("HOSTILE", kind, {**base, key: value})), NOW)
    assert key in err.value.messages["params"]
    assert definition_views(portal) == {}


API_CASES = [("custom", cond("revenue", ">", v)) for v in HOSTILE] + [
    ("custom", cond("revenue", "between", [-1e20, 1e20])),
    ("custom", {"any": [cond("orders", ">", 1), cond("days_since_last_order", "<", 1e308)]}),
    ("custom", cond("age", "between", [1, NAN])),
    ("cross_sell", {"bought": {"skus": ["A"]}, "not_bought": {"skus": ["B"]}, "within_days": 1e308}),
    ("replenishment", {"skus": ["A"], "grace_days": INF}),
]


@pytest.mark.parametrize("kind, params", API_CASES, ids=repr)
def test_the_api_and_the_cli_refuse_them_and_store_nothing(portal, kind, params):
    web = portal.app.test_client()
    body = _body("HOSTILE", kind, params)
    res = web.post(f"/api/v1/portals/{portal.member_id}/segments/definitions", data=body, headers=AUTH)
    finite = "NaN" not in body and "Infinity" not in body
    # standard JSON reaches the schema (422 naming the params); NaN / Infinity may already be refused as a body
    assert res.status_code == 422 if finite else res.status_code in (400, 422), res.json
    assert set(res.json) >= {"error", "message", "details"}
    if res.status_code == 422:
        assert "params" in res.json["details"]["fields"]
    cli = portal.app.test_cli_runner().invoke(args=["segments", "define", "--member-id", portal.member_id,
                                                    "--json", body])
    assert cli.exit_code == 2, cli.output
    assert definition_views(portal) == {}

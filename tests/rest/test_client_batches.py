"""Batches against the sandbox portal: grouped requests, partial answers, writes never sent twice."""
from __future__ import annotations

import random
import time
from typing import Callable

import pytest

from bitrix_app.rest.batching import resolve
from bitrix_app.rest.client import PortalClient
from bitrix_app.portals import client_for


def _seed(*draws: Callable[[float], bool]) -> int:
    """A fault seed whose first dice draws pass `draws` in order (one draw per REST request, plus
    one more for a timeout deciding whether the method ran)."""
    for seed in range(100_000):
        rng = random.Random(seed)
        if all(ok(rng.random()) for ok in draws):
            return seed
    raise AssertionError("no such seed")


def _deal(title: str) -> tuple[str, dict]:
    return ("crm.deal.add", {"fields": {"TITLE": title}})


def _deals(env) -> list[dict]:
    env.control("faults", {})  # the webhook's own requests roll the dice too
    return env.rest("crm.deal.list", {"select": ["ID", "TITLE"], "order": {"ID": "ASC"}})


@pytest.fixture
def portal(portal_env):
    env = portal_env()
    ans = env.install(run_jobs=False)
    with env.app.app_context():
        yield env, client_for(ans["member_id"])


def test_a_write_whose_answer_timed_out_is_not_sent_again(portal):
    env, client = portal
    # the batch times out after the deal was created; a second request would go through untouched
    seed = _seed(lambda r: r < 0.5, lambda r: r < 0.5, lambda r: r >= 0.5)
    env.control("faults", {"p_timeout": 0.5, "timeout_seconds": 0.05, "seed": seed})
    result = client.batch_groups([{"d": _deal("Order 1"), "c": ("crm.deal.list", {"select": ["ID"]})}], writes=True)
    calls = env.calls("batch")
    assert [(c["http_status"], c.get("ran")) for c in calls] == [(504, True)]
    assert set(result.failed) == {"d", "c"} and "OutcomeUnknown" in result.failed["d"]
    assert not result.results and not result.errors
    assert [d["TITLE"] for d in _deals(env)] == ["Order 1"]


def test_a_write_cut_off_by_the_client_timeout_is_not_sent_again(portal):
    env, client = portal
    client.timeout = 0.5  # the portal holds the answer longer than the client waits
    seed = _seed(lambda r: r < 0.5, lambda r: r < 0.5, lambda r: r >= 0.5)
    env.control("faults", {"p_timeout": 0.5, "timeout_seconds": 1.5, "seed": seed})
    result = client.batch_groups([{"d": _deal("Order 2")}], writes=True)
    assert list(result.failed) == ["d"] and "sent" in result.failed["d"]
    assert [d["TITLE"] for d in _deals(env)] == ["Order 2"]  # a resend would have made a second one


def test_reads_ride_out_server_errors(portal):
    env, client = portal
    # the first request fails; no long run of failures that would exhaust the retries
    seed = _seed(lambda r: r < 0.3, *[lambda r: r >= 0.3] * 3)
    env.control("faults", {"p_500": 0.3, "seed": seed})
    reads = {f"r{i}": ("crm.deal.list", {"select": ["ID"]}) for i in range(120)}  # three requests
    result = client.batch(reads)
    assert not result.failed and not result.errors and set(result.results) == set(reads)
    statuses = [c["http_status"] for c in env.calls("batch")]
    assert 500 in statuses and statuses.count(200) == 3


def test_one_failed_group_does_not_cost_the_others(portal):
    env, client = portal
    seed = _seed(lambda r: r >= 0.5, lambda r: r < 0.5, lambda r: r >= 0.5)  # the second request fails
    env.control("faults", {"p_500": 0.5, "seed": seed})
    groups = [{f"g{g}_{i}": _deal(f"Group {g} deal {i}") for i in range(3)} for g in range(3)]
    result = client.batch_groups(groups, writes=True)
    failed = [g for g, group in enumerate(groups) if set(group) <= set(result.failed)]
    assert len(failed) == 1 and len(result.failed) == 3
    done = [label for g, group in enumerate(groups) if g not in failed for label in group]
    assert all(result.ok(label) for label in done) and len(result.results) == 6
    assert [c["http_status"] for c in env.calls("batch")].count(500) == 1  # not retried
    assert len(_deals(env)) == 6


def test_references_work_inside_a_group(portal):
    env, client = portal
    group = {
        "d": _deal("Order 3"),
        "p": ("crm.deal.productrows.set",
              {"id": "$result[d]", "rows": [{"PRODUCT_NAME": "Mug", "PRICE": 12.5, "QUANTITY": 2}]}),
    }
    result = client.batch_groups([group], writes=True)
    assert result.ok("d") and result.ok("p") and not result.failed
    rows = env.rest("crm.deal.productrows.get", {"id": result.results["d"]})
    assert [(r["PRODUCT_NAME"], float(r["QUANTITY"])) for r in rows] == [("Mug", 2.0)]


def test_an_expired_token_is_refreshed_and_the_write_runs_once(portal):
    env, client = portal
    env.control("tokens/expire", {})
    result = client.batch_groups([{"d": _deal("Order 4")}], writes=True)
    assert result.ok("d") and not result.failed
    assert [c["http_status"] for c in env.calls("batch")] == [401, 200]
    assert [d["TITLE"] for d in _deals(env)] == ["Order 4"]


def test_a_write_refused_under_the_limit_is_sent_again(portal):
    env, client = portal
    seed = _seed(lambda r: r < 0.5, lambda r: r >= 0.5)
    env.control("faults", {"p_503": 0.5, "seed": seed})
    result = client.batch_groups([{"d": _deal("Order 5")}], writes=True)
    assert result.ok("d") and not result.failed
    assert [c["http_status"] for c in env.calls("batch")] == [503, 200]
    assert [d["TITLE"] for d in _deals(env)] == ["Order 5"]


def test_a_spent_method_budget_keeps_the_commands_that_ran(portal):
    env, client = portal
    env.control("limits", {"operating_limit": 1.0, "method_costs": {"crm.deal.add": 0.6}})
    result = client.batch_groups([{f"d{i}": _deal(f"Order {i}") for i in range(3)}], writes=True)
    assert result.ok("d0") and result.ok("d1") and not result.failed
    assert result.error_code("d2") == "OPERATION_TIME_LIMIT"  # refused, not run, and not re-sent yet
    assert len(env.calls("batch")) == 1 and len(_deals(env)) == 2
    # held, not failed: it may run once the portal frees the budget (its reset time, in the future)
    assert list(result.held) == ["d2"] and result.held["d2"] > time.time()
    assert result.held_until(["d0", "d1", "d2"]) == result.held["d2"] and result.held_until(["d0"]) is None
    assert "time budget" in result.problem("d2", "crm.deal.add")


def test_groups_a_spent_budget_stopped_before_sending_are_held_beside_those_that_ran(portal):
    env, client = portal
    env.control("limits", {"operating_limit": 1.0, "method_costs": {"crm.deal.add": 1.5}})
    assert client.batch_groups([{"a": _deal("Order A")}], writes=True).ok("a")  # runs and spends the budget
    refused = client.batch_groups([{"b": _deal("Order B")}], writes=True)
    assert refused.error_code("b") == "OPERATION_TIME_LIMIT" and set(refused.held) == {"b"}
    sent = len(env.calls("batch"))
    later = client.batch_groups([{"c": _deal("Order C")}, {"k": ("crm.contact.add", {"fields": {"NAME": "K"}})}],
                                writes=True)
    assert later.ok("k") and set(later.held) == {"c"} and later.held_until(["c"]) > time.time()
    assert len(env.calls("batch")) == sent + 1  # the spent method's request was not even sent
    assert len(_deals(env)) == 1


def test_groups_are_checked_before_anything_is_sent():
    client = PortalClient("m", tokens=None, governor=None)
    with pytest.raises(ValueError, match="51 commands"):
        client.batch_groups([{f"x{i}": ("app.info", None) for i in range(51)}])
    with pytest.raises(ValueError, match="more than one group"):
        client.batch_groups([{"a": ("app.info", None)}, {"a": ("profile", None)}])


def test_resent_commands_carry_the_answers_they_refer_to():
    params = {"id": "$result[d]", "fields": {"NAME": "$result[c][NAME] / $result[x]"}}
    assert resolve(params, {"d": 7, "c": {"NAME": "Ann"}}) == {"id": "7", "fields": {"NAME": "Ann / $result[x]"}}

"""The shared rate governor on real Redis, and the seam absorbing the portal's 503 and 429."""
from __future__ import annotations

import asyncio
import threading

import pytest

from bitrix_app.rest.errors import MethodBudgetExhausted, PortalError
from bitrix_app.portals import client_for
from bitrix_app.rest import governor
from bitrix_app.rest.governor import Governor, Limits

FAST_DRAIN = 10.0  # requests per second: the standard bucket's size with a drain that keeps these tests short


@pytest.fixture
def fast_standard_plan(monkeypatch):
    """The standard plan's bucket (50 requests) draining FAST_DRAIN a second, on both the portal and the governor.

    Waits for the bucket are real seconds (Redis TIME on our side, a monotonic clock in the sandbox); the plan's
    own 2/s would make each test wait out its overflow for many seconds without proving more."""
    import sandbox.state

    size = governor.PLANS["standard"][0]
    monkeypatch.setitem(governor.PLANS, "standard", (size, FAST_DRAIN))
    monkeypatch.setitem(sandbox.state.PLANS, "standard", (size, FAST_DRAIN))


def test_bucket_grants_up_to_capacity_then_asks_to_wait(redis_conn):
    gov = Governor(redis_conn, "m1", Limits(burst=6, drain=0.5, bulk_reserve=2, normal_reserve=1))
    granted = [gov.try_take("high") for _ in range(5)]
    assert granted == [0.0] * 5  # burst - 1 of headroom
    wait = gov.try_take("high")
    assert 0 < wait <= 2.0  # one request drains in 1 / 0.5 s


def test_bulk_leaves_room_for_high_priority_work(redis_conn):
    gov = Governor(redis_conn, "m2", Limits(burst=10, drain=0.1, bulk_reserve=4, normal_reserve=2))
    bulk = [gov.try_take("bulk") for _ in range(8)]
    assert bulk.count(0.0) == 5 and all(w > 0 for w in bulk[5:])
    assert gov.try_take("high") == 0.0  # robot replies still go through at once


def test_processes_share_one_bucket(redis_conn):
    a = Governor(redis_conn, "m3", Limits(burst=4, drain=0.1, bulk_reserve=0, normal_reserve=0))
    b = Governor(redis_conn, "m3", Limits(burst=4, drain=0.1, bulk_reserve=0, normal_reserve=0))
    assert [a.try_take("high"), b.try_take("high"), a.try_take("high")] == [0.0, 0.0, 0.0]
    assert b.try_take("high") > 0


def test_a_503_fills_the_bucket_for_everyone(redis_conn):
    gov = Governor(redis_conn, "m4", Limits(burst=50, drain=2.0))
    gov.penalize()
    assert gov.try_take("high") > 0


def test_method_budget_blocks_only_that_method(redis_conn):
    import time

    gov = Governor(redis_conn, "m5", Limits(burst=50, drain=2.0, operating_limit=480))
    gov.record_operating("crm.deal.list", 479.0, time.time() + 300)
    assert gov.method_wait("crm.deal.list") > 200
    assert gov.method_wait("crm.deal.add") == 0.0
    with pytest.raises(MethodBudgetExhausted) as err:
        asyncio.run(gov.admit("normal", ("crm.deal.list",)))
    assert err.value.method == "crm.deal.list" and err.value.retry_at > time.time() + 200


def test_a_refused_method_waits_for_the_reset_it_knows_else_looks_again_soon(redis_conn):
    import time

    gov = Governor(redis_conn, "m6", Limits(burst=50, drain=2.0, operating_limit=480))
    now = time.time()
    assert now + 55 <= gov.block_method("crm.deal.add") <= time.time() + 60  # never told a reset
    gov.record_operating("crm.deal.list", 470.0, now + 200)
    assert gov.block_method("crm.deal.list") == pytest.approx(now + 200)
    gov.record_operating("crm.deal.update", 470.0, now - 5)  # that minute freed; the portal still refuses
    assert now + 10 <= gov.block_method("crm.deal.update") <= time.time() + 15
    assert gov.block_method("crm.deal.update", retry_at=now + 30) == now + 30
    assert 10 < gov.method_wait("crm.deal.update") <= 30


def test_standard_plan_burst_from_two_threads_never_sees_503(portal_env, fast_standard_plan):
    env = portal_env(plan="standard")
    ans = env.install(run_jobs=False)
    env.control("limits", {"reset": True})
    errors = []

    def hammer():
        with env.app.app_context():
            client = client_for(ans["member_id"], lane="bulk")
            for _ in range(30):
                try:
                    client.call("app.info")
                except Exception as exc:  # collected and asserted below
                    errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [c["http_status"] for c in env.calls("app.info")]
    # 60 requests in well under a second overflow the portal's bucket of 50 unless the governor spaces them
    assert not errors and len(statuses) == 60 and 503 not in statuses


def test_injected_503s_and_500s_are_retried_not_raised(portal_env, fast_standard_plan):
    env = portal_env()
    ans = env.install(run_jobs=False)
    env.control("faults", {"p_503": 0.25, "p_500": 0.15, "seed": 7})
    with env.app.app_context():
        client = client_for(ans["member_id"])
        results = [client.call("app.info") for _ in range(6)]
    assert all(isinstance(r, dict) for r in results)
    statuses = [c["http_status"] for c in env.calls("app.info")]
    assert statuses.count(200) == 6 and {500, 503} & set(statuses)  # faults were injected and absorbed


def test_operating_limit_is_handed_back_typed(portal_env):
    env = portal_env()
    ans = env.install(run_jobs=False)
    env.control("limits", {"operating_limit": 1.0, "method_costs": {"app.info": 0.6}})
    with env.app.app_context():
        client = client_for(ans["member_id"])
        client.call("app.info")
        client.call("app.info")  # crosses the limit; completes
        with pytest.raises(MethodBudgetExhausted):
            client.call("app.info")


def test_method_errors_are_typed(portal_env):
    env = portal_env()
    ans = env.install(run_jobs=False)
    with env.app.app_context():
        with pytest.raises(PortalError) as err:
            client_for(ans["member_id"]).call("no.such.method")
    assert err.value.code == "ERROR_METHOD_NOT_FOUND" and err.value.status == 404

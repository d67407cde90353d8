"""Request-rate limit, operating budget and fault injection."""
from __future__ import annotations

import requests

from tests.sandbox.core_support import (  # noqa: F401
    app_tokens, control, core, oauth_install, rest, with_test_methods,
)


def burst(server, n, method="test.echo"):
    with requests.Session() as s:
        return [s.post(f"{server.webhook_url}{method}", json={}, timeout=10) for _ in range(n)]


def test_standard_plan_rejects_after_the_burst(sandbox_factory):
    server = with_test_methods(sandbox_factory(plan="standard"))
    answers = burst(server, 70)
    assert all(r.status_code == 200 for r in answers[:50])
    rejected = [r for r in answers[50:] if r.status_code == 503]
    assert rejected, "the 50-request bucket must overflow"
    assert rejected[0].json() == {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
    logged = requests.get(f"{server.base_url}/_sandbox/calls", timeout=10).json()["calls"]
    assert sum(1 for c in logged if c["http_status"] == 503) == len(rejected)


def test_batch_counts_as_one_request(sandbox_factory):
    server = with_test_methods(sandbox_factory(plan="standard"))
    cmd = {f"c{i}": "test.echo" for i in range(50)}
    big = requests.post(f"{server.webhook_url}batch", json={"cmd": cmd}, timeout=10)
    assert big.status_code == 200 and len(big.json()["result"]["result"]) == 50
    assert all(r.status_code == 200 for r in burst(server, 49))
    assert any(r.status_code == 503 for r in burst(server, 20))


def test_plan_switch_through_the_control_api(sandbox_factory):
    server = with_test_methods(sandbox_factory(plan="standard"))
    control(server, "limits", {"plan": "unlimited"})
    assert all(r.status_code == 200 for r in burst(server, 80))
    state = requests.get(f"{server.base_url}/_sandbox/limits", timeout=10).json()
    assert state["plan"] == "unlimited" and state["bucket"] is None


def test_operating_limit_blocks_the_next_call_of_that_method(core, app_tokens):
    tok = app_tokens["access_token"]
    control(core, "limits", {"operating_limit": 0.05, "method_costs": {"test.echo": 0.03}})
    first = rest(core, "test.echo", tok).json()["time"]
    second = rest(core, "test.echo", tok).json()["time"]
    assert (round(first["operating"], 6), round(second["operating"], 6)) == (0.03, 0.06)
    assert first["operating_reset_at"] == second["operating_reset_at"]
    assert 599 <= first["operating_reset_at"] - first["start"] <= 601
    blocked = rest(core, "test.echo", tok)
    assert blocked.status_code == 429
    assert blocked.json() == {
        "error": "OPERATION_TIME_LIMIT", "error_description": "Method is blocked due to operation time limit.",
    }
    assert rest(core, "test.get", tok, id=1).status_code == 200  # other methods keep working
    assert rest(core, "test.echo").status_code == 200  # the webhook has its own budget
    control(core, "clock", {"advance": 601})
    assert rest(core, "test.echo", tok).status_code == 200


def test_operating_inside_a_batch(core):
    control(core, "limits", {"operating_limit": 0.05, "method_costs": {"test.echo": 0.03}})
    cmd = {"a": "test.echo", "b": "test.echo", "c": "test.echo", "d": "test.get?id=1"}
    body = requests.post(f"{core.webhook_url}batch", json={"cmd": cmd}, timeout=10).json()
    inner = body["result"]
    assert [round(inner["result_time"][k]["operating"], 6) for k in ("a", "b")] == [0.03, 0.06]
    assert inner["result_error"]["c"]["error"] == "OPERATION_TIME_LIMIT"
    assert "d" in inner["result"]
    assert round(body["time"]["operating"], 6) == 0.06  # the outer time shows the busiest command


def test_faults_are_reproducible_with_a_seed(core):
    def statuses():
        control(core, "faults", {"p_500": 0.5, "seed": 42})
        return [rest(core, "test.echo").status_code for _ in range(16)]

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 500}
    control(core, "faults", {})
    assert rest(core, "test.echo").status_code == 200


def test_fault_bodies_and_scope(core):
    control(core, "faults", {"p_500": 1.0})
    r = rest(core, "test.echo")
    assert r.json() == {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}
    assert requests.get(f"{core.base_url}/_sandbox/", timeout=10).status_code == 200  # never on the control API
    control(core, "faults", {"p_503": 1.0})
    r = rest(core, "test.echo")
    assert (r.status_code, r.json()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")
    assert requests.get(f"{core.base_url}/_sandbox/faults", timeout=10).json() == {"p_503": 1.0}


def test_timeout_fault_answers_504_and_sometimes_ran(core):
    control(core, "faults", {"p_timeout": 1.0, "timeout_seconds": 0.05, "seed": 3})
    answers = [rest(core, "test.add", TITLE=f"t{i}") for i in range(8)]
    assert {r.status_code for r in answers} == {504}
    log = requests.get(f"{core.base_url}/_sandbox/calls", params={"method": "test.add"}, timeout=10).json()["calls"]
    ran = [c["ran"] for c in log]
    assert True in ran and False in ran
    assert len(core.portal.table("test_rows")) == ran.count(True)


def test_expire_tokens_fault_is_one_shot(core, app_tokens):
    control(core, "faults", {"expire_tokens": True})
    assert rest(core, "test.echo", app_tokens["access_token"]).json()["error"] == "expired_token"
    assert "expire_tokens" not in requests.get(f"{core.base_url}/_sandbox/faults", timeout=10).json()
    fresh = oauth_install(core)["access_token"]
    assert rest(core, "test.echo", fresh).status_code == 200


def test_dropped_events(core, receiver):
    outbox = core.portal.outbox
    control(core, "faults", {"p_drop_events": 1.0})
    outbox.post_async(f"{receiver.url}/ev", {"event": "X"}, kind="event")
    outbox.post_async(f"{receiver.url}/robot", {"code": "r"}, kind="robot")
    assert control(core, "outbox/drain")["drained"] is True
    assert [r.path for r in receiver.requests] == ["/robot"]
    dropped = requests.get(f"{core.base_url}/_sandbox/outbound", params={"kind": "event"}, timeout=10).json()
    assert dropped["outbound"][0]["status"] is None and "dropped" in dropped["outbound"][0]["error"]


def test_bad_fault_settings_are_refused(core):
    r = requests.post(f"{core.base_url}/_sandbox/faults", json={"p_500": 2}, timeout=10)
    assert r.status_code == 400
    r = requests.post(f"{core.base_url}/_sandbox/faults", json={"p_nothing": 0.1}, timeout=10)
    assert r.status_code == 400

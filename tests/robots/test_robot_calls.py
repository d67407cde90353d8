"""The robot framework over HTTP: registration, verified calls, replies, failures, duplicates, replay, audit."""
from __future__ import annotations

import json

import pytest
import requests
from rq import Queue

from bitrix_app.phpform import flat
from bitrix_app.robots import profile
from bitrix_app.robots.registry import ROBOTS
from bitrix_app.store.models import utc
from tests.robots.robots_env import robots_env


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _event_sends(rb) -> list[dict]:
    return rb.env.calls("bizproc.event.send")


def _form_of(rb, call, token: str | None = None) -> list[tuple[str, str]]:
    """The body the portal posted for a stored call (its application_token unless another is given)."""
    app = next(iter(rb.env.sandbox.portal.apps.values()))
    body = {"workflow_id": call.workflow_id, "code": call.code, "document_id": json.loads(call.document_id),
            "document_type": json.loads(call.document_type), "event_token": call.event_token,
            "properties": call.properties, "use_subscription": "Y", "timeout_duration": "660",
            "ts": "1793613600", "auth": {"member_id": call.member_id, "domain": rb.env.sandbox.portal.domain,
                                         "application_token": token or app.application_token, "user_id": "1"}}
    return list(flat(body))


def test_every_robot_is_registered_with_its_handler_names_and_types(rb):
    registered = {code: reg for (_, code), reg in rb.env.sandbox.portal.robots.items()}
    assert set(registered) == {r["CODE"] for r in ROBOTS} == {
        "customer_profile", "recommend_products", "schedule_call", "assign_responsible",
        "issue_promo_code", "send_message"}
    for code, reg in registered.items():
        assert reg["HANDLER"] == f"{rb.env.live.url}/robots/{code}"
        assert {k.lower() for k in reg["NAME"]} == {"en", "ru"}
        assert reg["DOCUMENT_TYPE"] == ["crm", "CCrmDocumentDeal", "DEAL"]
        assert {"status", "error"} <= set(reg["RETURN_PROPERTIES"])


def test_a_call_is_answered_at_once_stored_and_replied_from_the_worker(rb):
    deals = rb.orders(("1", "completed", 20))
    run = rb.start("customer_profile", deals["1"])
    assert [p["status"] for p in rb.robot_posts()] == [200]
    assert rb.workflow(run["workflow_id"])["status"] == "running"  # the action runs in the worker, not the view
    [call] = rb.calls()
    assert (call.status, call.reply_status, utc(call.received_at)) == ("received", "pending", rb.clock.now())
    rb.env.work()
    wf = rb.workflow(run["workflow_id"])
    assert wf["status"] == "completed" and wf["return_values"]["status"] == "ok"
    [view] = rb.call_views()
    assert view["status"] == "done" and view["reply_status"] == "sent" and view["runs"] == 1
    assert view["return_values"]["orders"] == 1 and view["log_message"] == wf["log"][-1]
    assert view["received_at"] == view["started_at"] == view["replied_at"] == rb.clock.now().isoformat()
    assert len(_event_sends(rb)) == 1


def test_a_wrong_application_token_gets_401_and_nothing_is_stored_or_run(rb):
    deals = rb.orders(("1", "completed", 20))
    rb.run("customer_profile", deals["1"])
    [genuine] = rb.calls()
    forged = _form_of(rb, genuine, token="forged-token")
    forged = [(k, "another|token" if k == "event_token" else v) for k, v in forged]
    res = requests.post(f"{rb.env.live.url}/robots/customer_profile", data=forged, timeout=10)
    assert res.status_code == 401
    assert len(rb.calls()) == 1
    assert Queue("robots", connection=rb.env.redis).count == 0
    assert len(_event_sends(rb)) == 1


def test_a_malformed_call_gets_422(rb):
    res = requests.post(f"{rb.env.live.url}/robots/customer_profile", data={"workflow_id": "x"}, timeout=10)
    assert res.status_code == 422 and "event_token" in res.json()["details"]["fields"]


def test_use_subscription_n_runs_the_action_and_sends_no_reply(rb):
    deals = rb.orders(("1", "completed", 20))
    for (_, code), reg in rb.env.sandbox.portal.robots.items():
        if code == "customer_profile":
            reg["USE_SUBSCRIPTION"] = "N"  # the rule's author chose not to wait
    wf = rb.run("customer_profile", deals["1"])
    assert wf["status"] == "completed" and wf["return_values"] == {}
    [call] = rb.calls()
    assert (call.waits, call.status, call.reply_status) == (False, "done", "not_needed")
    assert _event_sends(rb) == []


def test_an_action_that_raises_still_answers_with_an_error(rb, monkeypatch):
    deals = rb.orders(("1", "completed", 20))

    def broken(ctx):
        raise RuntimeError("history store is down")

    monkeypatch.setattr(profile, "customer_profile", broken)
    wf = rb.run("customer_profile", deals["1"])
    assert wf["status"] == "completed"
    assert wf["return_values"]["status"] == "error"
    assert "history store is down" in wf["return_values"]["error"]
    assert wf["log"][-1].startswith("Shop: customer profile failed: RuntimeError: history store is down")
    [view] = rb.call_views(status="failed")
    assert view["error"] == "RuntimeError: history store is down" and view["reply_status"] == "sent"


def test_a_robot_error_reads_well_in_the_workflow_log(rb):
    deals = rb.orders(("1", "completed", 20))
    wf = rb.run("schedule_call", deals["1"], {"time": "half past ten"})
    assert wf["return_values"]["status"] == "error"
    assert wf["log"][-1] == "Shop: schedule a call failed: property time must look like 10:30, not 'half past ten'"


def test_the_same_event_token_runs_once(rb):
    deals = rb.orders(("1", "completed", 20))
    rb.run("assign_responsible", deals["1"], {"users": ["user_2", "user_3"]})
    [call] = rb.calls()
    again = requests.post(f"{rb.env.live.url}/robots/assign_responsible", data=_form_of(rb, call), timeout=10)
    assert again.status_code == 200 and again.json() == {"status": "duplicate", "call_id": call.id}
    rb.env.work()
    [call] = rb.calls()
    assert call.runs == 1 and len(_event_sends(rb)) == 1
    assert len(rb.env.calls("crm.deal.update")) == 1


def test_replay_runs_a_lost_call_and_answers_the_waiting_workflow(rb):
    deals = rb.orders(("1", "completed", 20))
    run = rb.start("customer_profile", deals["1"])
    Queue("robots", connection=rb.env.redis).empty()  # the job is lost (Redis flushed)
    rb.env.work()
    assert rb.workflow(run["workflow_id"])["status"] == "running"
    [call] = rb.calls()
    out = rb.env.app.test_cli_runner().invoke(args=["robots", "replay", str(call.id)])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.output)
    assert shown["status"] == "done" and shown["reply_status"] == "sent" and shown["runs"] == 1
    wf = rb.workflow(run["workflow_id"])
    assert wf["status"] == "completed" and wf["return_values"]["orders"] == 1


def test_replaying_an_answered_call_runs_it_again_and_records_that_nobody_waits(rb):
    deals = rb.orders(("1", "completed", 20))
    rb.run("customer_profile", deals["1"])
    [call] = rb.calls()
    out = rb.env.app.test_cli_runner().invoke(args=["robots", "replay", str(call.id)])
    shown = json.loads(out.output)
    assert shown["runs"] == 2 and shown["status"] == "done"
    assert shown["reply_status"] == "failed" and "no longer waits" in shown["reply_error"]
    missing = rb.env.app.test_cli_runner().invoke(args=["robots", "replay", "999999"])
    assert missing.exit_code != 0


def test_calls_are_listed_as_json_lines_by_portal_and_status(rb, monkeypatch):
    deals = rb.orders(("1", "completed", 20))
    rb.run("customer_profile", deals["1"])
    monkeypatch.setattr(profile, "customer_profile", lambda ctx: 1 / 0)
    rb.run("customer_profile", deals["1"])
    cli = rb.env.app.test_cli_runner()
    every = [json.loads(line) for line in cli.invoke(args=["robots", "calls", "--member-id", rb.shop.member_id])
             .output.splitlines()]
    assert [c["status"] for c in every] == ["failed", "done"]
    failed = cli.invoke(args=["robots", "calls", "--status", "failed"]).output.splitlines()
    assert len(failed) == 1 and json.loads(failed[0])["error"].startswith("ZeroDivisionError")
    assert cli.invoke(args=["robots", "calls", "--member-id", "nobody"]).output == (
        "Error: no installed portal with member_id nobody\n")

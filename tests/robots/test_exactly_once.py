"""A worker killed mid-action, right after the portal took the action's write: the call's next run finishes
the work without a second to-do, a second assignment turn or a second e-mail."""
from __future__ import annotations

import multiprocessing
import os

import pytest

from bitrix_app.rest.client import PortalClient
from bitrix_app.robots import runner
from tests.robots.robots_env import robots_env


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def _die_after(app, call_id: int, method: str) -> None:
    """Run the call in a forked worker that is killed as soon as the portal answered `method`."""
    call, batch_groups = PortalClient.call, PortalClient.batch_groups

    def dying_call(self, name, params=None):
        answer = call(self, name, params)
        if name == method:
            os._exit(137)
        return answer

    def dying_batch(self, groups, halt=False, writes=False):
        answer = batch_groups(self, groups, halt=halt, writes=writes)
        if any(m == method for group in groups for m, _ in group.values()):
            os._exit(137)
        return answer

    PortalClient.call, PortalClient.batch_groups = dying_call, dying_batch
    app.extensions["bitrix_app"]["engine"].dispose(close=False)
    with app.app_context():
        runner.run_call(call_id)
    os._exit(0)


def _crash_then_finish(rb, code: str, deal_id: int, props: dict, method: str) -> dict:
    run = rb.start(code, deal_id, props)
    [call] = [c for c in rb.calls() if c.event_token == rb.workflow(run["workflow_id"])["event_token"]]
    worker = multiprocessing.get_context("fork").Process(target=_die_after, args=(rb.env.app, call.id, method))
    worker.start()
    worker.join()
    assert worker.exitcode == 137  # the portal took the write; the worker never recorded it
    rb.env.work()  # the call's queued job runs it again
    wf = rb.workflow(run["workflow_id"])
    assert wf["status"] == "completed" and wf["return_values"]["status"] == "ok", wf
    return wf["return_values"]


def test_schedule_call_killed_after_the_todo_was_added_leaves_one_todo(rb):
    deals = rb.orders(("1", "paid", 1))
    values = _crash_then_finish(rb, "schedule_call", deals["1"], {"days": 2, "time": "11:00", "user": "user_3"},
                                "crm.activity.todo.add")
    todos = rb.env.rest("crm.activity.list", {"filter": {"PROVIDER_ID": "CRM_TODO", "OWNER_ID": deals["1"]},
                                              "select": ["ID"]})
    assert [int(t["ID"]) for t in todos] == [values["todo_id"]]


def test_assign_responsible_killed_after_the_update_keeps_its_turn(rb):
    deals = rb.orders(("a", "completed", 10, None, "+7 999 000-00-01", "a@example.com"),
                      ("b", "completed", 10, None, "+7 999 000-00-02", "b@example.com"))
    props = {"users": ["user_2", "user_3"]}
    first = _crash_then_finish(rb, "assign_responsible", deals["a"], props, "crm.deal.update")
    second = rb.run("assign_responsible", deals["b"], props)["return_values"]
    assert (first["assigned"], second["assigned"]) == ("user_2", "user_3")  # the crash did not use up a turn
    assert rb.env.rest("crm.deal.get", {"id": deals["a"]})["ASSIGNED_BY_ID"] == "2"


def test_send_message_killed_after_the_email_was_sent_sends_one_email(rb):
    deals = rb.orders(("1", "new", 0))
    values = _crash_then_finish(rb, "send_message", deals["1"], {"template": "payment_reminder", "channel": "email"},
                                "crm.activity.add")
    assert values["result"] == "sent", values
    emails = rb.env.rest("crm.activity.list", {"filter": {"TYPE_ID": 4, "OWNER_ID": deals["1"]}, "select": ["ID"]})
    assert len(emails) == 1

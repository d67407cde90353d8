"""Robot calls during a Redis outage: the portal hears 200 once the call is stored, and the sweeper queues
calls that never ran (or whose job died) so their workflows get their reply; effects still happen once."""
from __future__ import annotations

import json

import pytest
from rq import Queue
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import Job

from bitrix_app.robots import calls as calls_module
from bitrix_app.robots.sweeper import sweep_job
from bitrix_app.store.robot_models import RobotCall
from tests.robots.robots_env import robots_env


@pytest.fixture
def rb(shared_portal):
    return shared_portal(robots_env)  # built once per module, put back before each test


def test_a_call_whose_enqueue_fails_is_stored_answered_200_and_queued_by_the_sweeper(rb, monkeypatch):
    deals = rb.orders(("1", "completed", 20))

    def refused(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setattr(calls_module, "enqueue_job", refused)  # Redis refuses the enqueue
    run = rb.start("customer_profile", deals["1"])
    assert [p["status"] for p in rb.robot_posts()] == [200]
    [call] = rb.calls()
    assert call.status == "received"
    monkeypatch.undo()  # Redis is back
    rb.env.work()
    assert rb.workflow(run["workflow_id"])["status"] == "running"  # nothing was queued

    with rb.env.app.app_context():
        assert sweep_job() == []  # not stale yet: its enqueue may still be on its way
        rb.clock.advance(minutes=2)
        assert sweep_job() == [call.id]
        assert sweep_job() == []  # its job waits: queued once
    rb.env.work()
    wf = rb.workflow(run["workflow_id"])
    assert wf["status"] == "completed" and wf["return_values"]["orders"] == 1
    [view] = rb.call_views()
    assert view["status"] == "done" and view["reply_status"] == "sent" and view["runs"] == 1
    with rb.env.app.app_context():
        assert sweep_job() == []  # done calls are left alone


def test_a_running_call_whose_job_died_is_queued_again_and_its_effects_happen_once(rb):
    deals = rb.orders(("1", "completed", 20))
    run = rb.start("schedule_call", deals["1"], {"days": 2, "time": "11:00", "user": "user_3"})
    rb.env.work()
    [call] = rb.calls()
    todos = len(rb.env.calls("crm.activity.todo.add"))
    with rb.shop.session() as s:  # as if the worker died mid-action: the call is still running, its job gone
        s.get(RobotCall, call.id).status = "running"
    Queue("robots", connection=rb.env.redis).empty()
    Job.fetch(f"robot-call-{call.id}", connection=rb.env.redis).delete()
    rb.clock.advance(minutes=2)
    out = rb.env.app.test_cli_runner().invoke(args=["robots", "sweep"])
    assert out.exit_code == 0 and json.loads(out.output) == {"queued": [call.id]}
    rb.env.work()
    assert len(rb.env.calls("crm.activity.todo.add")) == todos  # the effect happened once
    assert rb.workflow(run["workflow_id"])["status"] == "completed"


def test_a_call_that_cannot_be_stored_gets_503_with_retry_after(make_app):
    from bitrix_app.phpform import flat

    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")  # nothing listens there
    body = {"workflow_id": "6571c4f0a1b2c3.12345678", "code": "customer_profile",
            "document_id": ["crm", "CCrmDocumentDeal", "DEAL_5"], "document_type": ["crm", "CCrmDocumentDeal", "DEAL"],
            "event_token": "6571c4f0a1b2c3.12345678|A1_2_3|abcdef", "properties": {}, "use_subscription": "Y",
            "timeout_duration": "660", "ts": "1793613600",
            "auth": {"member_id": "a" * 32, "domain": "shop.bitrix24.com", "application_token": "b" * 32,
                     "user_id": "1"}}
    from urllib.parse import urlencode

    res = app.test_client().post("/robots/customer_profile", data=urlencode(list(flat(body))),
                                 content_type="application/x-www-form-urlencoded")
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.headers["Retry-After"] == "30" and res.get_json()["error"] == "unavailable"

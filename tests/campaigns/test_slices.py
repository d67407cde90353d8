"""Campaign runs over many entries work in slices that queue each other; a run holds its portal only briefly."""
from __future__ import annotations

import pytest

from bitrix_app.campaigns import actions, execute, jobs, runner
from tests.campaigns.campaigns_env import campaigns_env


@pytest.fixture
def ce(portal_env):
    return campaigns_env(portal_env)


def test_a_run_with_more_entries_than_a_slice_finishes_them_all_in_one_run_of_the_worker(ce, monkeypatch):
    monkeypatch.setattr(execute, "MAX_ENTRIES", 2)
    ce.campaign(actions=[{"type": "deal"}])
    people = [ce.customer(name) for name in ("Ann", "Bob", "Cid", "Dan", "Eve")]
    for customer_id in people:
        ce.transition(customer_id)
    jobs.queue_run(ce.env.redis, ce.member_id)
    ce.env.work()  # no cron run in between: each slice queued the next
    assert [e.status for e in ce.entries()] == ["done"] * 5
    assert len(ce.deals()) == 5  # each entry's deal once


def test_a_run_holds_its_portal_with_a_short_renewed_lock_and_lets_go(ce, monkeypatch):
    ce.campaign(actions=[{"type": "deal"}])
    ce.transition(ce.customer("Ann"))
    seen, original = [], actions.run

    def watching(ctx, *args, **kwargs):
        seen.append(ctx.redis.pttl(runner.lock_key(ctx.member_id)))
        return original(ctx, *args, **kwargs)

    monkeypatch.setattr(actions, "run", watching)
    assert ce.run()["done"] == 1
    assert seen and all(0 < ttl <= runner.LOCK_SECONDS * 1000 for ttl in seen)  # a killed run frees it within 30 s
    assert ce.env.redis.exists(runner.lock_key(ce.member_id)) == 0


def test_a_run_for_an_unknown_portal_ends_quietly(ce, caplog):
    with ce.env.app.app_context(), caplog.at_level("INFO"):
        assert jobs.run_portal("no-such-portal") == {"skipped": "unknown portal"}
    assert "not installed" in caplog.text

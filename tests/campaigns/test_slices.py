"""Campaign runs over many entries work in slices that queue each other; a run holds its portal only briefly."""
from __future__ import annotations

import pytest

from bitrix_app.campaigns import actions, execute, jobs, runner
from tests.campaigns.campaigns_env import campaigns_env


def _portal(portal_env):
    return campaigns_env(portal_env)


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


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


def test_a_run_holds_its_portal_with_a_short_lock_it_renews_and_lets_go(ce, monkeypatch):
    monkeypatch.setattr(execute, "GROUP", 1)
    ce.campaign(actions=[{"type": "deal"}])
    for name in ("Ann", "Bob"):
        ce.transition(ce.customer(name))
    seen, original = [], actions.run

    def watching(ctx, *args, **kwargs):
        key = runner.lock_key(ctx.member_id)
        seen.append(ctx.redis.pttl(key))
        ctx.redis.pexpire(key, 1000)  # as if all but a second of the lock had passed since its last renewal
        return original(ctx, *args, **kwargs)

    monkeypatch.setattr(actions, "run", watching)
    assert ce.run()["done"] == 2
    # each group found the lock renewed to its full TTL (never more: a killed run frees the portal within 30 s)
    assert len(seen) == 2 and all(1000 < ttl <= runner.LOCK_SECONDS * 1000 for ttl in seen)
    assert ce.env.redis.exists(runner.lock_key(ce.member_id)) == 0


def _taken_by_another_run(ce) -> None:
    """This run stalled past its lock's TTL, and another run took the portal."""
    ce.env.redis.set(runner.lock_key(ce.member_id), "another-run", px=runner.LOCK_SECONDS * 1000)


def test_a_run_that_lost_its_lock_stops_between_groups_and_leaves_the_rest(ce, monkeypatch):
    monkeypatch.setattr(execute, "GROUP", 1)
    ce.campaign(actions=[{"type": "deal"}])
    for name in ("Ann", "Bob", "Cid"):
        ce.transition(ce.customer(name))
    original = actions.run

    def stalling(ctx, *args, **kwargs):
        _taken_by_another_run(ce)
        return original(ctx, *args, **kwargs)

    monkeypatch.setattr(actions, "run", stalling)
    counts = ce.run()
    assert (counts["lost"], counts["more"], counts["done"]) == (True, False, 1)  # no next slice: the other run has it
    assert [e.status for e in ce.entries()] == ["done", "pending", "pending"]
    assert len(ce.deals()) == 1
    assert ce.env.redis.get(runner.lock_key(ce.member_id)) in (b"another-run", "another-run")  # its lock is kept


def test_a_run_that_lost_its_lock_stops_between_rounds_of_transitions(ce, monkeypatch):
    monkeypatch.setattr(runner, "TRANSITIONS_PER_ROUND", 1)
    ce.campaign(actions=[{"type": "deal"}])
    for name in ("Ann", "Bob"):
        ce.transition(ce.customer(name))
    original = runner._consume

    def stalling(ctx, counts):
        more = original(ctx, counts)
        _taken_by_another_run(ce)
        return more

    monkeypatch.setattr(runner, "_consume", stalling)
    counts = ce.run()
    assert (counts["lost"], counts["transitions"], counts["entered"]) == (True, 1, 1)
    assert ce.open_transitions() == 1 and [e.status for e in ce.entries()] == ["pending"]  # no actions ran


def test_a_scheduled_run_that_lost_its_lock_stops_between_rounds_and_a_later_run_finishes_it(ce, monkeypatch):
    monkeypatch.setattr(runner, "CUSTOMERS_PER_ROUND", 1)
    ce.campaign(trigger="weekly", weekday=0, hour=10, actions=[{"type": "deal"}])
    for name in ("Ann", "Bob"):
        ce.customer(name)
    original = runner._last_entered

    def stalling(*args):
        _taken_by_another_run(ce)
        return original(*args)

    monkeypatch.setattr(runner, "_last_entered", stalling)
    counts = ce.run()
    assert (counts["lost"], counts["entered"], counts["scheduled"]) == (True, 1, [])
    monkeypatch.setattr(runner, "_last_entered", original)
    ce.env.redis.delete(runner.lock_key(ce.member_id))  # the other run ended
    counts = ce.run()
    assert (counts["entered"], counts["scheduled"]) == (1, [{"campaign": "WIN_BACK", "run_key": "s:2026-W45"}])
    assert [e.status for e in ce.entries()] == ["done", "done"]


def test_a_run_for_an_unknown_portal_ends_quietly(ce, caplog):
    with ce.env.app.app_context(), caplog.at_level("INFO"):
        assert jobs.run_portal("no-such-portal") == {"skipped": "the portal is not installed"}
    assert "campaign run for member_id no-such-portal skipped: no such portal" in caplog.text

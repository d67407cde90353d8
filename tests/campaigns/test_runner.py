"""Campaigns run against the sandbox portal: actions once, retries, cooldown, holdout, schedules, policy stops."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from bitrix_app.campaigns.holdout import bucket, in_holdout
from bitrix_app.store.campaign_models import CampaignEntry
from bitrix_app.store.db import transaction
from bitrix_app.store.models import PortalRecord
from tests.campaigns.campaigns_env import campaigns_env
from tests.fixtures.shop_env import T0


def _portal(portal_env):
    return campaigns_env(portal_env)


@pytest.fixture
def ce(shared_portal):
    return shared_portal(_portal)


def _results(entry) -> dict:
    return {int(k): v for k, v in entry.results.items()}


def test_an_enter_transition_runs_every_action_once(ce):
    ce.campaign()
    ann = ce.customer("Ann")
    moved = ce.transition(ann)
    counts = ce.run()
    assert (counts["transitions"], counts["entered"], counts["holdout"], counts["done"]) == (1, 1, 0, 1)
    [entry] = ce.entries()
    assert (entry.status, entry.reached, entry.holdout, entry.run_key) == ("done", True, False, f"t:{moved}")
    results = _results(entry)
    assert [results[n]["status"] for n in range(5)] == ["done"] * 5
    code = results[0]["code"]
    assert code.startswith("BACK-") and results[0]["discount"] == "15%"
    [deal] = ce.deals()
    assert int(deal["ID"]) == results[1]["deal_id"]
    assert deal["STAGE_ID"] == f"C{ce.repeat_category()}:NEW" and deal["TITLE"] == "Win back: Ann Lee"
    assert (deal["ORIGINATOR_ID"], deal["ORIGIN_ID"]) == ("campaigns", f"campaign:{entry.id}")
    assert int(deal["CONTACT_ID"]) == ce.contact_of(ann)
    [mail] = ce.emails()
    assert (int(mail["OWNER_TYPE_ID"]), int(mail["OWNER_ID"])) == (2, int(deal["ID"]))
    assert code in mail["DESCRIPTION"] and "15%" in mail["DESCRIPTION"] and "Hello Ann" in mail["DESCRIPTION"]
    [message] = ce.messages("email")
    assert (message.status, message.template, message.marketing, message.key) == (
        "sent", "we_miss_you", True, f"campaign:{entry.id}:2")
    assert [m.status for m in ce.messages("todo")] == ["sent"] and [m.status for m in ce.messages("notify")] == ["sent"]
    assert len(ce.calls("crm.activity.todo.add")) == 1 and len(ce.calls("im.notify.system.add")) == 1
    assert ce.open_transitions() == 0


def test_a_retried_run_does_nothing_twice(ce):
    ce.campaign()
    ann = ce.customer("Ann")
    ce.transition(ann)
    ce.run()
    again = ce.run()  # the transition is handled: nothing to enter, nothing pending
    assert (again["transitions"], again["entered"], again["done"]) == (0, 0, 0)
    code = _results(ce.entries()[0])[0]["code"]
    # a run that died after the portal took every action but before it stored the results
    with transaction(ce.factory()) as s:
        s.execute(update(CampaignEntry).values(status="pending", results={}, reached=False))
    assert ce.run()["done"] == 1
    [entry] = ce.entries()
    results = _results(entry)
    assert results[0]["code"] == code and results[1]["detail"] == "found from an earlier attempt"
    assert len(ce.deals()) == 1 and len(ce.emails()) == 1
    assert len(ce.calls("crm.activity.todo.add")) == 1
    assert len(ce.messages("email")) == 1 and ce.messages("email")[0].status == "sent"


def test_cooldown_blocks_reentry_and_lets_it_through_after(ce):
    ce.campaign(cooldown_days=30, actions=[{"type": "deal"}])
    ann = ce.customer("Ann")
    ce.transition(ann)
    assert ce.run()["entered"] == 1
    ce.clock.advance(days=29, hours=23, minutes=59)
    ce.transition(ann)
    blocked = ce.run()
    assert (blocked["entered"], blocked["cooldown"], blocked["transitions"]) == (0, 1, 1)
    assert ce.open_transitions() == 0
    ce.clock.advance(minutes=1)  # exactly 30 days after the first entry
    ce.transition(ann)
    assert ce.run()["entered"] == 1
    assert [e.run_key.startswith("t:") for e in ce.entries()] == [True, True]
    assert len(ce.deals()) == 2


def test_a_customer_who_left_again_and_other_transitions_are_consumed_without_entry(ce):
    ce.campaign(actions=[{"type": "deal"}])
    ann, bob = ce.customer("Ann"), ce.customer("Bob", segments=("LOYAL_ACTIVE",))
    ce.transition(ann)
    ce.set_segments(ann, "PROMISING_LOST")  # moved on before the campaign ran
    ce.transition(bob, "LOYAL_ACTIVE")
    ce.transition(bob, "NEW_ACTIVE", change="leave")
    counts = ce.run()
    assert (counts["transitions"], counts["entered"], counts["left"]) == (3, 0, 1)
    assert ce.entries() == [] and ce.open_transitions() == 0


def test_holdout_gets_an_entry_but_nothing_else_and_is_stable(ce):
    ce.campaign(holdout_percent=50, actions=[{"type": "deal"}, {"type": "message", "template": "welcome"}])
    people = [ce.customer(name) for name in ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal")]
    for person in people:
        ce.transition(person)
    counts = ce.run()
    held = {e.customer_id for e in ce.entries() if e.holdout}
    assert held == {p for p in people if in_holdout("WIN_BACK", p, 50)}
    assert counts["holdout"] == len(held) and counts["entered"] == len(people) - len(held)
    assert 0 < len(held) < len(people)
    for e in ce.entries():
        assert (e.status, e.reached, e.results) == (("holdout", False, {}) if e.holdout else ("done", True, e.results))
    assert len(ce.deals()) == len(people) - len(held) == len(ce.messages("email"))
    assert bucket("WIN_BACK", 42) == bucket("WIN_BACK", 42) == 83  # the same on every machine and run


def test_a_weekly_run_enters_everyone_in_the_segment_once_per_period(ce):
    ce.clock.advance(hours=-1)  # Monday 09:00 UTC, before the slot
    ce.campaign(trigger="weekly", weekday=0, hour=10, cooldown_days=7, actions=[{"type": "deal"}])
    inside = [ce.customer(name) for name in ("Ann", "Bob", "Cat")]
    ce.customer("Dan", segments=("LOYAL_ACTIVE",))
    assert ce.run()["scheduled"] == []
    ce.clock.advance(hours=1)
    counts = ce.run()
    assert counts["scheduled"] == [{"campaign": "WIN_BACK", "run_key": "s:2026-W45"}] and counts["entered"] == 3
    assert sorted(e.customer_id for e in ce.entries()) == sorted(inside)
    ce.clock.advance(days=3)
    assert ce.run()["scheduled"] == []  # this week's run is done
    ce.clock.advance(days=4)  # next Monday 10:00: 7 days after the entries, the cooldown is over
    counts = ce.run()
    assert counts["entered"] == 3 and {e.run_key for e in ce.entries()} == {"s:2026-W45", "s:2026-W46"}
    assert len(ce.deals()) == 6


def test_running_a_scheduled_campaign_now_respects_its_cooldown(ce):
    ce.campaign(trigger="monthly", day_of_month=28, cooldown_days=30, actions=[{"type": "deal"}])
    ce.customer("Ann")
    assert ce.run("win_back")["entered"] == 1
    assert ce.run("WIN_BACK")["entered"] == 0  # the same minute: the same run
    ce.clock.advance(hours=1)
    again = ce.run("WIN_BACK")
    assert (again["entered"], again["cooldown"]) == (0, 1)
    ce.clock.advance(days=30)
    assert ce.run("WIN_BACK")["entered"] == 1
    assert [e.run_key for e in ce.entries()] == [f"now:{T0:%Y%m%dT%H%M}", f"now:{ce.clock.now():%Y%m%dT%H%M}"]
    assert ce.run()["scheduled"] == []  # the 28th has not come yet: no scheduled run


def test_policy_stops_are_recorded_not_lost(ce):
    ce.campaign(actions=[{"type": "message", "template": "welcome", "channel": "email"}, {"type": "deal"}])
    ann = ce.customer("Ann", consent_email=False)
    ce.transition(ann)
    assert ce.run()["done"] == 1
    [entry] = ce.entries()
    results = _results(entry)
    assert results[0]["status"] == "skipped" and "did not consent" in results[0]["detail"]
    assert results[1]["status"] == "done" and entry.reached  # the deal still reached the staff
    [message] = ce.messages("email") or ce.messages()
    assert message.status == "skipped" and "did not consent" in message.reason and message.key.endswith(":0")
    assert ce.emails() == []


def test_quiet_hours_defer_a_message_and_a_later_run_sends_it(ce):
    ce.clock.advance(hours=12)  # 22:00 UTC: quiet hours until 09:00
    ce.campaign(actions=[{"type": "message", "template": "welcome", "channel": "email"}])
    ann = ce.customer("Ann")
    ce.transition(ann)
    assert ce.run()["waiting"] == 1
    [entry] = ce.entries()
    assert entry.status == "pending" and _results(entry)[0]["status"] == "deferred"
    assert ce.messages("email")[0].status == "deferred" and ce.emails() == []
    ce.clock.advance(hours=2)
    assert ce.run()["done"] == 0  # still quiet: not due yet
    ce.clock.advance(hours=9)
    assert ce.run()["done"] == 1
    assert ce.entries()[0].status == "done" and len(ce.emails()) == 1


def _repeat_pipeline(ce, category):
    with transaction(ce.factory()) as s:
        s.execute(update(PortalRecord).where(PortalRecord.member_id == ce.member_id).values(
            repeat_category_id=category))


def test_a_failed_action_is_retried_with_backoff_and_later_actions_wait_for_it(ce):
    ce.campaign(actions=[{"type": "deal"}, {"type": "todo", "days": 2}])
    category = ce.repeat_category()
    _repeat_pipeline(ce, None)  # a portal set up before the repeat-sales pipeline existed
    ce.transition(ce.customer("Ann"))
    assert ce.run()["waiting"] == 1
    [entry] = ce.entries()
    assert (entry.status, entry.attempts, _results(entry)[0]["status"]) == ("pending", 1, "error")
    assert "portals sync" in _results(entry)[0]["detail"] and 1 not in _results(entry)
    assert ce.calls("crm.activity.todo.add") == []  # the to-do waits for its deal
    ce.clock.advance(minutes=14)
    assert ce.run()["waiting"] == 0  # not due yet
    ce.clock.advance(minutes=1)
    _repeat_pipeline(ce, category)
    assert ce.run()["done"] == 1
    [entry] = ce.entries()
    [deal] = ce.deals()
    assert entry.status == "done" and _results(entry)[1]["status"] == "done"
    assert len(ce.calls("crm.activity.todo.add")) == 1
    [todo] = ce.env.rest("crm.activity.list", {"filter": {"OWNER_TYPE_ID": 2, "OWNER_ID": deal["ID"]},
                                               "select": ["ID", "SUBJECT", "DEADLINE"]})
    assert todo["SUBJECT"] == "Win back: call Ann Lee"


def test_an_entry_gives_up_after_five_attempts(ce):
    ce.campaign(actions=[{"type": "deal"}])
    _repeat_pipeline(ce, None)
    ce.transition(ce.customer("Ann"))
    for _ in range(4):
        assert ce.run()["waiting"] == 1
        ce.clock.advance(hours=12)
    assert ce.run()["failed"] == 1
    assert [(e.status, e.attempts) for e in ce.entries()] == [("failed", 5)]
    ce.clock.advance(days=1)
    assert ce.run()["failed"] == 0  # given up: never run again


def test_a_disabled_campaign_enters_nobody_and_its_pending_entries_wait(ce):
    ce.campaign(actions=[{"type": "deal"}])
    category = ce.repeat_category()
    _repeat_pipeline(ce, None)
    ce.transition(ce.customer("Ann"))
    assert ce.run()["waiting"] == 1
    cli = ce.env.app.test_cli_runner()
    cli.invoke(args=["campaigns", "disable", "--member-id", ce.member_id, "--code", "WIN_BACK"])
    _repeat_pipeline(ce, category)
    ce.clock.advance(hours=1)
    ce.transition(ce.customer("Bob"))
    stopped = ce.run()
    assert (stopped["entered"], stopped["done"], ce.open_transitions()) == (0, 0, 0)
    assert [e.status for e in ce.entries()] == ["pending"] and ce.deals() == []
    cli.invoke(args=["campaigns", "disable", "--member-id", ce.member_id, "--code", "WIN_BACK", "--enable"])
    assert ce.run()["done"] == 1 and len(ce.deals()) == 1

"""Retried, duplicated and lost work never makes a second deal, a second to-do or a second e-mail."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from bitrix_app.carts import timers
from bitrix_app.rest.client import PortalClient
from bitrix_app.store.shop_models import Cart, InboxEvent
from tests.carts.carts_env import carts_env, cart_event


@pytest.fixture
def carts(shared_portal):
    return shared_portal(carts_env)  # built once per module, put back before each test


def _lose_answers(monkeypatch, method: str, times: int = 1) -> dict:
    """The portal runs the write batches that contain `method`, but their answers never arrive."""
    original = PortalClient.batch_groups
    lost = {"left": times, "lost": 0}

    def losing(self, groups, halt=False, writes=False):
        result = original(self, groups, halt=halt, writes=writes)
        if writes and lost["left"] and any(m == method for g in groups for m, _p in g.values()):
            lost["left"] -= 1
            lost["lost"] += 1
            result.fail([label for g in groups for label in g], "connection reset after the request was sent")
        return result

    monkeypatch.setattr(PortalClient, "batch_groups", losing)
    return lost


def test_a_lost_answer_to_the_deal_and_todo_writes_makes_no_duplicates(carts, monkeypatch):
    lost = _lose_answers(monkeypatch, "crm.deal.add")
    carts.post(cart_event("R1"))
    carts.tick(minutes=61)
    assert lost["lost"] == 1
    assert len(carts.shop.deals()) == 1 and len(carts.todos()) == 1  # the portal did take them
    [step] = carts.inbox("cart.abandon_due")
    assert step.status == "pending" and step.attempts == 1 and "outcome unknown" in step.last_error
    assert carts.cart("R1").state == "open" and carts.emails() == []

    carts.tick(minutes=1)  # the retry finds the deal by ORIGIN_ID and its to-do
    [deal] = carts.shop.deals()
    assert len(carts.todos(deal["ID"])) == 1
    cart = carts.cart("R1")
    assert (cart.state, cart.deal_id, cart.todo_done) == ("abandoned", int(deal["ID"]), True)
    assert len(carts.emails()) == 1


def test_a_lost_answer_to_the_reminder_sends_no_second_email(carts, monkeypatch):
    lost = _lose_answers(monkeypatch, "crm.activity.add")
    carts.post(cart_event("R2"))
    carts.tick(minutes=61)
    assert lost["lost"] == 1 and len(carts.emails()) == 1
    [step] = carts.inbox("cart.reminder_due")
    assert step.status == "pending" and "outcome unknown" in step.last_error
    carts.tick(minutes=1)
    assert len(carts.emails()) == 1
    [step] = carts.inbox("cart.reminder_due")
    assert step.status == "done" and carts.cart("R2").reminders_sent == 1


def test_timers_sweeps_and_replays_never_queue_or_do_a_step_twice(carts):
    carts.post(cart_event("R3"))
    carts.clock.advance(minutes=61)
    ext = carts.ext
    with carts.shop.env.app.app_context():
        assert timers.due(carts.shop.member_id, carts.shop.shop_id, "R3") == 1  # the timer alone is enough
        assert timers.due(carts.shop.member_id, carts.shop.shop_id, "R3") == 0
    assert timers.sweep(ext["sessions"], ext["redis"], carts.clock.now()) == {}
    carts.shop.work()
    assert len(carts.inbox("cart.abandon_due")) == 1 and len(carts.inbox("cart.reminder_due")) == 1
    [deal] = carts.shop.deals()

    # the drain died after the portal took everything but before our rows were written: replay it all
    with carts.shop.session() as s:
        s.execute(update(Cart).where(Cart.cart_id == "R3").values(
            state="open", deal_id=None, todo_done=False, reminders_sent=0))
        s.execute(update(InboxEvent).where(InboxEvent.type.in_(("cart.abandon_due", "cart.reminder_due"))).values(
            status="pending", attempts=0, next_attempt_at=carts.clock.now()))
    carts.tick(seconds=1)
    assert [d["ID"] for d in carts.shop.deals()] == [deal["ID"]]
    assert len(carts.todos()) == 1 and len(carts.emails()) == 1
    cart = carts.cart("R3")
    assert (cart.state, cart.deal_id, cart.todo_done, cart.reminders_sent) == ("abandoned", int(deal["ID"]), True, 1)

    # a replay of steps already done does nothing at all
    calls = len(carts.shop.env.calls())
    with carts.shop.session() as s:
        s.execute(update(InboxEvent).where(InboxEvent.type.in_(("cart.abandon_due", "cart.reminder_due"))).values(
            status="pending", attempts=0, next_attempt_at=carts.clock.now()))
    carts.tick(seconds=1)
    assert len(carts.shop.env.calls()) == calls
    assert {e.status for e in carts.inbox("cart.abandon_due") + carts.inbox("cart.reminder_due")} == {"skipped"}


def test_a_cart_the_portal_refuses_for_its_currency_is_a_dead_letter_at_once(carts):
    event = cart_event("R9")
    event["data"]["currency"] = "GBP"  # an ISO code the portal does not have (its list not cached at the edge)
    carts.shop.env.redis.delete(f"bitrix_app:currencies:{carts.shop.member_id}")
    carts.post(event)
    carts.tick(minutes=61)
    [step] = carts.inbox("cart.abandon_due")
    assert (step.status, step.attempts) == ("failed", 1)
    assert "refused the currency" in step.last_error and 'Invalid value for the "Currency" field' in step.last_error
    assert carts.shop.deals() == [] and carts.emails() == []

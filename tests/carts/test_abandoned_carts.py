"""Abandoned carts end to end over the sandbox portal: the deal, the call to-do, reminders and what stops them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.carts.carts_env import carts_env, cart_event, cleared_event
from tests.fixtures.shop_env import T0, order_event


@pytest.fixture
def carts(shared_portal):
    return shared_portal(carts_env)  # built once per module, put back before each test


def _deals(carts):
    return [d for d in carts.shop.deals() if str(d["ORIGIN_ID"]).startswith("cart:")]


def test_a_cart_left_for_an_hour_becomes_a_deal_with_a_call_todo_and_reminders(carts):
    carts.post(cart_event("C1"))
    carts.tick(minutes=59)
    assert carts.shop.deals() == [] and carts.emails() == []

    carts.tick(minutes=2)  # 61 minutes after the last update
    [deal] = carts.shop.deals()
    assert deal["STAGE_ID"] == carts.shop.stage("ABANDONED")
    assert (deal["ORIGINATOR_ID"], deal["ORIGIN_ID"]) == (carts.shop.shop_id, "cart:C1")
    assert float(deal["OPPORTUNITY"]) == 540.0 and deal["CURRENCY_ID"] == "EUR"
    [contact] = carts.shop.contacts()
    assert deal["CONTACT_ID"] == contact["ID"]
    rows = carts.shop.rows(deal["ID"])
    assert [(r["PRODUCT_NAME"], float(r["QUANTITY"])) for r in rows] == [
        ("City bike [BIKE-1]", 1.0), ("Front lamp [LAMP-3]", 2.0)]
    [todo] = carts.todos(deal["ID"])
    assert "abandoned cart" in todo["SUBJECT"] and "City bike" in todo["DESCRIPTION"]
    assert str(todo["RESPONSIBLE_ID"]) == str(deal["ASSIGNED_BY_ID"])

    [mail] = carts.emails()  # the first reminder is due at the same moment (60 minutes)
    assert (mail["OWNER_TYPE_ID"], mail["OWNER_ID"]) == (2, deal["ID"]) or (
        str(mail["OWNER_TYPE_ID"]), str(mail["OWNER_ID"])) == ("2", str(deal["ID"]))
    assert str(mail["DIRECTION"]) == "2" and mail["COMPLETED"] == "Y"
    assert [c["VALUE"] for c in mail["COMMUNICATIONS"]] == ["ann@example.com"]
    assert "Bike shop" in mail["SUBJECT"] and "City bike" in mail["DESCRIPTION"] and "540.00 EUR" in mail["DESCRIPTION"]
    assert carts.cart("C1").state == "abandoned" and carts.cart("C1").reminders_sent == 1

    carts.tick(hours=22)
    assert len(carts.emails()) == 1
    carts.tick(hours=1)  # 24 hours after the last update
    assert len(carts.emails()) == 2
    carts.tick(days=3)
    assert len(carts.emails()) == 2 and len(carts.todos()) == 1 and len(carts.shop.deals()) == 1


def test_an_order_before_the_reminder_cancels_it_and_takes_over_the_deal(carts):
    carts.settings(reminder_minutes=[120, 1440])
    carts.post(cart_event("C2"))
    carts.tick(minutes=61)
    [abandoned] = carts.shop.deals()
    assert abandoned["STAGE_ID"] == carts.shop.stage("ABANDONED") and carts.emails() == []

    carts.clock.advance(minutes=10)
    carts.post(order_event("O2", status="paid", version=carts.clock.now(), cart_id="C2"))
    cart = carts.cart("C2")
    assert cart.state == "ordered" and cart.order_id == "O2"
    [deal] = carts.shop.deals()
    assert deal["ID"] == abandoned["ID"] and deal["ORIGIN_ID"] == "O2"
    assert deal["STAGE_ID"] == carts.shop.stage("PAID")

    carts.tick(hours=1)
    carts.tick(days=2)
    assert carts.emails() == []
    reminders = carts.inbox("cart.reminder_due")
    assert all(r.status == "skipped" for r in reminders)


def test_an_order_of_the_same_customer_without_the_cart_id_also_stops_everything(carts):
    carts.post(cart_event("C3"))
    carts.clock.advance(minutes=30)
    carts.post(order_event("O3", version=carts.clock.now()))  # same phone and e-mail, no cart_id
    carts.tick(minutes=31)
    carts.tick(days=2)
    assert carts.cart("C3").state == "ordered"
    assert carts.emails() == [] and carts.todos() == [] and _deals(carts) == []


def test_a_reminder_due_in_the_same_window_as_the_order_is_not_sent(carts):
    carts.settings(reminder_minutes=[120, 1440])
    carts.post(cart_event("C4"))
    carts.tick(minutes=61)
    carts.clock.advance(minutes=70)  # the reminder is due now, but nothing ran yet
    res = carts.shop.post(order_event("O4", version=carts.clock.now(), cart_id="C4"))
    assert res.status_code == 202
    carts.tick(seconds=1)  # the sweeper queues the reminder; the drain sees the order first
    assert carts.emails() == []
    assert carts.cart("C4").state == "ordered"


def test_carts_older_than_the_feature_are_never_reminded(carts):
    carts.settings(carts_enabled=False)
    carts.settings(carts_enabled=True)  # the feature starts now (T0)
    carts.post(cart_event("OLD", version=T0 - timedelta(minutes=30)))
    carts.tick(days=2)
    assert carts.cart("OLD").state == "ignored"
    assert carts.shop.deals() == [] and carts.emails() == [] and carts.todos() == []


def test_switched_off_carts_are_ignored(carts):
    carts.settings(carts_enabled=False)
    carts.post(cart_event("OFF"))
    carts.tick(days=2)
    assert carts.cart("OFF").state == "ignored" and carts.shop.deals() == [] and carts.emails() == []


def test_no_email_without_consent_but_the_deal_and_call_still_happen(carts):
    carts.post(cart_event("C5", consent_email=False))
    carts.tick(minutes=61)
    carts.tick(days=2)
    [deal] = carts.shop.deals()
    assert len(carts.todos(deal["ID"])) == 1
    assert carts.emails() == []
    reminders = carts.inbox("cart.reminder_due")
    assert reminders and all(r.status == "skipped" and "consent" in r.last_error for r in reminders)


def test_a_customer_who_withdrew_consent_later_gets_no_email(carts):
    carts.post(cart_event("C6"))
    carts.clock.advance(minutes=5)
    withdrawn = {"event_id": "cu-1", "type": "customer.updated", "occurred_at": carts.clock.now().isoformat(),
                 "data": {"updated_at": carts.clock.now().isoformat(), "customer": {
                     "email": "ann@example.com", "phone": "+7 999 123-45-67", "consent": {"email": False}}}}
    carts.post(withdrawn)
    carts.tick(minutes=60)
    assert len(carts.shop.deals()) == 1 and carts.emails() == []


def test_quiet_hours_postpone_the_reminder_to_the_morning(carts):
    carts.clock.advance(hours=10, minutes=30)  # 20:30 UTC; quiet hours 21:00-09:00
    carts.post(cart_event("C7", version=carts.clock.now()))
    carts.tick(minutes=61)  # 21:31: the deal is made, the e-mail waits
    [deal] = carts.shop.deals()
    assert carts.emails() == []
    [todo] = carts.todos(deal["ID"])
    deadline = datetime.fromisoformat(todo["DEADLINE"])  # an hour after quiet hours end
    assert deadline == datetime(2026, 11, 3, 10, 0, tzinfo=timezone.utc)
    [reminder] = carts.inbox("cart.reminder_due")
    assert reminder.status == "pending" and "quiet hours" in reminder.last_error
    carts.tick(hours=11)  # 08:31
    assert carts.emails() == []
    carts.tick(minutes=30)  # 09:01
    assert len(carts.emails()) == 1


def test_cart_updates_postpone_and_stale_ones_change_nothing(carts):
    carts.post(cart_event("C8"))
    carts.clock.advance(minutes=50)
    carts.post(cart_event("C8", version=carts.clock.now(), items=[
        {"sku": "BELL-9", "name": "Bell", "price": "5.00", "quantity": 1}]))
    carts.post(cart_event("C8", version=T0 + timedelta(minutes=10)))  # late delivery of an older version
    [stale] = [r for r in carts.inbox("cart.updated") if r.version and r.status == "skipped"]
    assert "stale" in stale.last_error
    carts.tick(minutes=15)  # 65 minutes after the first version, 15 after the last one
    assert carts.shop.deals() == []
    carts.tick(minutes=50)
    [deal] = carts.shop.deals()
    assert [r["PRODUCT_NAME"] for r in carts.shop.rows(deal["ID"])] == ["Bell [BELL-9]"]


def test_a_cleared_cart_is_never_reminded(carts):
    carts.post(cart_event("C9"))
    carts.clock.advance(minutes=20)
    carts.post(cleared_event("C9", carts.clock.now()))
    carts.tick(days=2)
    assert carts.cart("C9").state == "cleared" and carts.shop.deals() == [] and carts.emails() == []


def test_a_cart_without_phone_or_email_is_ignored(carts):
    carts.post(cart_event("C10", email=None, phone=None))
    carts.tick(days=2)
    assert carts.cart("C10").state == "ignored" and carts.shop.deals() == []


def test_a_checkout_that_clears_the_cart_first_still_takes_over_the_abandoned_deal(carts):
    carts.settings(reminder_minutes=[120, 1440])
    carts.post(cart_event("C11"))
    carts.tick(minutes=61)
    [abandoned] = carts.shop.deals()
    carts.clock.advance(minutes=5)
    carts.post(cleared_event("C11", carts.clock.now()),
               order_event("O11", status="paid", version=carts.clock.now(), cart_id="C11"))
    [deal] = carts.shop.deals()
    assert deal["ID"] == abandoned["ID"] and deal["STAGE_ID"] == carts.shop.stage("PAID")
    carts.tick(days=2)
    assert carts.emails() == []

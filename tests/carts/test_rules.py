"""The cart rules and the messaging choices as pure functions (no portal, no database)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from bitrix_app import messaging
from bitrix_app.carts import rules
from bitrix_app.clock import FrozenClock
from bitrix_app.shops.settings import ShopSettings
from bitrix_app.store.shop_models import Cart

T = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def _cart(state="open", version=T, reminders_sent=0, cart_id="C1") -> Cart:
    data = {"customer": {"email_key": "ann@example.com", "phone_e164": None, "consent": {"email": True}},
            "items": [{"sku": "A", "name": "A", "price": "1.00", "quantity": "1"}], "total": "1.00", "currency": "EUR"}
    return Cart(shop_id="s1", member_id="m1", cart_id=cart_id, state=state, data=data, version=version,
                first_seen_at=T, reminders_sent=reminders_sent, todo_done=False)


def test_the_abandonment_is_due_after_the_delay_and_only_for_open_carts():
    settings = ShopSettings()
    assert rules.due_steps(_cart(), settings, T + timedelta(minutes=59)) == []
    assert rules.due_steps(_cart(), settings, T + timedelta(minutes=60)) == [(rules.ABANDON, 0)]
    for state in ("ordered", "cleared", "ignored"):
        assert rules.due_steps(_cart(state), settings, T + timedelta(days=3)) == []
    assert rules.next_moment(_cart(), settings, T) == T + timedelta(minutes=60)


def test_only_the_latest_due_reminder_is_queued_and_none_after_the_last():
    settings = ShopSettings()
    abandoned = _cart("abandoned")
    assert rules.due_steps(abandoned, settings, T + timedelta(minutes=61)) == [(rules.REMIND, 1)]
    assert rules.due_steps(abandoned, settings, T + timedelta(days=2)) == [(rules.REMIND, 2)]
    assert rules.next_moment(abandoned, settings, T + timedelta(minutes=61)) == T + timedelta(hours=24)
    done = _cart("abandoned", reminders_sent=2)
    assert rules.due_steps(done, settings, T + timedelta(days=9)) == []
    assert rules.next_moment(done, settings, T + timedelta(days=9)) is None


def test_carts_before_the_feature_or_with_it_off_have_no_steps():
    later = ShopSettings(carts_enabled_at=T + timedelta(minutes=1))
    assert not rules.eligible(later, T) and rules.due_steps(_cart(), later, T + timedelta(days=1)) == []
    off = ShopSettings(carts_enabled=False)
    assert rules.next_moment(_cart(), off, T) is None


def test_step_ids_are_stable_short_and_per_version():
    long_id = "x" * 100
    cart = _cart(cart_id=long_id)
    event_id = rules.step_event_id(rules.ABANDON, cart, 0)
    assert len(event_id) <= 120 and event_id == rules.step_event_id(rules.ABANDON, _cart(cart_id=long_id), 0)
    assert event_id != rules.step_event_id(rules.ABANDON, _cart(cart_id=long_id, version=T + timedelta(seconds=1)), 0)
    assert rules.step_event_id(rules.REMIND, cart, 1) != rules.step_event_id(rules.REMIND, cart, 2)
    assert rules.step_payload(rules.REMIND, _cart(), 2)["data"] == {
        "cart_id": "C1", "version": T.isoformat(), "round": rules.round_of(_cart()), "n": 2}


def _ctx(now: datetime, **settings):
    return SimpleNamespace(member_id="m1", sessions=None, cipher=None, settings=ShopSettings(**settings),
                           clock=FrozenClock(now), client=None, responsible_id=1)


def _message(**recipient) -> messaging.Message:
    who = messaging.Recipient(contact_id=7, **recipient)
    return messaging.Message(key="k1", source="s1", recipient=who, subject="S", text="T", owner_type_id=2, owner_id=5)


def test_quiet_hours_postpone_every_message():
    delivery = messaging.send(_ctx(T.replace(hour=22)), _message(email="a@b.io", consent_email=True))
    assert delivery.status == "later" and delivery.until == T.replace(hour=9) + timedelta(days=1)


def test_no_consent_or_no_address_means_unreachable():
    no_consent = messaging.send(_ctx(T), _message(email="a@b.io", consent_email=False))
    assert no_consent.status == "unreachable" and "consent" in no_consent.detail
    no_address = messaging.send(_ctx(T), _message(email=None, consent_email=True))
    assert no_address.status == "unreachable" and "no e-mail" in no_address.detail

"""Abandoned-cart reminders go through the same policy: a recent marketing e-mail caps the first reminder."""
from __future__ import annotations

from sqlalchemy import select

from bitrix_app.messaging import journal
from bitrix_app.messaging.message import Message, Recipient
from bitrix_app.store.message_models import MessageRecord
from tests.carts.carts_env import cart_event, carts_env


def test_a_reminder_within_the_email_cap_is_skipped_and_recorded(portal_env):
    carts = carts_env(portal_env)
    earlier = Message(key="campaign:autumn:ann", source="campaign", subject="Autumn sale", text="…", owner_type_id=3,
                      owner_id=1, template="we_miss_you",
                      recipient=Recipient(contact_id=None, email="ann@example.com", consent_email=True))
    with carts.shop.session() as s:  # a campaign e-mail went out just now
        journal.write(s, carts.shop.member_id, earlier, journal.SENT, carts.clock.now(), channel="email",
                      transport="crm", address="ann@example.com")
    carts.post(cart_event("P1"))
    carts.tick(minutes=61)
    assert len(carts.shop.deals()) == 1 and carts.emails() == []
    [first] = carts.inbox("cart.reminder_due")
    assert first.status == "skipped" and "frequency cap" in first.last_error

    carts.tick(hours=23)  # reminder 2, 24 h after the cart: the 16-hour cap is over
    [mail] = carts.emails()
    assert mail["SUBJECT"].startswith("Still thinking it over?")
    with carts.shop.session() as s:
        rows = {r.key: r for r in s.scalars(select(MessageRecord).where(MessageRecord.template.like("abandoned%")))}
    assert sorted((r.template, r.status) for r in rows.values()) == [
        ("abandoned_cart", "skipped"), ("abandoned_cart_followup", "sent")]

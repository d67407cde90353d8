"""The policy on the test database with a real (local) SMS gateway: quiet hours, caps, consent, duplicates."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.messaging import zones
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessageRecord
from tests.messaging.conftest import T0
from tests.fixtures.portal_row import add_portal

RU, DE, UK = "+79991234567", "+4915112345678", "+447700900123"


def _message(key, template="we_miss_you", phone=RU, marketing=True, consent_sms=True, email=None,
             consent_email=False, channels=("sms",)):
    who = messaging.Recipient(contact_id=None, name="Ann", email=email, phone=phone, consent_email=consent_email,
                              consent_sms=consent_sms)
    return messaging.Message(key=key, source="shop-1", recipient=who, subject="Hi", text=f"text of {key}",
                             owner_type_id=3, owner_id=1, channels=channels, marketing=marketing, template=template,
                             sms_text=f"sms of {key}")


@pytest.fixture
def ctx(msg_ctx, sms_gateway):
    built = msg_ctx()
    built.configure({"sms": {"provider": "generic", "method": "GET",
                             "url": f"{sms_gateway.url}/send?to={{phone}}&text={{text}}"}})
    return built


def _record(ctx, key) -> MessageRecord:
    with transaction(ctx.sessions) as s:
        return s.scalar(select(MessageRecord).where(MessageRecord.key == key))


def test_quiet_hours_defer_to_their_end_in_the_shops_zone(ctx, sms_gateway):
    ctx.clock.advance(hours=12)  # 22:00 UTC; the shop's zone is UTC
    delivery = messaging.send(ctx, _message("q1"))
    assert delivery.status == "later" and delivery.until == datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    row = _record(ctx, "q1")
    assert row.status == "deferred" and "quiet hours" in row.reason and row.until is not None
    assert sms_gateway.requests == []
    ctx.clock.advance(hours=11)  # 09:00: the same message goes out
    assert messaging.send(ctx, _message("q1")).status == "sent"
    assert _record(ctx, "q1").status == "sent" and len(sms_gateway.requests) == 1


def test_quiet_hours_follow_a_foreign_customers_phone(msg_ctx, sms_gateway):
    ctx = msg_ctx(T0.replace(hour=19, minute=30), timezone="Europe/Berlin")  # 20:30 in Berlin, 22:30 in Moscow
    ctx.configure({"sms": {"provider": "generic", "url": f"{sms_gateway.url}/s?p={{phone}}&t={{text}}"}})
    assert messaging.send(ctx, _message("de", phone=DE)).status == "sent"
    moscow = messaging.send(ctx, _message("ru", phone=RU))
    assert moscow.status == "later" and moscow.until == datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)
    assert zones.customer_zone(RU, "UTC") == "UTC"  # a shop without a country keeps its zone for everyone
    assert zones.customer_zone(RU, "UTC", "phone") == "Europe/Moscow"
    assert zones.customer_zone("+77011234567", "Europe/Moscow") == "Asia/Almaty"
    assert zones.customer_zone(RU, "Asia/Novosibirsk") == "Asia/Novosibirsk"  # same country: the shop's zone


def test_the_sms_cap_skips_a_second_marketing_message_within_24_hours(ctx, sms_gateway):
    assert messaging.send(ctx, _message("c1", template="we_miss_you")).status == "sent"
    ctx.clock.advance(hours=23)
    capped = messaging.send(ctx, _message("c2", template="review_request"))
    assert capped.status == "skipped" and "frequency cap" in capped.detail
    row = _record(ctx, "c2")
    assert row.status == "skipped" and "one sms per 24 h" in row.reason
    ctx.clock.advance(hours=1)
    assert messaging.send(ctx, _message("c3", template="review_request")).status == "sent"
    assert len(sms_gateway.requests) == 2


def test_the_cap_counts_messages_of_the_same_batch(ctx, sms_gateway):
    out = messaging.send_many(ctx, [_message("b1", template="we_miss_you"), _message("b2", template="review_request")])
    assert (out["b1"].status, out["b2"].status) == ("sent", "skipped")
    assert len(sms_gateway.requests) == 1


def test_transactional_messages_ignore_consent_and_caps(ctx, sms_gateway):
    assert messaging.send(ctx, _message("m1")).status == "sent"
    pay = messaging.send(ctx, _message("t1", template="payment_reminder", marketing=False, consent_sms=False))
    assert pay.status == "sent"
    assert len(sms_gateway.requests) == 2


def test_missing_consent_skips_marketing_with_the_reason(ctx, sms_gateway):
    delivery = messaging.send(ctx, _message("n1", consent_sms=False))
    assert delivery.status == "unreachable" and "did not consent to SMS" in delivery.detail
    row = _record(ctx, "n1")
    assert row.status == "skipped" and "consent" in row.reason
    assert sms_gateway.requests == []


def test_the_same_template_is_not_sent_twice_within_the_window(ctx, sms_gateway):
    assert messaging.send(ctx, _message("d1", template="we_miss_you")).status == "sent"
    ctx.clock.advance(days=2)  # past the cap, within the 7-day window
    dup = messaging.send(ctx, _message("d2", template="we_miss_you"))
    assert dup.status == "skipped" and dup.detail.startswith("duplicate: we_miss_you")
    ctx.clock.advance(days=5, minutes=1)
    assert messaging.send(ctx, _message("d3", template="we_miss_you")).status == "sent"


def test_a_sent_key_is_never_sent_again(ctx, sms_gateway):
    assert messaging.send(ctx, _message("k1")).status == "sent"
    again = messaging.send(ctx, _message("k1"))
    assert again.status == "sent" and again.detail == "sent by an earlier attempt"
    assert len(sms_gateway.requests) == 1 and _record(ctx, "k1").attempts == 1


def test_channels_are_tried_in_order_and_the_policy_limits_come_from_settings(ctx, sms_gateway):
    ctx.configure({"caps_hours": {"sms": 0}, "duplicate_hours": 0})
    no_mail = _message("o1", email="ann@example.com", consent_email=False, channels=("email", "sms"))
    delivery = messaging.send(ctx, no_mail)
    assert delivery.status == "sent" and delivery.channel == "sms"
    assert messaging.send(ctx, _message("o2")).status == "sent"  # no cap, no duplicate window
    assert _record(ctx, "o1").channel == "sms" and _record(ctx, "o1").text == "sms of o1"


def test_without_a_gateway_sms_is_unreachable(msg_ctx):
    ctx = msg_ctx()
    delivery = messaging.send(ctx, _message("g1"))
    assert delivery.status == "unreachable" and "no gateway" in delivery.detail


def test_messages_list_cli_shows_skipped_ones(ctx, app):
    messaging.send(ctx, _message("l1", consent_sms=False))
    messaging.send(ctx, _message("l2"))
    add_portal(app, ctx.member_id)
    out = app.test_cli_runner().invoke(args=["messages", "list", "--member-id", ctx.member_id, "--status", "skipped"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and '"key": "l1"' in lines[0] and "consent" in lines[0]

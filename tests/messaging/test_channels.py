"""E-mail through a real local SMTP server (aiosmtpd) and SMS through a local HTTP gateway; secrets encrypted."""
from __future__ import annotations

import json
from email import message_from_bytes

from sqlalchemy import select

from bitrix_app import messaging
from bitrix_app.messaging import config as messaging_config
from bitrix_app.messaging import journal
from bitrix_app.store.db import transaction
from bitrix_app.store.message_models import MessageRecord, MessagingSettings
from tests.fixtures.portal_row import add_portal

PHONE = "+79991234567"


def _message(key, channels=("email",), marketing=True):
    who = messaging.Recipient(contact_id=5, name="Ann Lee", email="ann@example.com", phone=PHONE,
                              consent_email=True, consent_sms=True)
    return messaging.Message(key=key, source="shop-1", recipient=who, subject="Your cart is waiting",
                             text="Hello Ann,\n\nyour cart: City bike × 1.", owner_type_id=2, owner_id=9,
                             sender_name="Bike shop", channels=channels, marketing=marketing,
                             template="abandoned_cart", sms_text="Bike shop: your cart is waiting")


def _smtp(server, **extra):
    return {"smtp": {"host": server.host, "port": server.port, "security": "none", "username": "shop",
                     "password": "pa55word", "from_address": "shop@example.com", **extra}}


def test_email_goes_through_the_shops_smtp_server_with_login(msg_ctx, smtp_server):
    ctx = msg_ctx()
    ctx.configure(_smtp(smtp_server))
    delivery = messaging.send(ctx, _message("e1"))
    assert delivery.status == "sent" and delivery.channel == "email"
    [envelope] = smtp_server.inbox.mails
    assert envelope.mail_from == "shop@example.com" and envelope.rcpt_tos == ["ann@example.com"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == "Your cart is waiting" and mail["From"] == "Bike shop <shop@example.com>"
    assert mail["To"] == "Ann Lee <ann@example.com>" and mail["Message-ID"] == delivery.reference
    assert "City bike × 1." in mail.get_payload(decode=True).decode()
    with transaction(ctx.sessions) as s:
        row = s.scalar(select(MessageRecord).where(MessageRecord.key == "e1"))
        assert (row.status, row.transport, row.address, row.attempts) == ("sent", "smtp", "ann@example.com", 1)


def test_a_wrong_smtp_password_is_a_failure_to_retry(msg_ctx, smtp_server):
    ctx = msg_ctx()
    ctx.configure(_smtp(smtp_server, password="wrong"))
    delivery = messaging.send(ctx, _message("e2"))
    assert delivery.status == "error" and "smtp" in delivery.detail
    assert smtp_server.inbox.mails == []
    ctx.configure({"smtp": {**_smtp(smtp_server)["smtp"]}})
    assert messaging.send(ctx, _message("e2")).status == "sent" and len(smtp_server.inbox.mails) == 1


def test_an_smtp_message_whose_outcome_is_unknown_is_not_sent_again(msg_ctx, smtp_server):
    ctx = msg_ctx()
    ctx.configure(_smtp(smtp_server))
    with transaction(ctx.sessions) as s:  # an earlier attempt died after handing the message over
        journal.write(s, ctx.member_id, _message("e3"), journal.SENDING, ctx.clock.now(), channel="email",
                      transport="smtp", address="ann@example.com", attempt=True)
    delivery = messaging.send(ctx, _message("e3"))
    assert delivery.status == "skipped" and "outcome is unknown" in delivery.detail
    assert smtp_server.inbox.mails == []


def test_secrets_are_stored_encrypted_and_never_shown(msg_ctx, smtp_server, app):
    ctx = msg_ctx()
    ctx.configure({**_smtp(smtp_server), "sms": {"provider": "smsru", "api_key": "API-KEY-1"}})
    with transaction(ctx.sessions) as s:
        row = s.get(MessagingSettings, ctx.member_id)
        stored = json.dumps(row.data) + row.secrets_enc
        assert "pa55word" not in stored and "API-KEY-1" not in stored
        loaded = messaging_config.load(s, ctx.member_id, ctx.cipher)
    assert loaded.smtp["password"] == "pa55word" and loaded.sms["api_key"] == "API-KEY-1"
    ctx.configure({"sms": {"provider": "smsru", "sender": "BikeShop"}})  # a secret left out keeps its value
    add_portal(app, ctx.member_id)
    out = app.test_cli_runner().invoke(args=["messages", "settings", "--member-id", ctx.member_id])
    shown = json.loads(out.output)
    assert shown["smtp"]["password"] == "***" and shown["sms"] == {**shown["sms"], "api_key": "***",
                                                                    "sender": "BikeShop"}
    assert "pa55word" not in out.output and "API-KEY-1" not in out.output
    bad = app.test_cli_runner().invoke(args=["messages", "settings", "--member-id", ctx.member_id, "--set",
                                             '{"sms": {"provider": "generic", "url": "http://x/"}}'])
    assert bad.exit_code != 0 and "{phone}" in bad.output


def test_sms_ru_gets_its_documented_request(msg_ctx, sms_gateway):
    sms_gateway.reply_body = json.dumps({"status": "OK", "status_code": 100, "balance": 4.5, "sms": {
        "79991234567": {"status": "OK", "status_code": 100, "sms_id": "000000-10000001"}}})
    ctx = msg_ctx()
    ctx.configure({"sms": {"provider": "smsru", "url": f"{sms_gateway.url}/sms/send", "api_key": "API-KEY-1",
                           "sender": "BikeShop"}})
    delivery = messaging.send(ctx, _message("s1", channels=("sms",)))
    assert delivery.status == "sent" and delivery.reference == "000000-10000001"
    [req] = sms_gateway.at("/sms/send")
    assert req.form == {"api_id": "API-KEY-1", "to": "79991234567", "msg": "Bike shop: your cart is waiting",
                        "json": "1", "from": "BikeShop"}


def test_an_sms_ru_refusal_is_recorded_as_failed(msg_ctx, sms_gateway):
    sms_gateway.reply_body = json.dumps({"status": "OK", "status_code": 100, "sms": {"79991234567": {
        "status": "ERROR", "status_code": 207, "status_text": "number not allowed"}}})
    ctx = msg_ctx()
    ctx.configure({"sms": {"provider": "smsru", "url": f"{sms_gateway.url}/sms/send", "api_key": "k"}})
    delivery = messaging.send(ctx, _message("s2", channels=("sms",)))
    assert delivery.status == "error" and "207 number not allowed" in delivery.detail
    with transaction(ctx.sessions) as s:
        row = s.scalar(select(MessageRecord).where(MessageRecord.key == "s2"))
        assert row.status == "failed" and "207" in row.reason


def test_a_generic_gateway_gets_the_url_template_filled_in(msg_ctx, sms_gateway):
    ctx = msg_ctx()
    ctx.configure({"sms": {"provider": "generic", "method": "GET", "api_key": "K&1",
                           "url": f"{sms_gateway.url}/api?key={{api_key}}&to={{phone}}&text={{text}}"}})
    assert messaging.send(ctx, _message("g1", channels=("sms",))).status == "sent"
    [req] = sms_gateway.at("/api")
    assert req.query == {"key": "K&1", "to": "79991234567", "text": "Bike shop: your cart is waiting"}


def test_an_unreachable_gateway_is_an_error_to_retry(msg_ctx, sms_gateway):
    ctx = msg_ctx()
    sms_gateway.stop()
    ctx.configure({"sms": {"provider": "generic", "url": f"{sms_gateway.url}/x?p={{phone}}&t={{text}}"}})
    delivery = messaging.send(ctx, _message("g2", channels=("sms",)))
    assert delivery.status == "error" and "cannot reach" in delivery.detail

"""Checks of the stored channels from the channels screen: the SMTP server (connect, TLS, log in, nothing sent) and
the SMS gateway (a test SMS to a number the admin gives, recorded in the message log as a test)."""
from __future__ import annotations

import smtplib
import uuid
from datetime import datetime

from bitrix_app.store.db import transaction

from . import config as messaging_config
from . import journal, sms, smtp_email
from .message import SENT, Message, Recipient

TEST_SMS = {"en": "Test message from the shop app: the SMS gateway works.",
            "ru": "Тестовое сообщение приложения магазина: SMS-шлюз работает."}


def smtp(smtp_settings: dict | None) -> dict:
    """{ok, detail}: whether the server takes a connection and the login (nothing is sent)."""
    if not smtp_settings:
        return {"ok": False, "detail": "no SMTP server is configured"}
    try:
        conn = smtp_email.connect(smtp_settings)
    except (OSError, smtplib.SMTPException) as exc:
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    try:
        conn.noop()
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    return {"ok": True, "detail": None}


def sms_to(ctx, phone: str, now: datetime, lang: str) -> dict:
    """Send a test SMS through the stored gateway; {ok, detail}; recorded in the message log."""
    with transaction(ctx.sessions) as s:
        config = messaging_config.load(s, ctx.member_id, ctx.cipher)
    if not config.sms:
        return {"ok": False, "detail": "no SMS gateway is configured"}
    text = TEST_SMS.get(lang, TEST_SMS["en"])
    message = Message(key=f"test:{uuid.uuid4().hex}", source="test", recipient=Recipient(None, None, None, phone,
                                                                                        True, True),
                      subject="", text=text, owner_type_id=0, owner_id=0, channels=("sms",), marketing=False)
    with transaction(ctx.sessions) as s:
        journal.write(s, ctx.member_id, message, journal.SENDING, now, channel="sms",
                      transport=config.sms["provider"], address=phone, attempt=True)
    delivery = sms.deliver(config.sms, [message])[message.key]
    ok = delivery.status == SENT
    with transaction(ctx.sessions) as s:
        journal.write(s, ctx.member_id, message, journal.SENT if ok else journal.FAILED, now,
                      reason=delivery.detail, reference=delivery.reference)
    return {"ok": ok, "detail": delivery.detail}
